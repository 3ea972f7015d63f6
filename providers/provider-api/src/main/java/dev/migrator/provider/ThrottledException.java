package dev.migrator.provider;

/**
 * A retryable failure that says "too much at once": 429, 503 SlowDown and their kin, or an endpoint that
 * answered before and now refuses connections. Adapters throw it so that the copy's adaptive concurrency
 * (the transfer module's {@code AdaptiveLimit}) can back off; to everything else it is a retryable
 * {@link MigratorException} like any other.
 */
public final class ThrottledException extends MigratorException {
    public ThrottledException(String message, Throwable cause) {
        super(ErrorCode.FAILED, message, cause, true);
    }
}
