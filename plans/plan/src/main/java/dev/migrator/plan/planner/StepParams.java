package dev.migrator.plan.planner;

import java.util.List;

/**
 * The parameters of a step: a record per family of step kinds ({@link ObjectParams}, {@link DatabaseParams},
 * {@link HookParams}, {@link None}), built by the planner and handed to the kind's action as is. The kind
 * declares which record it takes and how it is frozen into the state directory's plan.json and read back
 * ({@link dev.migrator.plan.executor.StepKind}).
 */
public interface StepParams {
    /** The kind of the cut-over's start barrier (no parameters). */
    String BARRIER = "barrier";

    /** Names of the plan locations the step touches: their (redacted) URIs are part of its fingerprint. */
    default List<String> locations() {
        return List.of();
    }

    /** For kinds that take no parameters. */
    record None() implements StepParams {
    }
}
