package dev.migrator.transfer;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Retry;
import java.nio.file.Path;

/**
 * How a copy runs.
 *
 * @param transfers   objects copied at once, or {@link #AUTO}: found per endpoint by {@link AdaptiveLimit}
 * @param overwrite   replace target objects that differ (otherwise they are reported as conflicts)
 * @param dryRun      only report what would be done
 * @param journalFile where finished objects are recorded for resume; null for no journal
 * @param retry       the retry policy, also for re-sending an object whose bytes did not verify
 * @param selection   which source keys to copy (the target's other keys are left alone)
 */
public record CopyOptions(int transfers, boolean overwrite, boolean dryRun, Path journalFile, Retry retry,
                          Selection selection) {
    /** {@code --transfers auto}: start at {@link #AUTO_START}, grow until an endpoint throttles, at most {@link #AUTO_MAX}. */
    public static final int AUTO = 0;
    public static final int AUTO_START = 8;
    public static final int AUTO_MAX = 256;
    public static final int DEFAULT_TRANSFERS = AUTO;

    public CopyOptions {
        if (transfers != AUTO && (transfers < 1 || transfers > 1024)) {
            throw MigratorException.badInput("--transfers must be 'auto' or between 1 and 1024, got " + transfers);
        }
        if (selection == null) {
            selection = Selection.ALL;
        }
    }

    /** Parses {@code --transfers}: {@code auto} or a number. */
    public static int parseTransfers(String value) {
        if (value.trim().equalsIgnoreCase("auto")) {
            return AUTO;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw MigratorException.badInput("--transfers must be 'auto' or a number between 1 and 1024, got '" + value + "'");
    }

    /** Every key of the source. */
    public CopyOptions(int transfers, boolean overwrite, boolean dryRun, Path journalFile, Retry retry) {
        this(transfers, overwrite, dryRun, journalFile, retry, Selection.ALL);
    }
}
