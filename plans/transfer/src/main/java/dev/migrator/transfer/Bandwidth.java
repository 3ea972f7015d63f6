package dev.migrator.transfer;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Sizes;

/**
 * A bandwidth limit shared by every stream that {@link #take}s from it: a token bucket refilled at
 * {@link #bytesPerSecond()} that holds at most a tenth of a second of bytes, so a burst after an idle moment
 * stays short and the rate over any second or more is within a few percent of the limit. Thread-safe; waiting
 * happens outside the lock, so streams share the rate instead of taking turns.
 */
public final class Bandwidth {
    private static final long BURST_NANOS = 100_000_000L;

    private final long bytesPerSecond;
    /** When the bytes granted so far have been paid for (nanoTime): a grant moves it forward by its cost. */
    private long paidUntil = System.nanoTime();

    public Bandwidth(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw MigratorException.badInput("a bandwidth limit must be at least 1 byte per second, got " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    /**
     * Parses a limit as given to {@code --bwlimit} or a plan's {@code bandwidth:}: a size per second,
     * {@code 10M} or {@code 10MiB/s} (the {@code /s} may be left out); {@code what} names the option in the error.
     */
    public static Bandwidth parse(String text, String what) {
        Long rate = text == null ? null : text.trim().endsWith("/s") ? Sizes.rate(text) : Sizes.parse(text);
        if (rate == null || rate < 1) {
            throw new MigratorException(ErrorCode.BAD_INPUT, what + " '" + text + "' is not a rate; write a size per second, "
                    + Sizes.FORMS.replace("e.g. ", "e.g. 10M/s or ").replace("16M, ", ""));
        }
        return new Bandwidth(rate);
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** The most a stream should move per {@link #take}: about 1/20 s of the rate, at least 1 byte, at most 256 KiB. */
    int chunk() {
        return (int) Math.max(1, Math.min(256 * 1024, bytesPerSecond / 20));
    }

    /** Waits until {@code bytes} may pass. */
    public void take(long bytes) throws InterruptedException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            paidUntil = Math.max(paidUntil, now - BURST_NANOS);
            paidUntil += (long) (bytes * 1e9 / bytesPerSecond);
            wait = paidUntil - now; // in debt: wait until it is paid; up to BURST_NANOS of saved-up time is free
        }
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    @Override
    public String toString() {
        return Sizes.format(bytesPerSecond) + "/s";
    }
}
