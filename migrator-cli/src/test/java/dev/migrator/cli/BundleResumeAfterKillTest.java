package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} or Ctrl-C in the middle of {@code bundle create} (a real subprocess, S3 source, bundle in a
 * local folder), then the same command: it must keep the parts the stopped run journaled (not upload them
 * again), finish the bundle, leave nothing stray behind, and the bundle must verify and restore identical.
 */
class BundleResumeAfterKillTest {
    /**
     * Random (incompressible) objects of 256-512 KiB: about 45 parts of the minimum part size, 1 MiB, so that
     * most of the work is still to come when the run is stopped after its first parts, even on a fast machine.
     */
    static final int OBJECTS = 120;
    static final int KILL_AFTER_PARTS = 2;

    @TempDir
    Path dir;

    @Test
    void sameCommandFinishesAfterKillMinus9() throws Exception {
        interruptThenResume(p -> p::destroyForcibly, 137, false); // SIGKILL: nothing runs on the way out
    }

    @Test
    void ctrlCExits130AndTheSameCommandResumes() throws Exception {
        // The kill is started beforehand and only waits for a line: the signal then lands within a millisecond.
        interruptThenResume(p -> {
            Process killer = new ProcessBuilder("sh", "-c", "read go; exec kill -INT " + p.pid()).start();
            return () -> {
                try {
                    killer.getOutputStream().write('\n');
                    killer.getOutputStream().flush();
                    killer.waitFor();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
        }, 130, true);
    }

    private void interruptThenResume(Arm interrupt, int expectedExit, boolean graceful) throws Exception {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("old-cloud");
            String source = s3.s3Uri("old-cloud", "");
            try (ObjectStore store = Stores.open(source, StoreOptions.DEFAULTS)) {
                Random random = new Random(11);
                for (int i = 0; i < OBJECTS; i++) {
                    byte[] data = new byte[256 * 1024 + random.nextInt(256 * 1024)];
                    random.nextBytes(data);
                    store.put(String.format("media/%04d.bin", i), Content.of(data),
                            new ObjectMetadata("application/octet-stream", null, null, null, Map.of("i", "" + i)));
                }
            }
            Path bundle = dir.resolve("bundle");
            Path state = dir.resolve("state");
            // One upload and one zstd thread: slow enough to be stopped with most of the parts still to come.
            List<String> command = List.of("bundle", "create", source, "--to", bundle.toString(), "--part-size", "1M",
                    "--uploads", "1", "--readers", "2", "--threads", "1", "--state", state.toString(), "-q");

            // The run to be stopped reads at 4 MiB/s: about ten seconds for the 45 MB, so the stop lands after its first
            // parts on any machine, where a fast one could otherwise finish between two polls; the rerun is not limited.
            List<String> paced = new ArrayList<>(command);
            paced.addAll(List.of("--bwlimit", "4MiB"));
            Process first = new ProcessBuilder(javaCommand(paced)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("first.log").toFile()).start();
            Runnable stop = interrupt.arm(first);
            // A local target takes each finished part by an atomic rename, so there is no half-written upload to
            // aim at: stop as soon as the first parts are journaled, while the next ones are being built.
            waitForJournaledParts(state, KILL_AFTER_PARTS, first);
            stop.run();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).as("interrupted, not finished: " + Files.readString(dir.resolve("first.log")))
                    .isEqualTo(expectedExit);
            assertThat(bundle.resolve("SHA256SUMS")).as("an interrupted bundle is not marked complete").doesNotExist();
            // Ctrl-C lets the upload in flight finish; kill -9 can cut the local store's write short, and the
            // temporary file it leaves must be swept by the rerun (checked below: nothing stray at the end).
            Set<String> leftover = files(bundle).stream().filter(f -> f.contains(".mig~tmp-")).collect(Collectors.toSet());
            System.out.println("temporary files left by the stopped run: " + leftover);
            if (graceful) {
                assertThat(leftover).as("no half-written upload after Ctrl-C").isEmpty();
            } else {
                // The rename leaves a cut write rare, so also plant what one left by an earlier kill looks like (an
                // hour is the age at which any writer's file counts as stale; provider-local's TempFilesTest kills a
                // real writer and sees its fresh file swept).
                Path planted = bundle.resolve(".mig~tmp-0b6c5a2e-left-by-an-earlier-kill");
                Files.write(planted, new byte[4096]);
                Files.setLastModifiedTime(planted, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
                leftover = new TreeSet<>(leftover);
                leftover.add(planted.getFileName().toString());
            }

            // What the stopped run journaled as uploaded: these parts must survive the rerun untouched.
            List<String> journaled = journaledParts(state);
            assertThat(journaled).hasSizeGreaterThanOrEqualTo(KILL_AFTER_PARTS);
            Map<String, FileTime> mtimes = new LinkedHashMap<>();
            Map<String, String> sums = new LinkedHashMap<>();
            for (String part : journaled) {
                Path file = bundle.resolve(part);
                mtimes.put(part, Files.getLastModifiedTime(file));
                sums.put(part, sha256(file));
            }

            List<String> again = new ArrayList<>(command);
            again.add("--json");
            CliRun second = CliRun.of(again.toArray(String[]::new));
            assertThat(second.exit()).as(second.all()).isZero();
            JsonNode ref = new ObjectMapper().readTree(second.out());
            assertThat(ref.get("entries").asLong()).isEqualTo(OBJECTS);
            assertThat(ref.get("parts").asInt()).as("several parts").isGreaterThan(journaled.size());
            assertThat(ref.get("resumed").asInt()).as("the journaled parts are kept").isEqualTo(journaled.size());
            for (String part : journaled) {
                Path file = bundle.resolve(part);
                assertThat(Files.getLastModifiedTime(file)).as(part + " not uploaded again").isEqualTo(mtimes.get(part));
                assertThat(sha256(file)).as(part + " unchanged").isEqualTo(sums.get(part));
            }

            // Nothing stray: the bundle holds exactly its manifest, SHA256SUMS and the parts SHA256SUMS names.
            Set<String> expected = new TreeSet<>(List.of("manifest.jsonl", "SHA256SUMS"));
            Files.readAllLines(bundle.resolve("SHA256SUMS")).forEach(l -> expected.add(l.substring(l.indexOf("  ") + 2)));
            assertThat(expected).hasSize(ref.get("parts").asInt() + 2);
            assertThat(files(bundle)).as("the stopped run's temporary files " + leftover + " are swept").isEqualTo(expected);
            try (Stream<Path> left = Files.list(state)) {
                assertThat(left.map(p -> p.getFileName().toString())).as("the finished bundle's journal and spool are gone")
                        .noneMatch(n -> n.startsWith("bundle-"));
            }

            CliRun verify = CliRun.of("bundle", "verify", bundle.toString(), "-q");
            assertThat(verify.exit()).as(verify.all()).isZero();
            assertThat(verify.out()).startsWith("Intact:");
            Path restored = dir.resolve("restored");
            CliRun restore = CliRun.of("bundle", "restore", bundle.toString(), "--to", restored.toString(), "-q");
            assertThat(restore.exit()).as(restore.all()).isZero();
            CliRun same = CliRun.of("verify", source, restored.toString(), "-q");
            assertThat(same.exit()).as(same.all()).isZero();
            assertThat(same.out()).startsWith("Identical: " + OBJECTS + " objects");
        }
    }

    /** Prepares the way to stop a process; the runnable stops it. */
    private interface Arm {
        Runnable arm(Process p) throws Exception;
    }

    private static List<String> javaCommand(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    /** Waits until the running create has journaled at least {@code n} uploaded parts. */
    private static void waitForJournaledParts(Path state, int n, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (journaledParts(state).size() >= n) {
                return;
            }
            assertThat(p.isAlive()).as("the first run ended before it could be stopped").isTrue();
            Thread.sleep(10);
        }
        throw new AssertionError("bundle create journaled fewer than " + n + " parts in 60 s");
    }

    /** The names of the parts in the journal ({@code parts.jsonl}) of the one bundle in progress; a torn last line is skipped. */
    private static List<String> journaledParts(Path state) throws Exception {
        if (!Files.isDirectory(state)) {
            return List.of();
        }
        Path journal;
        try (Stream<Path> files = Files.walk(state)) {
            journal = files.filter(f -> f.getFileName().toString().equals("parts.jsonl")).findFirst().orElse(null);
        }
        if (journal == null) {
            return List.of();
        }
        ObjectMapper json = new ObjectMapper();
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(journal)) {
            try {
                names.add(json.readTree(line).get("part").get("name").asText());
            } catch (Exception torn) {
                // being written
            }
        }
        return names;
    }

    private static Set<String> files(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(f -> root.relativize(f).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String sha256(Path file) throws Exception {
        return Digests.hex(Digests.sha256().digest(Files.readAllBytes(file)));
    }
}
