package dev.migrator.provider;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one retry policy: exponential backoff with jitter, for {@link MigratorException}s an
 * adapter classified as retryable. Everything else propagates at once.
 *
 * @param attempts   total attempts, at least 1
 * @param firstDelay delay before the second attempt (before jitter)
 * @param maxDelay   cap on any single delay
 */
public record Retry(int attempts, Duration firstDelay, Duration maxDelay) {
    public static final Retry DEFAULT = new Retry(8, Duration.ofMillis(100), Duration.ofSeconds(10));
    public static final Retry NONE = new Retry(1, Duration.ZERO, Duration.ZERO);

    /** Told about each failed attempt that will be retried, e.g. for logging or throttling signals. */
    public interface Listener {
        void retrying(String what, int attempt, MigratorException cause);
    }

    public <T> T call(String what, Callable<T> operation) {
        return call(what, operation, (w, a, c) -> { });
    }

    public <T> T call(String what, Callable<T> operation, Listener listener) {
        for (int attempt = 1; ; attempt++) {
            try {
                return operation.call();
            } catch (MigratorException e) {
                if (!e.retryable()) {
                    throw e;
                }
                if (attempt >= attempts) {
                    throw exhausted(e, attempt);
                }
                listener.retrying(what, attempt, e);
                backoff(attempt);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new MigratorException(ErrorCode.FAILED, what + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The failure to report once {@code attempts} attempts failed with {@code last}: its message says how
     * often it was retried, and it is no longer retryable, so a caller retrying around this call (a whole
     * object around its parts) does not multiply the attempts. A single attempt is reported as it is.
     */
    public static MigratorException exhausted(MigratorException last, int attempts) {
        if (attempts <= 1) {
            return last;
        }
        return new MigratorException(last.code(), last.getMessage() + " (retried " + (attempts - 1)
                + (attempts == 2 ? " time)" : " times)"), last, false);
    }

    /** The delay after failed attempt {@code attempt} (1-based): a random point in the upper half of a doubling, capped delay. */
    Duration delay(int attempt) {
        long cap = Math.min(maxDelay.toMillis(), firstDelay.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
    }

    /**
     * Waits as long as this policy waits after failed attempt {@code attempt}, for callers that resume
     * an operation themselves (a listing after its last key, a read at its next byte).
     */
    public void backoff(int attempt) {
        try {
            Thread.sleep(delay(attempt).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted while waiting to retry", e);
        }
    }
}
