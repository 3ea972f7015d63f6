package dev.migrator.bundle;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Retry;

/**
 * How a bundle is restored.
 *
 * @param writers   objects written to the target in parallel
 * @param overwrite replace objects at the target that differ from the bundle's (otherwise they are
 *                  conflicts, left alone)
 * @param retry     retry policy for every store operation
 */
public record RestoreOptions(int writers, boolean overwrite, Retry retry) {
    public RestoreOptions {
        if (writers < 1) {
            throw MigratorException.badInput("restore writers must be at least 1, got " + writers);
        }
    }

    public static RestoreOptions defaults() {
        return new RestoreOptions(8, false, Retry.DEFAULT);
    }
}
