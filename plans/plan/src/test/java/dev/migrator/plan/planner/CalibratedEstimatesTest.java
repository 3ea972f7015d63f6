package dev.migrator.plan.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.migrator.plan.model.Calibration;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.provider.MigratorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stats bounded by their own limit, copies by a copy-through figure, and step starts from a rehearsal (issue 16). */
class CalibratedEstimatesTest {
    static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private static Plan plan(String source, String target) {
        return PlanParser.parse(Path.of("c.yaml"), """
                sources: {a: {uri: 's3://a/x', size: 64MiB, objects: 1000, %s}}
                targets: {b: {uri: 's3://b/y', %s}}
                moves: [{from: a, to: b, parallelism: 10}]
                """.formatted(source, target));
    }

    private static Step step(Planner.Result r, String id) {
        return r.steps().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void deltaAndVerifyStatsAreBoundByTheStatLimitNeverByTheWriteRequestLimit() {
        String figures = "latency: 5ms, stat-latency: 2ms, step-start: 50ms, request-limit: 100/s";
        Planner.Result r = Planner.plan(plan(figures, figures), Inventory.DECLARED, Map.of(), 1);
        Step verify = step(r, "cutover/a/verify");
        // 1,000 objects × (2 ms + 2 ms) / 10 in flight = 0.4 s; the 100/s request limit (10 s) is for writes
        assertThat(verify.seconds()).isCloseTo(0.1 + 0.4, offset(1e-6));
        assertThat(verify.explain()).contains("2.00 ms source stats (plan) + 2.00 ms target stats (plan)").doesNotContain("request limit");
        assertThat(step(r, "presync/a/copy").explain()).contains("capped by the request limit of 'a'");
        assertThat(r.capacities()).doesNotContainKey("a" + Planner.STATS);

        String limited = figures + ", stat-limit: 500/s";
        Planner.Result s = Planner.plan(plan(limited, limited), Inventory.DECLARED, Map.of(), 1);
        assertThat(step(s, "cutover/a/verify").seconds()).isCloseTo(0.1 + 2.0, offset(1e-6)); // 1,000 / 500/s
        assertThat(step(s, "cutover/a/verify").explain()).contains("capped by the stat limit of 'a', 500/s (plan)");
        assertThat(s.capacities()).containsEntry("a" + Planner.STATS, 500L).containsEntry("a" + Planner.REQUESTS, 100L);
        assertThat(step(s, "cutover/a/verify").demand()).containsKey("a" + Planner.STATS).doesNotContainKey("a" + Planner.REQUESTS);

        // Without a stat latency of its own, a stat costs what a small read does (the figure the model had before).
        Planner.Result old = Planner.plan(plan("latency: 5ms", "latency: 5ms"), Inventory.DECLARED, Map.of(), 1);
        assertThat(old.throughput().get("a").statLatency()).isEqualTo(new Throughput.Figure(0.005, Throughput.Origin.PLAN));
        assertThatThrownBy(() -> plan("stat-limit: lots", "")).isInstanceOf(MigratorException.class)
                .hasMessageContaining("stat-limit 'lots'");
    }

    @Test
    void aCopyThroughFigureReplacesTheTwoSidesMeasuredApart() throws Exception {
        // Read-only and write-only probes saw 40 MiB/s a stream; copying through, one stream got 10 MiB/s, 8 of them 24.
        Plan p = PlanParser.parse(Path.of("c.yaml"), """
                sources: {a: {uri: 's3://a/x', size: 64MiB, objects: 4, latency: 2ms, stream: 40MiB/s}}
                targets: {b: {uri: 's3://b/y', write-latency: 3ms, write-stream: 40MiB/s}}
                moves: [{from: a, to: b, parallelism: 8}]
                """);
        Planner.Result apart = Planner.plan(p, Inventory.DECLARED, Map.of(), 1);
        assertThat(step(apart, "presync/a/copy").seconds()).isCloseTo(1 + 4 * 0.005 / 4 + 64.0 / (4 * 40), offset(0.01));

        Path file = dir.resolve("cal.yaml");
        Calibration copy = Calibration.copy(10 * MIB, 0.008, 24 * MIB, 8, null);
        assertThat(copy.yaml("")).isEqualTo("copy-stream: 10MiB/s\ncopy-latency: 8.00ms\ncopy-bandwidth: 24MiB/s\ncopy-streams: 8\n");
        Files.writeString(file, "locations:\n  b:\n" + copy.yaml("    "));
        Planner.Result through = Planner.plan(p, Inventory.DECLARED, PlanParser.calibration(file, p), 1);
        Step c = step(through, "presync/a/copy");
        // 4 streams of the 8 the copy bandwidth was measured at: 10 + 14 × 3/7 = 16 MiB/s; 64 MiB / 16 = 4 s
        assertThat(c.seconds()).isCloseTo(1 + 4.0, offset(0.01));
        assertThat(c.explain()).contains("4 objects × (8.00 ms copy-through (probe)) / 4 in flight")
                .contains("64.0 MiB / 4 × 10.0 MiB/s copy-through (probe) = 1.6 s")
                .contains("capped by the copy-through bandwidth of 'b', 16.0 MiB/s (probe, at 4 streams of the 8 it was measured at)")
                .contains("bound: bandwidth of 'b' (copy-through bandwidth)");
        // The verify stats are not copies: the copy-through figure leaves them alone.
        assertThat(step(through, "cutover/a/verify").seconds()).isEqualTo(step(apart, "cutover/a/verify").seconds());
    }

    @Test
    void startsMeasuredInARehearsalAreWhatTheStepTookBeyondTheModelsWork() throws Exception {
        String figures = "latency: 5ms, stat-latency: 2ms, stream: 50MiB/s, step-start: 50ms";
        Plan p = plan(figures, figures);
        Planner.Result rehearsal = Planner.plan(p, Inventory.DECLARED, Map.of(), 1);
        Map<String, Double> took = new HashMap<>();
        Map<String, Double> work = new HashMap<>();
        for (Step s : rehearsal.steps()) {
            if (Rehearsal.kind(s) != null) {
                work.put(s.id(), s.seconds() - 0.1);
            }
        }
        took.put("presync/a/copy", work.get("presync/a/copy") + 0.3);
        took.put("cutover/a/delta", work.get("cutover/a/delta") + 1.2);
        took.put("cutover/a/verify", work.get("cutover/a/verify") + 0.7);
        Calibration starts = Rehearsal.starts(p, rehearsal.steps(), took).get("b");
        assertThat(starts.copyStart()).isCloseTo(0.3, offset(1e-9));
        assertThat(starts.deltaStart()).isCloseTo(1.2, offset(1e-9));
        assertThat(starts.verifyStart()).isCloseTo(0.7, offset(1e-9));
        assertThat(Rehearsal.starts(p, rehearsal.steps(), Map.of("cutover/a/verify", 0.01)).get("b").verifyStart())
                .as("a step faster than its modelled work started in no time, not in negative time").isEqualTo(Rehearsal.MIN_START);

        Path file = dir.resolve("cal.yaml");
        Files.writeString(file, "locations:\n  b:\n" + starts.yaml("    "));
        Planner.Result calibrated = Planner.plan(p, Inventory.DECLARED, PlanParser.calibration(file, p), 1);
        Step verify = step(calibrated, "cutover/a/verify");
        assertThat(verify.seconds()).isCloseTo(took.get("cutover/a/verify"), offset(1e-3));
        assertThat(verify.explain()).contains("+ 0.70 s to start (rehearsal)");
        assertThat(step(calibrated, "cutover/a/delta").seconds()).isCloseTo(took.get("cutover/a/delta"), offset(1e-3));
        assertThat(step(calibrated, "presync/a/copy").seconds()).isCloseTo(took.get("presync/a/copy"), offset(1e-3));
        // Declared in the plan, a start is the plan's; a rehearsal of that plan measures against it, not against step-start.
        Plan declared = plan(figures, figures + ", verify-start: 700ms");
        Planner.Result again = Planner.plan(declared, Inventory.DECLARED, Map.of(), 1);
        assertThat(step(again, "cutover/a/verify").explain()).contains("+ 0.70 s to start (plan)");
        assertThat(Rehearsal.starts(declared, again.steps(), Map.of("cutover/a/verify", step(again, "cutover/a/verify").seconds() + 0.2))
                .get("b").verifyStart()).isCloseTo(0.9, offset(1e-9));
    }

    @Test
    void stepsOfTwoSizesInARehearsalSplitTheirStartFromACostPerObject() throws Exception {
        String figures = "latency: 5ms, stat-latency: 2ms, stream: 50MiB/s, step-start: 50ms";
        Plan p = PlanParser.parse(Path.of("c.yaml"), """
                sources:
                  few: {uri: 's3://a/few', size: 1MiB, objects: 4, %s}
                  many: {uri: 's3://a/many', size: 8MiB, objects: 800, %s}
                targets: {b: {uri: 's3://b/y', %s}}
                moves: [{from: few, to: b, parallelism: 8}, {from: many, to: b, parallelism: 8}]
                """.formatted(figures, figures, figures));
        Planner.Result rehearsal = Planner.plan(p, Inventory.DECLARED, Map.of(), 1);
        // Each verify took its modelled work, a start of 0.4 s, and 3 ms a stream for each object it compared.
        Map<String, Double> took = new HashMap<>();
        for (String move : new String[]{"few", "many"}) {
            Step v = step(rehearsal, "cutover/" + move + "/verify");
            took.put(v.id(), v.seconds() - 0.1 + 0.4 + 0.003 * v.objects() / Math.min(8, v.objects()));
        }
        Calibration c = Rehearsal.starts(p, rehearsal.steps(), took).get("b");
        assertThat(c.verifyStart()).isCloseTo(0.4, offset(1e-9));
        assertThat(c.verifyPerObject()).isCloseTo(0.003, offset(1e-9));
        assertThat(c.yaml("")).contains("verify-start: 400ms\n").contains("verify-per-object: 3.00ms\n");
        Path file = dir.resolve("cal.yaml");
        Files.writeString(file, "locations:\n  b:\n" + c.yaml("    "));
        Planner.Result calibrated = Planner.plan(p, Inventory.DECLARED, PlanParser.calibration(file, p), 1);
        for (String id : took.keySet()) {
            assertThat(step(calibrated, id).seconds()).as(id).isCloseTo(took.get(id), offset(1e-3));
        }
        assertThat(step(calibrated, "cutover/many/verify").explain()).contains("3.00 ms more per object (rehearsal)");
    }

    /** A rehearsal of three moves into one target (a warm-up, few objects, many), with the probed figures. */
    private static Plan threeMoves() {
        String figures = "latency: 5ms, stat-latency: 2ms, stream: 50MiB/s, step-start: 50ms";
        return PlanParser.parse(Path.of("c.yaml"), """
                sources:
                  warm: {uri: 's3://a/warm', size: 64KiB, objects: 2, %s}
                  few: {uri: 's3://a/few', size: 1MiB, objects: 4, %s}
                  many: {uri: 's3://a/many', size: 8MiB, objects: 800, %s}
                targets: {b: {uri: 's3://b/y', %s}}
                limits: {concurrency: 1}
                moves: [{from: warm, to: b, parallelism: 8}, {from: few, to: b, parallelism: 8}, {from: many, to: b, parallelism: 8}]
                """.formatted(figures, figures, figures, figures));
    }

    /** What each verify of {@code moves} took: its modelled work, a start of 0.4 s and 3 ms a stream per object, plus {@code extra}. */
    private static Map<String, Double> verifies(Planner.Result r, Map<String, Double> extra, String... moves) {
        Map<String, Double> took = new HashMap<>();
        for (String move : moves) {
            Step v = step(r, "cutover/" + move + "/verify");
            took.put(v.id(), v.seconds() - 0.1 + 0.4 + 0.003 * v.objects() / Math.min(8, v.objects()) + extra.getOrDefault(move, 0.0));
        }
        return took;
    }

    @Test
    void theRehearsalsFirstStepOfAKindPaysTheWarmUpAndIsNotFitted() {
        Plan p = threeMoves();
        Planner.Result rehearsal = Planner.plan(p, Inventory.DECLARED, Map.of(), 1);
        // The warm-up move's verify ran first in a fresh JVM: 1.5 s of class loading and JIT on top of its start.
        Map<String, Double> took = verifies(rehearsal, Map.of("warm", 1.5), "warm", "few", "many");
        Rehearsal.Fit fit = Rehearsal.fit(p, rehearsal.steps(), took);
        Calibration c = fit.starts().get("b");
        assertThat(c.verifyStart()).isCloseTo(0.4, offset(1e-9));
        assertThat(c.verifyPerObject()).isCloseTo(0.003, offset(1e-9));
        assertThat(fit.notes()).singleElement().asString().startsWith("cutover/warm/verify: the rehearsal's first verify step, not fitted")
                .contains("1903ms beyond its modelled work"); // 1.5 s + the 0.4 s start + 2 objects × 3 ms / 2 streams

        // Fitted with the warm-up, the same rehearsal gets its cost per object wrong: the outlier is what made the weakness.
        Map<String, Double> twoOnly = verifies(rehearsal, Map.of("few", 1.5), "few", "many");
        Rehearsal.Fit skewed = Rehearsal.fit(p, rehearsal.steps(), twoOnly);
        assertThat(skewed.notes()).as("two steps: none can be left out, and the line through them is no model").singleElement()
                .asString().startsWith("b verify: the median line through 2 steps gave a start of").contains("implausible; start only, the median")
                .contains("rehearse a small warm-up move first");
        assertThat(skewed.starts().get("b").verifyPerObject()).isNull();
        assertThat(skewed.starts().get("b").verifyStart()).isCloseTo(
                (twoOnly.get("cutover/few/verify") + twoOnly.get("cutover/many/verify")
                        - step(rehearsal, "cutover/few/verify").seconds() - step(rehearsal, "cutover/many/verify").seconds()) / 2 + 0.1,
                offset(1e-9));
    }

    @Test
    void aLineWithANegativeStartIsHeldAtTheLeastStartWithANote() {
        Plan p = threeMoves();
        Planner.Result rehearsal = Planner.plan(p, Inventory.DECLARED, Map.of(), 1);
        // The small step started in no time and the large one took 2 s more: the free line would start below zero.
        Map<String, Double> took = verifies(rehearsal, Map.of("few", -0.4, "many", 2.0), "few", "many");
        Rehearsal.Fit fit = Rehearsal.fit(p, rehearsal.steps(), took);
        assertThat(fit.notes()).singleElement().asString().containsPattern("gave a start of -[0-9.]+ms")
                .contains("; held at a start of 1.00ms: ");
        Calibration c = fit.starts().get("b");
        assertThat(c.verifyStart()).isEqualTo(Rehearsal.MIN_START);
        // The median of each step's (y - 1 ms) / x (of two: their mean), plus the plan's own cost per object (none here).
        double[][] xy = new double[2][];
        int i = 0;
        for (String move : new String[]{"few", "many"}) {
            Step v = step(rehearsal, "cutover/" + move + "/verify");
            xy[i++] = new double[]{v.objects() / (double) Math.min(8, v.objects()), took.get(v.id()) - (v.seconds() - 0.1)};
        }
        double k = ((xy[0][1] - 0.001) / xy[0][0] + (xy[1][1] - 0.001) / xy[1][0]) / 2;
        assertThat(c.verifyPerObject()).isCloseTo(k, offset(1e-9));
        // A plausible line through two sizes (no warm-up in them) is kept, without a note.
        Rehearsal.Fit clean = Rehearsal.fit(p, rehearsal.steps(), verifies(rehearsal, Map.of(), "few", "many"));
        assertThat(clean.notes()).isEmpty();
        assertThat(clean.starts().get("b").verifyPerObject()).isCloseTo(0.003, offset(1e-9));
    }

    @Test
    void stepsOfOneSizeGiveTheMedianStartAndNoCostPerObject() {
        String figures = "latency: 5ms, stat-latency: 2ms, stream: 50MiB/s, step-start: 50ms";
        Plan p = PlanParser.parse(Path.of("c.yaml"), """
                sources:
                  one: {uri: 's3://a/one', size: 1MiB, objects: 4, %s}
                  two: {uri: 's3://a/two', size: 1MiB, objects: 4, %s}
                  three: {uri: 's3://a/three', size: 1MiB, objects: 4, %s}
                targets: {b: {uri: 's3://b/y', %s}}
                moves: [{from: one, to: b, parallelism: 8}, {from: two, to: b, parallelism: 8}, {from: three, to: b, parallelism: 8}]
                """.formatted(figures, figures, figures, figures));
        Planner.Result r = Planner.plan(p, Inventory.DECLARED, Map.of(), 1);
        Map<String, Double> took = new HashMap<>();
        double[] starts = {2.0, 0.3, 0.5}; // the first paid the warm-up
        String[] moves = {"one", "two", "three"};
        for (int i = 0; i < 3; i++) {
            Step v = step(r, "cutover/" + moves[i] + "/verify");
            took.put(v.id(), v.seconds() - 0.1 + starts[i]);
        }
        Rehearsal.Fit fit = Rehearsal.fit(p, r.steps(), took);
        assertThat(fit.starts().get("b").verifyStart()).as("the median of the two after the warm-up").isCloseTo(0.4, offset(1e-9));
        assertThat(fit.starts().get("b").verifyPerObject()).isNull();
        assertThat(fit.notes()).singleElement().asString().startsWith("cutover/one/verify: the rehearsal's first verify step");
    }
}
