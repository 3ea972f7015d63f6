package dev.migrator.transfer;

import java.util.List;

/**
 * What a copy did.
 *
 * @param copied       objects written (or, in a dry run, that would be)
 * @param copiedBytes  their bytes
 * @param skipped      objects already identical at the target, or finished by an earlier run
 * @param skippedBytes their bytes
 * @param failed       objects that failed (conflicts included)
 * @param vanished     objects listed at the source but gone before they were read
 * @param retries      operations that failed once and were retried
 * @param seconds      wall time
 * @param failures     the first {@link Copier#MAX_REPORTED_FAILURES} failures
 * @param interrupted  the run was cancelled before it finished
 * @param dryRun       nothing was written
 */
public record CopySummary(long copied, long copiedBytes, long skipped, long skippedBytes, long failed, long vanished,
                          long retries, double seconds, List<Failure> failures, boolean interrupted, boolean dryRun) {

    /** One object that could not be copied, and why (a message for a person, naming the object). */
    public record Failure(String key, String code, String message) {
    }

    public boolean ok() {
        return failed == 0 && !interrupted;
    }
}
