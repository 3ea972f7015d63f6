package dev.migrator.provider;

/**
 * What went wrong, at the granularity a caller acts on. Each code maps to the process exit code
 * the CLI returns, so the mapping lives here and nowhere else.
 */
public enum ErrorCode {
    /** Something failed that is not the user's input: I/O, the remote store, a bug. */
    FAILED(1),
    /** Bad usage or bad input: unknown scheme, malformed URI, missing bucket, not a directory. */
    BAD_INPUT(2),
    /** The credentials were rejected or are missing. Also the user's to fix, so exit 2. */
    AUTH(2),
    /** The object, bucket or path does not exist. */
    NOT_FOUND(2),
    /** The target holds different data and we were not told to overwrite it. */
    CONFLICT(1),
    /** A checksum or size check failed: the bytes stored are not the bytes read. */
    INTEGRITY(1),
    /** A comparison found differences. */
    DIFFERENCES(3),
    /** Some of the work succeeded, some failed. */
    PARTIAL(4),
    /** The run was interrupted (Ctrl-C); it can be resumed. */
    INTERRUPTED(130);

    private final int exitCode;

    ErrorCode(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
