package dev.migrator.plan.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.migrator.plan.model.Calibration;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database move's steps from its ends' probed starts and hashing rate (issue 16), and the guesses without them. */
class DatabaseEstimatesTest {
    @TempDir
    Path dir;

    private static Step step(Planner.Result r, String id) {
        return r.steps().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError(id));
    }

    private static Plan plan(String via, String source, String target) {
        return PlanParser.parse(Path.of("db.yaml"), """
                sources: {db: {uri: 'postgresql://app@db1/shop', size: 100MiB%s}}
                targets: {new: {uri: 'postgresql://app@db2/shop'%s}}
                moves: [{from: db, to: new, via: %s}]
                """.formatted(source, target, via));
    }

    @Test
    void declaredStartsAndHashRatesMakeTheDumpRestoreAndVerify() {
        Plan p = plan("dump", ", stream: 100MiB/s, dump-start: 120ms, fingerprint-start: 40ms, hash-rate: 50MiB/s",
                ", write-stream: 50MiB/s, restore-start: 200ms, fingerprint-start: 60ms, hash-rate: 40MiB/s");
        Planner.Result r = Planner.plan(p, Inventory.DECLARED, Map.of(), 1);
        assertThat(step(r, "cutover/db/db-dump").seconds()).isCloseTo(0.12 + 1.0, offset(1e-9));
        assertThat(step(r, "cutover/db/db-dump").explain()).endsWith("dump rate (plan) + 0.12 s start (plan)");
        assertThat(step(r, "cutover/db/db-restore").seconds()).isCloseTo(0.2 + 2.0, offset(1e-9));
        // Both ends fingerprint at once: the slower start and the slower hashing.
        assertThat(step(r, "cutover/db/db-verify").seconds()).isCloseTo(0.06 + 2.5, offset(1e-9));
        assertThat(step(r, "cutover/db/db-verify").explain()).isEqualTo("100.0 MiB hashed in the databases at 40.0 MiB/s (plan) + 0.06 s start (plan)");
    }

    @Test
    void aDumpIntoFilesRunsAtTheSourcesDumpStreamADirectCopyAtItsStream() {
        String source = ", stream: 100MiB/s, dump-stream: 25MiB/s, dump-start: 120ms";
        Planner.Result dump = Planner.plan(plan("dump", source, ", write-stream: 50MiB/s"), Inventory.DECLARED, Map.of(), 1);
        assertThat(step(dump, "cutover/db/db-dump").seconds()).isCloseTo(0.12 + 4.0, offset(1e-9));
        assertThat(step(dump, "cutover/db/db-dump").explain()).isEqualTo("100.0 MiB / 25.0 MiB/s dump rate (plan) + 0.12 s start (plan)");
        // pg_dump -Fc -Z0 into pg_restore compresses nothing: the uncompressed stream (bounded by the restore's 50 MiB/s)
        Planner.Result copy = Planner.plan(plan("direct", source, ", write-stream: 50MiB/s"), Inventory.DECLARED, Map.of(), 1);
        assertThat(step(copy, "cutover/db/db-copy").seconds()).isCloseTo(0.12 + 1.0 + 2.0, offset(1e-9));
    }

    @Test
    void aProbedDumpStreamInACalibrationFileIsWhatTheDumpStepDividesTheDatabasesSizeBy() throws Exception {
        // As probe writes it: the dump tool's rate on the largest table in its stored bytes, and the tool's start apart.
        Plan p = plan("dump", ", stream: 100MiB/s", ", write-stream: 50MiB/s");
        Path file = dir.resolve("cal.yaml");
        Files.writeString(file, "locations:\n  db:\n" + Calibration.database(0.18, null, null, null, 60L << 20).yaml("    "));
        assertThat(Files.readString(file)).contains("    dump-stream: 60MiB/s\n");
        Planner.Result r = Planner.plan(p, Inventory.DECLARED, PlanParser.calibration(file, p), 1);
        assertThat(step(r, "cutover/db/db-dump").seconds()).isCloseTo(0.18 + 100 / 60.0, offset(1e-9));
        assertThat(step(r, "cutover/db/db-dump").explain()).isEqualTo("100.0 MiB / 60.0 MiB/s dump rate (probe) + 0.18 s start (probe)");
        // The restore is not the dump's business: its write-stream and its default start.
        assertThat(step(r, "cutover/db/db-restore").seconds()).isCloseTo(1.0 + 2.0, offset(1e-9));
    }

    @Test
    void aDirectCopyCountsBothStartsAndProbedFiguresSayProbe() throws Exception {
        Plan p = plan("direct", ", stream: 100MiB/s", ", write-stream: 50MiB/s");
        Path file = dir.resolve("cal.yaml");
        Files.writeString(file, "locations:\n  db:\n" + Calibration.database(0.3, null, 0.05, 200L << 20).yaml("    ")
                + "  new:\n" + Calibration.database(null, 0.4, 0.07, null).yaml("    "));
        Planner.Result r = Planner.plan(p, Inventory.DECLARED, PlanParser.calibration(file, p), 1);
        assertThat(step(r, "cutover/db/db-copy").seconds()).isCloseTo(0.3 + 0.4 + 2.0, offset(1e-9));
        assertThat(step(r, "cutover/db/db-copy").explain()).endsWith("+ dump 0.30 s start (probe) + restore 0.40 s start (probe)");
        // One end's hashing probed: that rate, the other end's start where it is the slower.
        assertThat(step(r, "cutover/db/db-verify").seconds()).isCloseTo(0.07 + 0.5, offset(1e-9));
        assertThat(step(r, "cutover/db/db-verify").explain()).contains("at 200.0 MiB/s (probe) + 0.07 s start (probe)");
    }

    @Test
    void withoutThemEachStepStartsInTheDefaultSecondAndTheVerifyHashRateIsAGuess() {
        Planner.Result r = Planner.plan(plan("dump", ", stream: 100MiB/s", ", write-stream: 50MiB/s"), Inventory.DECLARED, Map.of(), 1);
        assertThat(step(r, "cutover/db/db-dump").seconds()).isCloseTo(1.0 + 1.0, offset(1e-9));
        assertThat(step(r, "cutover/db/db-dump").explain()).endsWith("+ 1 s start (default, a guess)");
        assertThat(step(r, "cutover/db/db-verify").seconds()).isCloseTo(1.0 + 100 / 250.0, offset(1e-9)); // 5 × 50 MiB/s
        assertThat(step(r, "cutover/db/db-verify").explain()).contains("(5 × the dump rate, a guess) + 1 s start (default, a guess)");
    }
}
