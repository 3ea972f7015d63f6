package dev.migrator.provider;

import java.nio.file.Path;

/**
 * Tuning an adapter receives when it is opened. Adapters use {@link #partSize} and
 * {@link #partConcurrency} for multipart uploads, and {@link #retry} for the parts of one upload;
 * everything else is retried by the caller with the same policy.
 *
 * @param partSize        bytes per part of a multipart upload; objects larger than this use parts
 * @param partConcurrency parts of one object uploaded at once
 * @param retry           the retry policy
 * @param uploadState     a folder where an adapter may keep, between runs, what lets an upload cut by {@code kill -9}
 *                        continue (GCS keeps its resumable session URIs there, files readable by the owner only);
 *                        null: nothing is kept, and such an upload starts again from its first byte
 */
public record StoreOptions(long partSize, int partConcurrency, Retry retry, Path uploadState) {
    public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;
    public static final StoreOptions DEFAULTS = new StoreOptions(DEFAULT_PART_SIZE, 4, Retry.DEFAULT);

    public StoreOptions {
        if (partSize < 5L * 1024 * 1024) {
            throw MigratorException.badInput("part size must be at least 5 MiB (S3's minimum), got " + partSize);
        }
        if (partConcurrency < 1) {
            throw MigratorException.badInput("part concurrency must be at least 1, got " + partConcurrency);
        }
    }

    /** Options that keep no upload state. */
    public StoreOptions(long partSize, int partConcurrency, Retry retry) {
        this(partSize, partConcurrency, retry, null);
    }

    /** These options, keeping upload state in {@code folder}. */
    public StoreOptions withUploadState(Path folder) {
        return new StoreOptions(partSize, partConcurrency, retry, folder);
    }
}
