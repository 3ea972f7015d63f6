package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdaptiveLimitTest {

    /** One round: take every slot the limit allows, then release them all; the permits of that round. */
    private static List<AdaptiveLimit.Permit> round(AdaptiveLimit limit) throws InterruptedException {
        List<AdaptiveLimit.Permit> permits = new ArrayList<>();
        for (int i = limit.limit(); i > 0; i--) {
            permits.add(limit.acquire());
        }
        return permits;
    }

    @Test
    void slowStartDoublesPerRoundThenABurstOfThrottlesDecreasesOnce() throws Exception {
        AdaptiveLimit limit = new AdaptiveLimit("target", 4, 100);
        for (AdaptiveLimit.Permit p : round(limit)) {
            limit.release(p, true);
        }
        assertThat(limit.limit()).isEqualTo(8);
        List<AdaptiveLimit.Permit> permits = round(limit);
        // Every request of the round is answered 503: one decrease, not eight.
        for (AdaptiveLimit.Permit p : permits) {
            limit.throttled(p);
        }
        for (AdaptiveLimit.Permit p : permits) {
            limit.release(p, true); // succeeded on a retry; granted before the decrease, so no growth
        }
        assertThat(limit.limit()).isEqualTo((int) (8 * AdaptiveLimit.DECREASE));
        assertThat(limit.decreases()).isEqualTo(1);
        // After the first throttle, growth is about one per round.
        int before = limit.limit();
        for (AdaptiveLimit.Permit p : round(limit)) {
            limit.release(p, true);
        }
        assertThat(limit.limit()).isBetween(before, before + 1);
    }

    @Test
    void aLimitTheCopyDoesNotUseDoesNotGrow() throws Exception {
        AdaptiveLimit limit = new AdaptiveLimit("target", 8, 256);
        for (int i = 0; i < 100; i++) { // one request at a time: the copy is held back by something else
            limit.release(limit.acquire(), true);
        }
        assertThat(limit.limit()).isEqualTo(8);
        for (AdaptiveLimit.Permit p : round(limit)) { // all 8 slots used once: slow start may double
            limit.release(p, true);
        }
        assertThat(limit.limit()).isEqualTo(16);
        for (int i = 0; i < 100; i++) {
            limit.release(limit.acquire(), true);
        }
        assertThat(limit.limit()).as("at most twice the 8 ever in flight").isEqualTo(16);
    }

    @Test
    void staysWithinOneAndMax() throws Exception {
        AdaptiveLimit limit = new AdaptiveLimit("source", 2, 5);
        for (int i = 0; i < 10; i++) {
            for (AdaptiveLimit.Permit p : round(limit)) {
                limit.release(p, true);
            }
        }
        assertThat(limit.limit()).isEqualTo(5);
        assertThat(limit.highest()).isEqualTo(5);
        for (int i = 0; i < 20; i++) {
            AdaptiveLimit.Permit p = limit.acquire();
            limit.throttled(p);
            limit.release(p, false);
        }
        assertThat(limit.limit()).isEqualTo(1);
    }

    @Test
    void aFullLimitMakesTheNextAcquireWaitForARelease() throws Exception {
        AdaptiveLimit limit = new AdaptiveLimit("target", 1, 1);
        AdaptiveLimit.Permit held = limit.acquire();
        Thread waiter = new Thread(() -> {
            try {
                limit.release(limit.acquire(), true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        waiter.join(200);
        assertThat(waiter.isAlive()).as("waits while the only slot is taken").isTrue();
        limit.release(held, true);
        waiter.join(5000);
        assertThat(waiter.isAlive()).isFalse();
    }
}
