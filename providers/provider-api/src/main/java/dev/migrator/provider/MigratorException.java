package dev.migrator.provider;

/**
 * The one exception type migrator code throws across module boundaries. Its message is written for
 * the person running the tool: it names the object, table or file and says what to do. It never
 * contains credentials.
 *
 * <p>{@link #retryable()} is the adapter's classification: throttling (429, 503 SlowDown), connection
 * resets, truncated bodies and 5xx are retryable; anything the same request would fail again with is
 * not. Retrying itself happens in one place, {@link Retry}.
 */
public class MigratorException extends RuntimeException {
    private final ErrorCode code;
    private final boolean retryable;

    public MigratorException(ErrorCode code, String message) {
        this(code, message, null, false);
    }

    public MigratorException(ErrorCode code, String message, Throwable cause) {
        this(code, message, cause, false);
    }

    public MigratorException(ErrorCode code, String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.code = code;
        this.retryable = retryable;
    }

    public static MigratorException retryable(String message, Throwable cause) {
        return new MigratorException(ErrorCode.FAILED, message, cause, true);
    }

    public static MigratorException badInput(String message) {
        return new MigratorException(ErrorCode.BAD_INPUT, message);
    }

    public static MigratorException notFound(String message) {
        return new MigratorException(ErrorCode.NOT_FOUND, message);
    }

    public ErrorCode code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }
}
