package dev.migrator.plan.executor;

/**
 * What one kind of step does. Implementations do the work and prove it: a step that returns has
 * succeeded (and, when it verifies, found no differences). Failures are {@link dev.migrator.provider.MigratorException}s;
 * the executor retries those classified retryable or of code FAILED/INTEGRITY, with backoff.
 *
 * <p>Contract: idempotent (a retry or a resumed run calls it again after a partial attempt, and it must
 * finish the job without harm); stops soon after {@link StepContext#cancelled()} turns true or a
 * registered cancel callback runs; reports bytes as it goes through {@link StepContext#transferred}.
 */
@FunctionalInterface
public interface StepAction {
    StepResult run(StepContext context) throws Exception;
}
