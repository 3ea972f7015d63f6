package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bundle restore} stages entries over 4 MiB in its state directory (never in /tmp); SIGTERM in the
 * middle of it (a real subprocess) leaves no staged file behind, and after {@code kill -9} the next run
 * sweeps what the killed one left.
 */
class BundleRestoreInterruptTest {
    static final int OBJECTS = 8;
    static final int SIZE = 20 << 20;

    @TempDir
    Path dir;

    @Test
    void sigtermLeavesNoStagingAndTheNextRunSweepsAKilledOne() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Random random = new Random(5);
        byte[] data = new byte[SIZE];
        for (int i = 0; i < OBJECTS; i++) {
            random.nextBytes(data); // incompressible: each entry takes a while to read, check and stage
            Files.write(src.resolve(String.format("big-%02d.bin", i)), data);
        }
        Path bundle = dir.resolve("bundle");
        CliRun create = CliRun.of("bundle", "create", src.toString(), "--to", bundle.toString(), "--part-size", "64M",
                "--state", dir.resolve("create-state").toString(), "-q");
        assertThat(create.exit()).as(create.all()).isZero();

        Path state = dir.resolve("state");
        List<String> restore = List.of("bundle", "restore", bundle.toString(), "--to", dir.resolve("restored").toString(),
                "--writers", "1", "--state", state.toString(), "-q");

        // The runs to be stopped read at 8 MiB/s: each 20 MiB entry stays staged for seconds on any machine, not for
        // a moment a fast one could finish between two polls.
        List<String> paced = paced(restore, "8MiB");
        // SIGTERM while an entry is staged: the shutdown hook empties the staging directory.
        Process first = start(paced, "first.log");
        waitForStaging(state, first);
        first.destroy(); // SIGTERM
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(Files.readString(dir.resolve("first.log"))).isNotZero();
        assertThat(staged(state)).as("no staged file after SIGTERM").isEmpty();

        // kill -9: nothing runs on the way out; whatever it left is swept by the next run.
        Process second = start(paced, "second.log");
        waitForStaging(state, second);
        second.destroyForcibly();
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Path stagingDir;
        try (Stream<Path> dirs = Files.list(state)) {
            stagingDir = dirs.filter(d -> d.getFileName().toString().startsWith("restore-")).findFirst().orElseThrow().resolve("staging");
        }
        Files.createDirectories(stagingDir);
        Files.write(stagingDir.resolve("entry-left-by-kill.tmp"), new byte[4096]); // in case the kill landed between entries
        assertThat(staged(state)).isNotEmpty();

        CliRun third = CliRun.of(restore.toArray(String[]::new));
        assertThat(third.exit()).as(third.all()).isZero();
        assertThat(staged(state)).as("swept and emptied").isEmpty();
        CliRun same = CliRun.of("verify", src.toString(), dir.resolve("restored").toString(), "-q");
        assertThat(same.exit()).as(same.all()).isZero();
    }

    /**
     * Into an empty folder, restore defers durability to one sync at the end, with a marker in its state
     * meanwhile; {@code kill -9} in the middle leaves the marker and whole objects, and the same command
     * finishes the restore, identical to the source, and removes the marker.
     */
    @Test
    void killMinus9DuringADeferredRestoreResumes() throws Exception {
        Path src = dir.resolve("many");
        Random random = new Random(9);
        byte[] data = new byte[2048];
        for (int d = 0; d < 4; d++) {
            Path sub = Files.createDirectories(src.resolve("d" + d));
            for (int i = 0; i < 1500; i++) {
                random.nextBytes(data);
                Files.write(sub.resolve("f-" + i), data);
            }
        }
        Path bundle = dir.resolve("many-bundle");
        CliRun create = CliRun.of("bundle", "create", src.toString(), "--to", bundle.toString(), "--state", dir.resolve("cs").toString(), "-q");
        assertThat(create.exit()).as(create.all()).isZero();
        Path restored = dir.resolve("many-restored");
        Path state = dir.resolve("many-state");
        List<String> restore = List.of("bundle", "restore", bundle.toString(), "--to", restored.toString(), "--writers", "1",
                "--state", state.toString(), "-q");

        Process first = start(paced(restore, "256KiB"), "many-first.log"); // 3 MB at 256 KiB/s: killed well before its end
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (count(restored) < 50) {
            assertThat(first.isAlive()).as("the restore ended before 50 objects were written").isTrue();
            assertThat(System.nanoTime()).as("50 objects written within 60 s").isLessThan(deadline);
            Thread.sleep(2);
        }
        first.destroyForcibly();
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(markers(state)).as("the killed run's marker: its objects are not known to be durable").hasSize(1);

        CliRun second = CliRun.of(restore.toArray(String[]::new));
        assertThat(second.exit()).as(second.all()).isZero();
        assertThat(markers(state)).as("durable now").isEmpty();
        CliRun same = CliRun.of("verify", src.toString(), restored.toString(), "-q");
        assertThat(same.exit()).as(same.all()).isZero();
    }

    /** {@code args} with a read limit, for a run a test must stop in the middle. */
    private static List<String> paced(List<String> args, String rate) {
        List<String> paced = new ArrayList<>(args);
        paced.addAll(List.of("--bwlimit", rate));
        return paced;
    }

    private static long count(Path d) throws Exception {
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(d)) {
            return files.filter(Files::isRegularFile).count();
        } catch (java.io.UncheckedIOException changing) {
            return 0;
        }
    }

    private static List<Path> markers(Path state) throws Exception {
        try (Stream<Path> files = Files.walk(state)) {
            return files.filter(f -> f.getFileName().toString().startsWith("unsynced-")).toList();
        }
    }

    private Process start(List<String> args, String log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
    }

    /** Waits until the running restore has a staged entry in its state directory. */
    private static void waitForStaging(Path state, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!staged(state).isEmpty()) {
                return;
            }
            assertThat(p.isAlive()).as("the restore ended before it staged an entry").isTrue();
            Thread.sleep(2);
        }
        throw new AssertionError("no staged entry in " + state + " within 60 s");
    }

    /** Every regular file under the state directory but the lock files. */
    private static List<Path> staged(Path state) throws Exception {
        if (!Files.isDirectory(state)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(state)) {
            return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("lock")).toList();
        } catch (java.io.UncheckedIOException vanishing) {
            return List.of(Path.of("(changing)")); // a file went away during the walk: look again
        }
    }
}
