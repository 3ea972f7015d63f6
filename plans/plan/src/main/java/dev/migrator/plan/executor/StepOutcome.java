package dev.migrator.plan.executor;

import dev.migrator.plan.planner.Step;

/**
 * How a step ended in a run.
 *
 * @param step      the step
 * @param status    DONE (this run), RESUMED (done by an earlier run, not redone), FAILED, BLOCKED (a step it
 *                  depends on failed), CANCELLED (stopped by --fail-fast or Ctrl-C), NOT_RUN (not selected)
 * @param result    what it did, or null
 * @param seconds   wall time of the last attempt (0 when not run)
 * @param startedAt seconds from the run's start when it started, or -1
 * @param attempts  tries made
 * @param error     why it failed, or null
 * @param code      the failure's error code name, or null
 * @param verifies  whether the step's kind verifies (the report counts it as a verification, and its bytes as checked, not moved)
 */
public record StepOutcome(Step step, Status status, StepResult result, double seconds, double startedAt, int attempts,
                          String error, String code, boolean verifies) {
    public enum Status { DONE, RESUMED, FAILED, BLOCKED, CANCELLED, PENDING }

    public boolean ok() {
        return status == Status.DONE || status == Status.RESUMED;
    }
}
