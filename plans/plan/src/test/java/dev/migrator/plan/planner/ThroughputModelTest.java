package dev.migrator.plan.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.migrator.plan.model.Calibration;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.report.PlanOutput;
import dev.migrator.provider.MigratorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model by Little's law: which figure bounds a step, from where it came, calibration files and workers. */
class ThroughputModelTest {
    static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private static Throughput model(String yamlFigures) {
        Plan p = PlanParser.parse(Path.of("m.yaml"), """
                sources: {a: {uri: 's3://a/x', size: 1MiB, %s}}
                targets: {b: {uri: 's3://b/y', %s}}
                moves: [{from: a, to: b}]
                """.formatted(yamlFigures, yamlFigures));
        return Throughput.of(p.location("a"));
    }

    @Test
    void smallObjectsAreBoundByRequestsInFlightOverLatency() {
        Throughput t = model("latency: 10ms, write-latency: 10ms, stream: 10MiB/s");
        // 3,000 objects × (10 ms read + 10 ms write) / 16 in flight = 3.75 s; their 47 MiB / 16 × 10 MiB/s = 0.29 s
        Estimate e = Estimate.copy("a", t, "b", t, 3000L * 16 * 1024, 3000, 16);
        assertThat(e.seconds()).isCloseTo(1 + 3.75 + 0.293, offset(0.01));
        assertThat(e.bound()).isEqualTo("per-request (source reads)");
        assertThat(e.explain()).contains("3,000 objects × (10.00 ms source reads (plan) + 10.00 ms target writes (plan)) / 16 in flight");
    }

    @Test
    void largeObjectsAreBoundByTheirStreamsAndNoMoreStreamsThanObjects() {
        Throughput t = model("latency: 10ms, stream: 10MiB/s, write-stream: 5MiB/s");
        // 4 objects on 16 streams: 4 in flight; 80 MiB / (4 × 5 MiB/s) written = 4 s
        Estimate e = Estimate.copy("a", t, "b", t, 80 * MIB, 4, 16);
        assertThat(e.seconds()).isCloseTo(1 + 4 * 0.02 / 4 + 4.0, offset(0.01));
        assertThat(e.bound()).isEqualTo("stream (target writes)");
    }

    @Test
    void aBandwidthProbedAtMoreStreamsThanTheStepHasIsNotReachedByFewer() {
        // Probed: 10 MiB/s one stream, 40 MiB/s at 8 (less than 0.8 × 80: recorded as the bandwidth, at 8 streams).
        Throughput probed = model("latency: 1ms, stream: 10MiB/s, bandwidth: 40MiB/s, bandwidth-streams: 8");
        assertThat(probed.bandwidthStreams()).isEqualTo(8);
        // 4 large objects at parallelism 8 are 4 streams: 10 + 30 × 3/7 = 22.9 MiB/s, not the 40 MiB/s that 8 reached.
        assertThat(probed.bandwidthAt(4, 10 * MIB)).isCloseTo(10 * MIB + 30.0 * MIB * 3 / 7, offset(1.0));
        assertThat(probed.bandwidthAt(8, 10 * MIB)).isEqualTo(40.0 * MIB);
        assertThat(probed.bandwidthAt(16, 10 * MIB)).isEqualTo(40.0 * MIB);
        Estimate four = Estimate.copy("a", probed, "b", probed, 64 * MIB, 4, 8);
        assertThat(four.seconds()).isCloseTo(1 + 64 / (10 + 30.0 * 3 / 7), offset(0.01));
        assertThat(four.bound()).isEqualTo("bandwidth of 'a'");
        assertThat(four.explain()).contains("(plan, at 4 streams of the 8 it was measured at)");
        // Eight streams get the bandwidth: 64 MiB / 40 MiB/s; and a bandwidth without its streams holds for any.
        assertThat(Estimate.copy("a", probed, "b", probed, 64 * MIB, 8, 8).seconds()).isCloseTo(1 + 1.6, offset(0.01));
        Throughput declared = model("latency: 1ms, stream: 10MiB/s, bandwidth: 40MiB/s");
        assertThat(Estimate.copy("a", declared, "b", declared, 64 * MIB, 4, 8).seconds()).isCloseTo(1 + 1.6, offset(0.01));
        // What probe writes reads back.
        Calibration c = new Calibration(10 * MIB, 0.001, null, null, 40 * MIB, null, null, 8);
        assertThat(c.yaml("")).contains("bandwidth-streams: 8\n");
        assertThat(new Calibration(null, null, null, null, null, null, null, 4).with(c).bandwidthStreams()).isEqualTo(8);
        assertThatThrownBy(() -> model("bandwidth: 40MiB/s, bandwidth-streams: many")).isInstanceOf(MigratorException.class)
                .hasMessageContaining("bandwidth-streams 'many'");
    }

