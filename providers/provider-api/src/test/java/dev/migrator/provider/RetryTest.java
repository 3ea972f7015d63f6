package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {
    private final Retry retry = new Retry(4, Duration.ofMillis(1), Duration.ofMillis(5));

    @Test
    void retriesRetryableFailuresUntilSuccess() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger told = new AtomicInteger();
        String result = retry.call("get a", () -> {
            if (calls.incrementAndGet() < 3) {
                throw MigratorException.retryable("503 SlowDown", null);
            }
            return "ok";
        }, (what, attempt, cause) -> told.incrementAndGet());
        assertThat(result).isEqualTo("ok");
        assertThat(calls).hasValue(3);
        assertThat(told).hasValue(2);
    }

    @Test
    void givesUpAfterTheLastAttempt() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retry.call("get a", () -> {
            calls.incrementAndGet();
            throw MigratorException.retryable("connection reset", null);
        })).isInstanceOfSatisfying(MigratorException.class, e -> {
            assertThat(e).hasMessage("connection reset (retried 3 times)");
            // exhausted: an enclosing retry must not start over and multiply the attempts
            assertThat(e.retryable()).isFalse();
            assertThat(e.code()).isEqualTo(ErrorCode.FAILED);
        });
        assertThat(calls).hasValue(4);
    }

    @Test
    void nestedRetriesDoNotMultiplyAttempts() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retry.call("copy a", () -> retry.call("put a", () -> {
            calls.incrementAndGet();
            throw MigratorException.retryable("connection closed by the endpoint", null);
        }))).hasMessage("connection closed by the endpoint (retried 3 times)");
        assertThat(calls).hasValue(4);
    }

    @Test
    void doesNotRetryPermanentFailures() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retry.call("get a", () -> {
            calls.incrementAndGet();
            throw MigratorException.badInput("no such bucket");
        })).isInstanceOf(MigratorException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void delaysGrowAndStayCapped() {
        assertThat(retry.delay(1)).isBetween(Duration.ZERO, Duration.ofMillis(1));
        for (int attempt = 1; attempt < 40; attempt++) {
            assertThat(retry.delay(attempt)).isLessThanOrEqualTo(Duration.ofMillis(5));
        }
    }
}
