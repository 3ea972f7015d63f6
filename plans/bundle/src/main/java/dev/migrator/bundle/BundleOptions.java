package dev.migrator.bundle;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Retry;
import java.nio.file.Path;

/**
 * How a bundle is written.
 *
 * @param partSize   a part is closed once it holds about this many stored (compressed) bytes; entries
 *                   are never split, so a part exceeds it by at most its last entry
 * @param uploads    parts uploaded at once (each waiting part is a local spool file of up to partSize)
 * @param readers    source objects read ahead in parallel (small ones are buffered, up to 1 MiB each)
 * @param level      zstd level
 * @param workers    zstd compression threads
 * @param stateDir   where the resume journal and spool files live; the same directory lets the same
 *                   command resume after a crash. {@code null}: a temporary directory, no resume
 * @param retry      retry policy for every store operation; a failed part upload is retried alone
 * @param encryption encrypts every data part, or {@code null} for none
 */
public record BundleOptions(long partSize, int uploads, int readers, int level, int workers, Path stateDir, Retry retry,
                            Encryption encryption) {
    public static final long DEFAULT_PART_SIZE = 1L << 30;

    public BundleOptions {
        if (partSize < 1024 * 1024) {
            throw MigratorException.badInput("--part-size must be at least 1M, got " + partSize);
        }
        if (uploads < 1 || readers < 1 || workers < 0) {
            throw MigratorException.badInput("uploads and readers must be at least 1, zstd workers at least 0");
        }
        if (level < 1 || level > 19) {
            throw MigratorException.badInput("zstd level must be 1..19, got " + level);
        }
    }

    /** Without encryption. */
    public BundleOptions(long partSize, int uploads, int readers, int level, int workers, Path stateDir, Retry retry) {
        this(partSize, uploads, readers, level, workers, stateDir, retry, null);
    }

    public static BundleOptions defaults(Path stateDir) {
        return new BundleOptions(DEFAULT_PART_SIZE, 4, 16, 3, Math.max(1, Runtime.getRuntime().availableProcessors()),
                stateDir, Retry.DEFAULT);
    }

    public BundleOptions withPartSize(long size) {
        return new BundleOptions(size, uploads, readers, level, workers, stateDir, retry, encryption);
    }
}
