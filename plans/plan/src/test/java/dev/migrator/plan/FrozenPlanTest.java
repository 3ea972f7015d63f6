package dev.migrator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.plan.executor.RunJournal;
import dev.migrator.plan.executor.StepKinds;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.BundleParams;
import dev.migrator.plan.planner.DatabaseParams;
import dev.migrator.plan.planner.ObjectParams;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Step;
import dev.migrator.plan.steps.StandardSteps;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.local.LocalObjectStore;
import dev.migrator.transfer.Selection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Typed step parameters through the state directory's plan.json: each kind's record is written as a readable
 * JSON object and read back equal, so a run this build froze resumes with the very same steps.
 */
class FrozenPlanTest {
    static final StepKinds KINDS = StandardSteps.kinds();

    @TempDir
    Path dir;

    Plan plan() throws Exception {
        LocalObjectStore src = new LocalObjectStore(dir.resolve("src"));
        for (int i = 0; i < 1500; i++) {
            String key = (i % 3 == 0 ? "a/" : i % 3 == 1 ? "b/" : "b/tmp/") + String.format("%05d", i);
            src.put(key, Content.of(new byte[10]), new ObjectMetadata("text/plain", null, null, null, Map.of()));
        }
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, """
                sources: {old: '%s'}
                targets: {new: '%s', other: '%s'}
                moves:
                  - {name: m, from: old, to: new, include: [a/, b/], exclude: [b/tmp/], shards: 3, part-size: 8MiB,
                     parallelism: 5, delete-extraneous: true}
                  - {name: bundled, from: old, to: other, via: bundle, staging: '%s'}
                hooks:
                  freeze: [{name: read-only, run: 'true'}]
                """.formatted(dir.resolve("src").toUri(), dir.resolve("new").toUri(), dir.resolve("other").toUri(),
                dir.resolve("staging").toUri()));
        return PlanParser.parse(file);
    }

    @Test
    void aFrozenPlanReadsBackAsTheSameTypedStepsAndIsReadable() throws Exception {
        Plan plan = plan();
        Path state = dir.resolve("state");
        PlanRunner.Frozen first = PlanRunner.frozen(plan, state, false, KINDS);
        try (RunJournal j = RunJournal.open(state)) {
            j.append(j.event("run", null)); // a run that did not end: the next one resumes the frozen plan
        }
        // Measured again, the source would now cut into other shards: equal steps prove they were read, not re-planned.
        new LocalObjectStore(dir.resolve("src")).put("a/00000-late", Content.of(new byte[50_000]),
                new ObjectMetadata("text/plain", null, null, null, Map.of()));
        PlanRunner.Frozen again = PlanRunner.frozen(plan, state, false, KINDS);
        assertThat(again.steps()).isEqualTo(first.steps());
        assertThat(again.start()).isEqualTo(first.start());

        Step delta = first.steps().stream().filter(s -> s.id().equals("cutover/m/delta-2of3")).findFirst().orElseThrow();
        ObjectParams p = (ObjectParams) delta.params();
        assertThat(p.selection().include()).containsExactly("a/", "b/");
        assertThat(p.selection().exclude()).containsExactly("b/tmp/");
        assertThat(p.selection().from()).isNotNull();
        assertThat(p.selection().to()).isNotNull();
        assertThat(p.partSize()).isEqualTo(8L << 20);
        assertThat(p.parallelism()).isEqualTo(5);
        assertThat(p.deleteExtraneous()).isTrue();
        assertThat(p.overwrite()).isTrue();
        String json = Files.readString(state.resolve("plan.json"));
        assertThat(json).contains("\"include\" : [ \"a/\", \"b/\" ]").contains("\"partSize\" : 8388608")
                .contains("\"kind\" : \"bundle-pack\"").contains("\"hook\" : \"read-only\"");
    }

    @Test
    void everyKindsParametersSurviveTheirEncoding() throws Exception {
        List<Step> steps = List.of(
                step("copy", new ObjectParams("a", "b", new Selection(List.of("x/"), List.of("x/y/"), "x/1", "x/9"), 3, null,
                        false, true, null)),
                step("verify", new ObjectParams("a", "b", Selection.ALL, 1, 5L, true, false, "s3://stage/")),
                // --- pver begin
                step("copy", new ObjectParams("a", "b", Selection.ALL, 2, null, false, false, null, false, true, null)),
                step("verify", new ObjectParams("a", "b", Selection.ALL, 2, null, false, false, null, false, false,
                        "2026-11-30T12:00:00Z")),
                // --- pver end
                step("db-dump", new DatabaseParams("pg", "pg2", 4, true, false, "file:///tmp/d")),
                step("db-verify", new DatabaseParams("pg", "pg2", 1, false, true, null)),
                step("bundle-pack", new BundleParams("exit", "s3://stage/?part-size=8M", List.of(
                        new BundleParams.Member("posts", null, new DatabaseParams("pg", "pg2", 2, true, true, "s3://stage/")),
                        new BundleParams.Member("media", new ObjectParams("a", "b", Selection.ALL, 8, 5L, false, false, "s3://stage/"), null)))));
        for (Step s : steps) {
            assertThat(KINDS.decode(KINDS.encode(s))).isEqualTo(s);
        }
    }

    @Test
    void aPlanJsonOfAnOlderFormatIsPlannedAgainNotAFailure() throws Exception {
        Plan plan = plan();
        Path state = dir.resolve("state");
        PlanRunner.Frozen first = PlanRunner.frozen(plan, state, false, KINDS);
        String json = Files.readString(state.resolve("plan.json"));
        // An older build wrote parameters as strings and no format.
        Files.writeString(state.resolve("plan.json"), json.replace("\"format\" : 3,", "")
                .replace("\"parallelism\" : 5", "\"parallelism\" : \"5\", \"include\" : \"a/\\nb/\""));
        try (RunJournal j = RunJournal.open(state)) {
            j.append(j.event("run", null));
        }
        assertThat(PlanRunner.frozen(plan, state, false, KINDS).steps()).isEqualTo(first.steps());
        assertThat(Files.readString(state.resolve("plan.json"))).contains("\"format\" : 3");
    }

    static Step step(String kind, dev.migrator.plan.planner.StepParams p) {
        return new Step("cutover/m/" + kind, kind, Phase.CUTOVER, "m", List.of("cutover/start"), p, 10, 2, 1.5,
                Map.of("a", 100L), "why");
    }
}
