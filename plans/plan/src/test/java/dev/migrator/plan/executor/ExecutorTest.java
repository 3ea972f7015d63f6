package dev.migrator.plan.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Step;
import dev.migrator.plan.planner.StepParams;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor's semantics with actions whose behaviour the test controls: parallelism, failure, fail-fast, retries, resume. */
class ExecutorTest {
    @TempDir
    Path dir;

    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final AtomicInteger concurrent = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();

    Plan plan(int concurrency, int attempts) {
        return PlanParser.parse(dir.resolve("p.yaml"), """
                sources: {a: 'file:///a'}
                targets: {b: 'file:///b'}
                moves: [{from: a, to: b}]
                limits: {concurrency: %d, attempts: %d, backoff: 20ms}
                """.formatted(concurrency, attempts));
    }

    static Step step(String id, String kind, String... after) {
        return new Step(id, kind, Phase.PRESYNC, null, List.of(after), new StepParams.None(), 0, 0, 1, Map.of(), "");
    }

    /** Sleeps, counting how many run at once; "fail" throws; "wait" runs until cancelled. */
    StepKinds kinds(Map<String, Integer> failuresBeforeSuccess) {
        StepKind.Action<StepParams.None> sleep = (ctx, none) -> {
            calls.computeIfAbsent(ctx.step().id(), k -> new AtomicInteger()).incrementAndGet();
            int now = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(200);
            } finally {
                concurrent.decrementAndGet();
            }
            return StepResult.of("slept");
        };
        StepKind.Action<StepParams.None> flaky = (ctx, none) -> {
            int n = calls.computeIfAbsent(ctx.step().id(), k -> new AtomicInteger()).incrementAndGet();
            if (n <= failuresBeforeSuccess.getOrDefault(ctx.step().id(), Integer.MAX_VALUE)) {
                throw MigratorException.retryable("store said 503 (call " + n + ")", null);
            }
            return StepResult.of("ok on call " + n);
        };
        StepKind.Action<StepParams.None> waitForCancel = (ctx, none) -> {
            calls.computeIfAbsent(ctx.step().id(), k -> new AtomicInteger()).incrementAndGet();
            long until = System.nanoTime() + 20_000_000_000L;
            while (!ctx.cancelled() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            return StepResult.of("waited");
        };
        StepKind.Action<StepParams.None> differs = (ctx, none) -> new StepResult(0, 1, 0, false, List.of("MISSING 'x'"));
        return new StepKinds().register(StepKind.simple("sleep", false, sleep)).register(StepKind.simple("flaky", false, flaky))
                .register(StepKind.simple("wait", false, waitForCancel)).register(StepKind.simple("differs", true, differs));
    }

