package dev.migrator.bundle;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Retry;
import java.nio.file.Path;

/**
 * How a bundle is restored.
 *
 * @param writers   objects written to the target in parallel
 * @param overwrite replace objects at the target that differ from the bundle's (otherwise they are
 *                  conflicts, left alone)
 * @param retry     retry policy for every store operation
 * @param stateDir  the restore's state directory: locked for the run, and entries larger than
 *                  4 MiB (and database dumps) are staged in its
 *                  {@code staging} folder between reading and writing. The folder is emptied when the
 *                  restore ends, however it ends (a shutdown hook on Ctrl-C/SIGTERM), and swept when the
 *                  next restore with it starts (after {@code kill -9}). {@code null}: a temporary
 *                  directory, cleaned the same way, no lock
 * @param versions  which versions of a source bundled with its history are restored ({@link Versions})
 * @param bucketSettings apply each restored source's bundled bucket settings to its target first
 *                  ({@code --bucket-settings}), through {@link dev.migrator.provider.BucketSettings.Access#apply}
 */
public record RestoreOptions(int writers, boolean overwrite, Retry retry, Path stateDir, Versions versions, boolean bucketSettings) {
    /**
     * Which versions of a source bundled with its history are restored.
     * <ul>
     *   <li>{@code AS_BUNDLED}: the history when the bundle holds one (the target must keep versions), else the latest;</li>
     *   <li>{@code LATEST}: each key's current object only, into any store;</li>
     *   <li>{@code ALL}: the history, refused for a source bundled without one.</li>
     * </ul>
     */
    public enum Versions { AS_BUNDLED, LATEST, ALL }

    public RestoreOptions {
        if (writers < 1) {
            throw MigratorException.badInput("restore writers must be at least 1, got " + writers);
        }
        versions = versions == null ? Versions.AS_BUNDLED : versions;
    }

    /** As bundled, without bucket settings. */
    public RestoreOptions(int writers, boolean overwrite, Retry retry, Path stateDir) {
        this(writers, overwrite, retry, stateDir, Versions.AS_BUNDLED, false);
    }

    /** Staging in a temporary directory. */
    public RestoreOptions(int writers, boolean overwrite, Retry retry) {
        this(writers, overwrite, retry, null);
    }

    public static RestoreOptions defaults() {
        return new RestoreOptions(8, false, Retry.DEFAULT);
    }
}
