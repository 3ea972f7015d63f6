package dev.migrator.cli;

import dev.migrator.metrics.Metrics;
import dev.migrator.plan.executor.Executor;
import dev.migrator.plan.executor.RunListener;
import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.planner.Step;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A plan run's step states and ETA for {@link Metrics}: every step pending when the executor is made, then running
 * and how it ended; the ETA is the latest planned end among the steps not finished, less the time elapsed.
 */
final class PlanMetrics implements RunListener {
    private final Metrics metrics;
    private final Map<String, Double> plannedEnd = new ConcurrentHashMap<>();
    private final Set<String> settled = ConcurrentHashMap.newKeySet();
    private final long started = System.nanoTime();

    PlanMetrics(Metrics metrics) {
        this.metrics = metrics;
    }

    /** Called with the executor before it runs. */
    void executor(Executor executor) {
        double first = executor.steps().stream().mapToDouble(executor::plannedStart).min().orElse(0);
        for (Step s : executor.steps()) {
            plannedEnd.put(s.id(), executor.plannedStart(s) - first + s.seconds());
            metrics.stepState(s.id(), "pending");
        }
        metrics.eta(this::eta);
    }

    private double eta() {
        double elapsed = (System.nanoTime() - started) / 1e9;
        double end = plannedEnd.entrySet().stream().filter(e -> !settled.contains(e.getKey())).mapToDouble(Map.Entry::getValue).max().orElse(0);
        return Math.max(0, end - elapsed);
    }

    @Override
    public void started(Step step, int attempt) {
        metrics.stepState(step.id(), "running");
    }

    @Override
    public void finished(StepOutcome outcome) {
        settled.add(outcome.step().id());
        metrics.stepState(outcome.step().id(), outcome.status().name());
    }

    @Override
    public void skipped(Step step, String why) {
        settled.add(step.id());
        metrics.stepState(step.id(), "resumed");
    }

    /** Both listeners, the console's first. */
    static RunListener both(RunListener a, RunListener b) {
        return new RunListener() {
            @Override
            public void started(Step step, int attempt) {
                a.started(step, attempt);
                b.started(step, attempt);
            }

            @Override
            public void retrying(Step step, int attempt, String reason, long delayMillis) {
                a.retrying(step, attempt, reason, delayMillis);
                b.retrying(step, attempt, reason, delayMillis);
            }

            @Override
            public void finished(StepOutcome outcome) {
                a.finished(outcome);
                b.finished(outcome);
            }

            @Override
            public void skipped(Step step, String why) {
                a.skipped(step, why);
                b.skipped(step, why);
            }
        };
    }
}
