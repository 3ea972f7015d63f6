package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.local.LocalObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} or Ctrl-C in the middle of a copy, then the same command: it must finish the job,
 * not copy again what the stopped run had finished and verified, and leave the two sides identical.
 */
class ResumeAfterKillTest {
    static final int OBJECTS = 1500;

    @TempDir
    Path dir;

    @Test
    void sameCommandFinishesAfterKillMinus9() throws Exception {
        interruptThenResume(Process::destroyForcibly, 137); // SIGKILL: no shutdown hook runs
    }

    @Test
    void ctrlCExits130AndTheSameCommandResumes() throws Exception {
        interruptThenResume(p -> {
            try {
                new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, 130);
    }

    private void interruptThenResume(java.util.function.Consumer<Process> interrupt, int expectedExit) throws Exception {
        Path src = dir.resolve("src");
        LocalObjectStore source = new LocalObjectStore(src);
        Random random = new Random(9);
        for (int i = 0; i < OBJECTS; i++) {
            byte[] data = new byte[8 * 1024 + random.nextInt(8 * 1024)];
            random.nextBytes(data);
            source.put(String.format("obj/%05d", i), Content.of(data), new ObjectMetadata("application/x-test", null, null, null, Map.of("i", "" + i)));
        }
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("target");
            String target = s3.s3Uri("target", "copy");
            Path state = dir.resolve("state");
            List<String> command = List.of("copy", src.toString(), target, "--state", state.toString(), "--transfers", "2", "-q");

            Process first = new ProcessBuilder(javaCommand(command)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("first.log").toFile()).start();
            long journaled = waitForJournal(state, 100, first);
            interrupt.accept(first);
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).as("interrupted, not finished: " + Files.readString(dir.resolve("first.log")))
                    .isEqualTo(expectedExit);
            long journaledAtStop = journalLines(state);
            assertThat(journaledAtStop).isGreaterThanOrEqualTo(journaled).isLessThan(OBJECTS);

            List<String> again = new java.util.ArrayList<>(command);
            again.add("--json");
            CliRun second = CliRun.of(again.toArray(String[]::new));
            assertThat(second.exit()).as(second.all()).isZero();
            JsonNode summary = new ObjectMapper().readTree(second.out());
            assertThat(summary.get("skipped").asLong()).as("finished objects are not copied again")
                    .isGreaterThanOrEqualTo(journaledAtStop);
            assertThat(summary.get("objects").asLong() + summary.get("skipped").asLong()).isEqualTo(OBJECTS);
            assertThat(summary.get("objects").asLong()).isLessThanOrEqualTo(OBJECTS - journaledAtStop);

            CliRun verify = CliRun.of("verify", src.toString(), target);
            assertThat(verify.exit()).as(verify.all()).isZero();
        }
    }

    private static List<String> javaCommand(List<String> args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    /** Waits until the running copy has journaled at least {@code n} objects; returns how many. */
    private static long waitForJournal(Path state, int n, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            long lines = journalLines(state);
            if (lines >= n) {
                return lines;
            }
            assertThat(p.isAlive()).as("the first run ended before it could be killed").isTrue();
            Thread.sleep(20);
        }
        throw new AssertionError("the copy journaled fewer than " + n + " objects in 60 s");
    }

    private static long journalLines(Path state) throws Exception {
        if (!Files.isDirectory(state)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(state)) {
            Path journal = files.filter(f -> f.getFileName().toString().equals("journal")).findFirst().orElse(null);
            if (journal == null) {
                return 0;
            }
            try (Stream<String> lines = Files.lines(journal)) {
                return lines.filter(l -> l.split("\t").length == 4).count();
            }
        }
    }
}