    @Test
    void theEndpointsBandwidthAndRequestLimitCapManyStreams() {
        Throughput bw = model("latency: 1ms, stream: 100MiB/s, bandwidth: 20MiB/s");
        Estimate e = Estimate.copy("a", bw, "b", bw, 400 * MIB, 100, 32);
        assertThat(e.seconds()).isCloseTo(1 + 20.0, offset(0.01));
        assertThat(e.bound()).isEqualTo("bandwidth of 'a'");
        assertThat(e.explain()).contains("capped by the bandwidth of 'a', 20.0 MiB/s (plan)");

        Throughput rl = model("latency: 1ms, request-limit: 200/s");
        Estimate r = Estimate.copy("a", rl, "b", rl, 10_000, 10_000, 64);
        assertThat(r.seconds()).isCloseTo(1 + 50.0, offset(0.01)); // 10,000 / 200/s; 64 / 2 ms would do 32,000/s
        assertThat(r.bound()).isEqualTo("request limit of 'a'");
    }

    @Test
    void aStepsStartIsTheProbedOneAtBothEndsElseTheOneSecondGuess() throws Exception {
        Throughput guessed = model("latency: 10ms, stream: 10MiB/s");
        Estimate g = Estimate.copy("a", guessed, "b", guessed, 0, 10, 10);
        assertThat(g.overhead()).isEqualTo(1.0);
        assertThat(g.seconds()).isCloseTo(1 + 0.02, offset(1e-9));
        assertThat(g.explain()).endsWith("+ 1 s to start (default, a guess)");

        Throughput probed = model("latency: 10ms, stream: 10MiB/s, step-start: 40ms");
        Estimate p = Estimate.compare("a", probed, "b", probed, 10, 10);
        assertThat(p.overhead()).isCloseTo(0.08, offset(1e-9));
        assertThat(p.seconds()).isCloseTo(0.08 + 0.02, offset(1e-9));
        assertThat(p.explain()).endsWith("+ 0.08 s to start (plan)");
        Estimate mixed = Estimate.copy("a", probed, "b", guessed, 0, 10, 10);
        assertThat(mixed.overhead()).isCloseTo(0.54, offset(1e-9));
        assertThat(mixed.explain()).endsWith("+ 0.54 s to start (plan + default, a guess)");

        // From a calibration file, as probe writes it; the delta's compare and copy start once, not twice.
        Plan plan = PlanParser.parse(Path.of("m.yaml"), """
                sources: {a: {uri: 's3://a/x', size: 10MiB, objects: 1000, latency: 5ms, stream: 50MiB/s}}
                targets: {b: {uri: 's3://b/y', latency: 5ms, stream: 50MiB/s}}
                moves: [{from: a, to: b, parallelism: 10}]
                """);
        Path file = dir.resolve("cal.yaml");
        Files.writeString(file, "locations:\n  a:\n" + new Calibration(null, null, null, null, null, null, 0.03).yaml("    ")
                + "  b:\n    step-start: 20ms\n");
        Planner.Result r = Planner.plan(plan, Inventory.DECLARED, PlanParser.calibration(file, plan), 1);
        assertThat(r.throughput().get("a").overhead()).isEqualTo(new Throughput.Figure(0.03, Throughput.Origin.PROBE));
        Step verify = r.steps().stream().filter(s -> s.id().equals("cutover/a/verify")).findFirst().orElseThrow();
        assertThat(verify.seconds()).isCloseTo(0.05 + 1000 * 0.01 / 10, offset(1e-6));
        assertThat(verify.explain()).contains("+ 0.05 s to start (probe)");
        Step delta = r.steps().stream().filter(s -> s.id().equals("cutover/a/delta")).findFirst().orElseThrow();
        Estimate compare = Estimate.compare("a", r.throughput().get("a"), "b", r.throughput().get("b"), 1000, 10);
        Estimate copy = Estimate.copy("a", r.throughput().get("a"), "b", r.throughput().get("b"), 512 * 1024, 50, 10);
        assertThat(delta.seconds()).isCloseTo(compare.seconds() + copy.seconds() - 0.05, offset(0.01));
        assertThat(delta.explain()).startsWith("compare: 1,000 objects").endsWith("+ 0.05 s to start (probe)");
    }

    @Test
    void figuresComeFromTheProbeThenThePlanThenDefaultsFlaggedAsGuesses() {
        Plan p = PlanParser.parse(Path.of("m.yaml"), """
                sources: {a: {uri: 's3://a/x', size: 1MiB, objects: 100, stream: 50MiB/s, requests: 100/s}}
                targets: {b: 's3://b/y'}
                moves: [{from: a, to: b}]
                """);
        Throughput t = Throughput.of(p.location("a"), new Calibration(null, 0.004, null, null, null, null));
        assertThat(t.latency()).isEqualTo(new Throughput.Figure(0.004, Throughput.Origin.PROBE));
        assertThat(t.stream()).isEqualTo(new Throughput.Figure(50 * MIB, Throughput.Origin.PLAN));
        assertThat(t.writeStream().origin()).as("the plan's stream stands for writes too").isEqualTo(Throughput.Origin.PLAN);
        assertThat(t.bandwidth().guess()).isTrue();
        assertThat(Throughput.of(p.location("b")).allGuesses()).isTrue();
        String text = PlanOutput.text(Planner.plan(p, Inventory.DECLARED));
        assertThat(text).contains("b              reads 30.0 MiB/s per stream (default, a guess)")
                .contains("probe the endpoints before trusting the ETA")
                .containsPattern("presync/a/copy .*bound: per-request \\(");
    }