    Executor.Result run(Plan plan, List<Step> steps, boolean failFast, Map<String, Integer> failures) {
        Map<String, Double> start = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            start.put(steps.get(i).id(), (double) i);
        }
        return new Executor(plan, steps, start, Map.of(), kinds(failures), dir.resolve("state"), failFast, false, RunListener.NONE).run();
    }

    static Map<String, StepOutcome.Status> statuses(Executor.Result r) {
        Map<String, StepOutcome.Status> m = new HashMap<>();
        r.outcomes().forEach(o -> m.put(o.step().id(), o.status()));
        return m;
    }

    @Test
    void independentStepsRunInParallelUpToTheConcurrency() {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            steps.add(step("s" + i, "sleep"));
        }
        long t = System.nanoTime();
        Executor.Result r = run(plan(3, 1), steps, false, Map.of());
        double seconds = (System.nanoTime() - t) / 1e9;
        assertThat(r.ok()).isTrue();
        assertThat(maxConcurrent.get()).isEqualTo(3);
        assertThat(seconds).as("9 x 0.2 s on 3 slots").isLessThan(9 * 0.2);
    }

    @Test
    void aFailedStepBlocksItsDependentsWhileIndependentWorkGoesOn() throws Exception {
        List<Step> steps = List.of(step("a", "flaky"), step("b", "sleep", "a"), step("c", "sleep", "b"), step("d", "sleep"));
        Executor.Result r = run(plan(2, 2), steps, false, Map.of());
        assertThat(statuses(r)).containsEntry("a", StepOutcome.Status.FAILED).containsEntry("b", StepOutcome.Status.BLOCKED)
                .containsEntry("c", StepOutcome.Status.BLOCKED).containsEntry("d", StepOutcome.Status.DONE);
        assertThat(calls.get("a").get()).as("retried once (2 attempts)").isEqualTo(2);
        assertThat(calls).doesNotContainKeys("b", "c");
        String journal = Files.readString(dir.resolve("state/journal"));
        assertThat(journal).contains("\"event\":\"failed\",\"step\":\"a\"").contains("\"event\":\"blocked\",\"step\":\"c\"");
        assertThat(r.ok()).isFalse();
    }

    @Test
    void failFastStopsEverything() {
        List<Step> steps = List.of(step("long", "wait"), step("a", "flaky"), step("after-long", "sleep", "long"));
        long t = System.nanoTime();
        Executor.Result r = run(plan(2, 1), steps, true, Map.of());
        assertThat((System.nanoTime() - t) / 1e9).as("the waiting step was cancelled, not waited for").isLessThan(10);
        assertThat(statuses(r)).containsEntry("a", StepOutcome.Status.FAILED).containsEntry("long", StepOutcome.Status.CANCELLED)
                .containsEntry("after-long", StepOutcome.Status.CANCELLED);
    }

    @Test
    void retryableFailuresAreRetriedWithBackoff() {
        Executor.Result r = run(plan(1, 4), List.of(step("a", "flaky")), false, Map.of("a", 2));
        assertThat(r.ok()).isTrue();
        assertThat(r.outcomes().get(0).attempts()).isEqualTo(3);
    }

    @Test
    void differencesAreNotRetried() {
        Executor.Result r = run(plan(1, 4), List.of(step("v", "differs")), false, Map.of());
        StepOutcome o = r.outcomes().get(0);
        assertThat(o.status()).isEqualTo(StepOutcome.Status.FAILED);
        assertThat(o.code()).isEqualTo(ErrorCode.DIFFERENCES.name());
        assertThat(o.attempts()).isEqualTo(1);
        assertThat(o.error()).contains("MISSING 'x'");
    }

    @Test
    void aSecondRunResumesWithoutRedoingFinishedSteps() {
        List<Step> steps = List.of(step("a", "sleep"), step("b", "flaky", "a"), step("c", "sleep", "b"));
        Executor.Result first = run(plan(2, 1), steps, false, Map.of("b", 1));
        assertThat(statuses(first)).containsEntry("a", StepOutcome.Status.DONE).containsEntry("b", StepOutcome.Status.FAILED);
        Executor.Result second = run(plan(2, 1), steps, false, Map.of("b", 1));
        assertThat(statuses(second)).containsEntry("a", StepOutcome.Status.RESUMED).containsEntry("b", StepOutcome.Status.DONE)
                .containsEntry("c", StepOutcome.Status.DONE);
        assertThat(calls.get("a").get()).as("a is not run again").isEqualTo(1);
        assertThat(second.resumed()).isTrue();
        // A completed run is archived: the next run starts from the top.
        Executor.Result third = run(plan(2, 1), steps, false, Map.of("b", 0));
        assertThat(statuses(third)).containsEntry("a", StepOutcome.Status.DONE);
        assertThat(third.resumed()).isFalse();
    }

    @Test
    void anUnknownKindIsRefusedBeforeAnythingRuns() {
        List<Step> steps = List.of(step("a", "sleep"), step("p", "bundle-pack"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(plan(1, 1), steps, false, Map.of()))
                .isInstanceOf(MigratorException.class).hasMessageContaining("step p is of kind 'bundle-pack'");
        assertThat(calls).isEmpty();
    }
}
