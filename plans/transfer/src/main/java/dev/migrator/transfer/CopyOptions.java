package dev.migrator.transfer;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Retry;
import java.nio.file.Path;

/**
 * How a copy runs.
 *
 * @param transfers   objects copied at once
 * @param overwrite   replace target objects that differ (otherwise they are reported as conflicts)
 * @param dryRun      only report what would be done
 * @param journalFile where finished objects are recorded for resume; null for no journal
 * @param retry       the retry policy, also for re-sending an object whose bytes did not verify
 * @param selection   which source keys to copy (the target's other keys are left alone)
 */
public record CopyOptions(int transfers, boolean overwrite, boolean dryRun, Path journalFile, Retry retry,
                          Selection selection) {
    public static final int DEFAULT_TRANSFERS = 8;

    public CopyOptions {
        if (transfers < 1 || transfers > 1024) {
            throw MigratorException.badInput("--transfers must be between 1 and 1024, got " + transfers);
        }
        if (selection == null) {
            selection = Selection.ALL;
        }
    }

    /** Every key of the source. */
    public CopyOptions(int transfers, boolean overwrite, boolean dryRun, Path journalFile, Retry retry) {
        this(transfers, overwrite, dryRun, journalFile, retry, Selection.ALL);
    }
}