    @Test
    void aCalibrationFileReadsBackWhatProbeWritesAndNamesUnknownLocations() throws Exception {
        Plan p = PlanParser.parse(Path.of("m.yaml"), """
                sources: {a: {uri: 's3://a/x', size: 100MiB, objects: 5000}}
                targets: {b: 's3://b/y'}
                moves: [{from: a, to: b, parallelism: 16}]
                """);
        Calibration a = new Calibration(48L * MIB, 0.0031, null, null, 120L * MIB, 2500.0);
        Calibration b = new Calibration(null, null, 22L * MIB, 0.0123, null, null);
        Path file = dir.resolve("cal.yaml");
        Files.writeString(file, "# probed\nlocations:\n  a:\n" + a.yaml("    ") + "  b:\n" + b.yaml("    "));
        Map<String, Calibration> read = PlanParser.calibration(file, p);
        assertThat(read.get("a").stream()).isEqualTo(48L * MIB);
        assertThat(read.get("a").latency()).isCloseTo(0.0031, offset(1e-9));
        assertThat(read.get("a").requestLimit()).isEqualTo(2500.0);
        assertThat(read.get("b").writeLatency()).isCloseTo(0.0123, offset(1e-9));
        Planner.Result r = Planner.plan(p, Inventory.DECLARED, read, 1);
        assertThat(r.throughput().get("b").writeLatency().origin()).isEqualTo(Throughput.Origin.PROBE);
        assertThat(r.capacities()).containsEntry("a" + Planner.REQUESTS, 2500L).doesNotContainKey("b" + Planner.REQUESTS);
        Step copy = r.steps().stream().filter(s -> s.id().equals("presync/a/copy")).findFirst().orElseThrow();
        // 5,000 × (3.1 ms + 12.3 ms) / 16 = 4.81 s; 100 MiB / 16 × 22 MiB/s = 0.28 s; 5,000 / 2,500/s = 2 s
        assertThat(copy.seconds()).isCloseTo(1 + 5000 * 0.0154 / 16 + 100.0 / (16 * 22), offset(0.01));

        Files.writeString(file, "locations:\n  c: {stream: 1MiB/s}\n");
        assertThatThrownBy(() -> PlanParser.calibration(file, p)).isInstanceOf(MigratorException.class)
                .hasMessageContaining("cal.yaml:2").hasMessageContaining("location 'c' is not in m.yaml");
        Files.writeString(file, "locations:\n  a: {latency: fast}\n");
        assertThatThrownBy(() -> PlanParser.calibration(file, p)).hasMessageContaining("latency 'fast': expected a positive latency");
        assertThatThrownBy(() -> PlanParser.calibration(dir.resolve("none.yaml"), p)).hasMessageContaining("does not exist");
    }

    @Test
    void workersShortenWhatConcurrencyBoundsAndTheEndpointsOwnLimitCapsTheGain() {
        String plan = """
                limits: {concurrency: 2}
                sources: {a: {uri: 's3://a/x', size: 16GiB, objects: 160000, latency: 20ms, stream: 20MiB/s, bandwidth: %s}}
                targets: {b: {uri: 's3://b/y', latency: 20ms}}
                moves: [{from: a, to: b, shards: 16, parallelism: 8}]
                """;
        Plan open = PlanParser.parse(Path.of("w.yaml"), plan.formatted("100GiB/s"));
        Planner.Result one = Planner.plan(open, Inventory.DECLARED, Map.of(), 1);
        Planner.Result four = Planner.plan(open, Inventory.DECLARED, Map.of(), 4);
        assertThat(one.schedule().presync() / four.schedule().presync()).isCloseTo(4.0, offset(0.1));
        assertThat(four.caps()).isEmpty();
        assertThat(PlanOutput.text(four)).contains("Workers:        4: ETA").contains("(8 steps at once in all)");

        Plan capped = PlanParser.parse(Path.of("w.yaml"), plan.formatted("50MiB/s"));
        Planner.Result c4 = Planner.plan(capped, Inventory.DECLARED, Map.of(), 4);
        Planner.Result c1 = Planner.plan(capped, Inventory.DECLARED, Map.of(), 1);
        assertThat(c1.schedule().presync() / c4.schedule().presync()).isLessThan(2.5);
        assertThat(c4.caps()).anySatisfy(s -> assertThat(s).startsWith("the presync is capped by the bandwidth of 'a' (50.0 MiB/s, plan)"));
        assertThat(PlanOutput.text(c4)).contains("CAP:            the presync is capped by the bandwidth of 'a'");
        assertThatThrownBy(() -> Planner.plan(open, Inventory.DECLARED, Map.of(), 0)).hasMessageContaining("--workers 0");
    }
}
