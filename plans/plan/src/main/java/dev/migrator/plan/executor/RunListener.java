package dev.migrator.plan.executor;

import dev.migrator.plan.planner.Step;

/** Told what a run does, for a person (the CLI) or a test. Called from many threads; implementations are thread-safe. */
public interface RunListener {
    RunListener NONE = new RunListener() { };

    default void started(Step step, int attempt) { }

    default void retrying(Step step, int attempt, String reason, long delayMillis) { }

    default void finished(StepOutcome outcome) { }

    default void skipped(Step step, String why) { }
}
