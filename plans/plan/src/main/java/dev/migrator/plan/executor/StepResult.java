package dev.migrator.plan.executor;

import java.util.List;

/**
 * What a step did.
 *
 * @param bytes    bytes moved (or checked, for a verify)
 * @param objects  objects moved (or checked)
 * @param skipped  objects found already done (identical at the target, or journaled by an earlier run)
 * @param verified true when the step verified its result and found it identical; null when it does not verify
 * @param details  short lines for the report
 */
public record StepResult(long bytes, long objects, long skipped, Boolean verified, List<String> details) {
    public StepResult {
        details = List.copyOf(details);
    }

    public static StepResult of(String... details) {
        return new StepResult(0, 0, 0, null, List.of(details));
    }
}
