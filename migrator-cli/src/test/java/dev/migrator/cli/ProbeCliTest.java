package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** migrator probe against S3Proxy: reads and writes at one and N streams, a calibration file the planner reads, cleanup. */
class ProbeCliTest {
    @TempDir
    Path dir;

    @Test
    void probePlanWritesACalibrationFileThatPlanReadsAndLeavesNoScratchObjects() throws Exception {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("src");
            s3.createBucket("dst");
            try (ObjectStore src = Stores.open(s3.s3Uri("src", ""), StoreOptions.DEFAULTS)) {
                Random r = new Random(5);
                for (int i = 0; i < 30; i++) {
                    byte[] b = new byte[i < 27 ? 4096 : 2 << 20];
                    r.nextBytes(b);
                    src.put("o/" + i, Content.of(b), ObjectMetadata.EMPTY);
                }
            }
            Path plan = dir.resolve("exit.yaml");
            Files.writeString(plan, """
                    sources: {old: '%s'}
                    targets: {new: '%s'}
                    moves: [{from: old, to: new, parallelism: 4}]
                    """.formatted(s3.s3Uri("src", ""), s3.s3Uri("dst", "copy")));
            Path cal = dir.resolve("cal.yaml");
            CliRun probe = CliRun.of("probe", plan.toString(), "--write", "--objects", "10", "--bytes", "4M", "-o", cal.toString());
            assertThat(probe.exit()).as(probe.all()).isZero();
            String text = Files.readString(cal);
            assertThat(text).contains("locations:\n  old:\n    stream: ").contains("    latency: ")
                    .contains("  new:\n").contains("    write-stream: ").contains("    write-latency: ")
                    .contains("#   old: read: 10 small requests (").contains("#   new: write: 10 small requests (")
                    .containsPattern("#   new: deleted the \\d+ scratch objects under \\.migrator-probe-")
                    .containsPattern("#   old: step start \\(open the store, first listing page\\), 5 tries: median [0-9.]+ms")
                    .containsPattern("  old:\n(    .*\n)*    step-start: [0-9.]+ms\n").containsPattern("  new:\n(    .*\n)*    step-start: ")
                    // stats apart from reads and writes, and copies through the move (read old, write new at once)
                    .contains("#   old: stat: 10 stats at one stream: median ").contains("#   new: stat: 10 stats at one stream: median ").containsPattern("  old:\n(    .*\n)*    stat-latency: [0-9.]+ms\n")
                    .contains("#   old -> new: copy: 10 small requests (").containsPattern("#   old -> new: copy: [0-9.]+ MiB in \\d+ requests at one stream")
                    .containsPattern("#   old -> new: deleted the \\d+ scratch objects under \\.migrator-probe-")
                    .containsPattern("  new:\n(    .*\n)*    copy-stream: [0-9.]+[KMG]iB/s\n    copy-latency: [0-9.]+ms\n");
            try (ObjectStore dst = Stores.open(s3.s3Uri("dst", ""), StoreOptions.DEFAULTS); Stream<ObjectInfo> left = dst.list("")) {
                assertThat(left.toList()).as("the write probe's scratch objects are gone").isEmpty();
            }
            CliRun planned = CliRun.of("plan", plan.toString(), "--calibration", cal.toString());
            assertThat(planned.exit()).as(planned.all()).isZero();
            assertThat(planned.out()).containsPattern("old +reads [0-9.]+ [KMG]iB/s per stream \\(probe\\), [0-9.]+ms a request \\(probe\\)")
                    .containsPattern("new +reads .*writes [0-9.]+ [KMG]iB/s per stream \\(probe\\)")
                    .containsPattern("presync/old/copy .*bound: [^;]* \\+ [0-9.]+ s to start \\(probe\\)")
                    .containsPattern("presync/old/copy .* copy-through \\(probe\\)")
                    .containsPattern("cutover/old/verify .* source stats \\(probe\\)");

            CliRun one = CliRun.of("probe", s3.s3Uri("src", ""), "--concurrency", "2", "--objects", "5", "--bytes", "2M");
            assertThat(one.exit()).as(one.all()).isZero();
            assertThat(one.out()).contains("read: 5 small requests (").containsPattern("(?m)^stream: [0-9.]+MiB/s$")
                    .containsPattern("(?m)^latency: [0-9.]+ms$").doesNotContain("write-");
            assertThat(CliRun.of("plan", plan.toString(), "--calibration", dir.resolve("none.yaml").toString()).err())
                    .contains("calibration file").contains("does not exist");
        }
    }

    @Test
    void aRehearsalDrillGivesEachTargetItsMeasuredStepStartsThatThePlanThenUses() throws Exception {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("sample");
            s3.createBucket("dst");
            s3.createBucket("rehearsal");
            try (ObjectStore src = Stores.open(s3.s3Uri("sample", ""), StoreOptions.DEFAULTS)) {
                for (int i = 0; i < 20; i++) {
                    src.put("o/" + i, Content.of(new byte[2048 + i]), ObjectMetadata.EMPTY);
                }
            }
            Path plan = dir.resolve("sample.yaml");
            Files.writeString(plan, """
                    sources: {old: {uri: '%s', latency: 1ms, stream: 50MiB/s, step-start: 10ms}}
                    targets: {new: {uri: '%s', latency: 1ms, stream: 50MiB/s, step-start: 10ms}}
                    moves: [{from: old, to: new, parallelism: 4}]
                    drill: {targets: {new: '%s'}}
                    """.formatted(s3.s3Uri("sample", ""), s3.s3Uri("dst", ""), s3.s3Uri("rehearsal", "")));
            Path state = dir.resolve("state");
            CliRun missing = CliRun.of("probe", plan.toString(), "--from-run", state.toString());
            assertThat(missing.exit()).isEqualTo(2);
            assertThat(missing.err().strip()).startsWith("migrator: --from-run " + state + ": no run of ").doesNotContain("Exception");
            CliRun drill = CliRun.of("drill", plan.toString(), "--state", state.toString(), "--skip-preflight", "-q");
            assertThat(drill.exit()).as(drill.all()).isZero();
            Path cal = dir.resolve("cal.yaml");
            Files.writeString(cal, "locations:\n  old:\n    stat-latency: 1ms\n");
            Path out = dir.resolve("rehearsed.yaml");
            CliRun from = CliRun.of("probe", plan.toString(), "--from-run", state.toString(), "--calibration", cal.toString(),
                    "-o", out.toString());
            assertThat(from.exit()).as(from.all()).isZero();
            String text = Files.readString(out);
            assertThat(text).contains("  old:\n    stat-latency: 1.00ms\n").as("the given calibration's figures are kept")
                    .containsPattern("  new:\n    copy-start: [0-9.]+ms\n    delta-start: [0-9.]+ms\n    verify-start: [0-9.]+ms\n");
            CliRun planned = CliRun.of("plan", plan.toString(), "--calibration", out.toString());
            assertThat(planned.exit()).as(planned.all()).isZero();
            assertThat(planned.out()).containsPattern("presync/old/copy .* s to start \\(rehearsal\\)")
                    .containsPattern("cutover/old/delta .* s to start \\(rehearsal\\)")
                    .containsPattern("cutover/old/verify .* s to start \\(rehearsal\\)");
        }
    }

    @Test
    void aWriteProbeStoppedMidwayDeletesItsScratchObjects() throws Exception {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("dst");
            try (ObjectStore dst = Stores.open(s3.s3Uri("dst", ""), StoreOptions.DEFAULTS)) {
                dst.put("seed", Content.of(new byte[4096]), ObjectMetadata.EMPTY);
                List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                        "probe", s3.s3Uri("dst", ""), "--write", "--objects", "2000", "--concurrency", "2"));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("probe.log").toFile()).start();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (scratch(dst) < 20 && System.nanoTime() < until && p.isAlive()) {
                    Thread.sleep(50);
                }
                assertThat(scratch(dst)).as(Files.readString(dir.resolve("probe.log"))).isGreaterThanOrEqualTo(20);
                p.destroy(); // SIGTERM, as Ctrl-C: the shutdown hook runs
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(scratch(dst)).as(Files.readString(dir.resolve("probe.log"))).isZero();
                try (Stream<ObjectInfo> all = dst.list("")) {
                    assertThat(all.map(ObjectInfo::key).toList()).containsExactly("seed");
                }
            }
        }
    }

    private static long scratch(ObjectStore store) {
        try (Stream<ObjectInfo> s = store.list(EndpointProbe.SCRATCH)) {
            return s.count();
        }
    }
}
