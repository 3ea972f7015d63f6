package dev.migrator.transfer;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many objects may be in flight against one endpoint, found by additive increase / multiplicative
 * decrease, as TCP finds a link's capacity: the limit grows while the endpoint answers and shrinks when it
 * says it is overloaded (429, 503 SlowDown, refused connections: a
 * {@link dev.migrator.provider.ThrottledException}).
 *
 * <ul>
 *   <li>Until the first throttle ("slow start") each success adds 1, doubling the limit per round of
 *       requests; afterwards each success adds {@code 1/limit}, about 1 per round.</li>
 *   <li>A throttle multiplies the limit by {@value #DECREASE}, at most once per round: only a request that
 *       started after the last decrease can cause the next one (a burst of 503s answering the same round
 *       counts once).</li>
 *   <li>Growth stops at twice the most requests ever in flight at once: a limit the copy does not use says
 *       nothing about the endpoint (TCP's congestion-window validation). Without this a copy held back by its
 *       own CPU or its listing grew the limit to {@code max} (256) behind an endpoint that throttles at 16 and,
 *       once it could send faster, would have sent a burst of 256 requests into it.</li>
 *   <li>The limit stays within {@code [1, max]}.</li>
 * </ul>
 *
 * Thread-safe. Every {@link #acquire()} must be followed by exactly one {@link #release}.
 */
final class AdaptiveLimit {
    static final double DECREASE = 0.7;

    private final String name;
    private final int max;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private double limit;
    private int inFlight;
    private boolean slowStart = true;
    /** Bumped by each decrease; a permit remembers the generation it was granted in. */
    private long generation;
    private long throttles;
    private long decreases;
    private int highest;
    /** The most permits held at once so far: the limit grows to at most twice this. */
    private int peakInFlight;

    /** A granted slot; pass it back to {@link #throttled} and {@link #release}. */
    static final class Permit {
        final long generation;

        private Permit(long generation) {
            this.generation = generation;
        }
    }

    AdaptiveLimit(String name, int initial, int max) {
        if (initial < 1 || max < initial) {
            throw new IllegalArgumentException("need 1 <= initial <= max, got " + initial + ", " + max);
        }
        this.name = name;
        this.max = max;
        this.limit = initial;
        this.highest = initial;
    }

    /** Waits for a slot below the current limit. */
    Permit acquire() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (inFlight >= (int) limit) {
                freed.await();
            }
            inFlight++;
            peakInFlight = Math.max(peakInFlight, inFlight);
            return new Permit(generation);
        } finally {
            lock.unlock();
        }
    }

    /** The endpoint said "slow down" to the request holding {@code permit}. */
    void throttled(Permit permit) {
        lock.lock();
        try {
            throttles++;
            if (permit.generation != generation) {
                return; // this round was already answered with a decrease
            }
            generation++;
            decreases++;
            slowStart = false;
            limit = Math.max(1, limit * DECREASE);
        } finally {
            lock.unlock();
        }
    }

    /** Gives the slot back; {@code succeeded}: the request went through (the limit may grow). */
    void release(Permit permit, boolean succeeded) {
        lock.lock();
        try {
            inFlight--;
            if (succeeded && permit.generation == generation) {
                double cap = Math.min(max, Math.max(limit, 2.0 * peakInFlight));
                limit = Math.min(cap, limit + (slowStart ? 1 : 1 / limit));
                highest = Math.max(highest, (int) limit);
            }
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The highest limit reached. */
    int highest() {
        lock.lock();
        try {
            return highest;
        } finally {
            lock.unlock();
        }
    }

    /** How many decreases throttled requests caused. */
    long decreases() {
        lock.lock();
        try {
            return decreases;
        } finally {
            lock.unlock();
        }
    }

    /** The current limit, rounded down. */
    int limit() {
        lock.lock();
        try {
            return (int) limit;
        } finally {
            lock.unlock();
        }
    }

    /** What the limit did, for the summary: e.g. {@code "target: 12 (highest 24, 40 throttled, 3 decreases)"}. */
    @Override
    public String toString() {
        lock.lock();
        try {
            return name + ": " + (int) limit + " (highest " + highest + ", " + throttles + " throttled, " + decreases
                    + (decreases == 1 ? " decrease)" : " decreases)");
        } finally {
            lock.unlock();
        }
    }
}
