package dev.migrator.transfer;

import dev.migrator.provider.Keys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The differences a verify finds, from many checker threads: all are counted, the first
 * {@link Verifier#MAX_REPORTED} are kept for the report (memory stays bounded however much differs).
 */
final class Differences {
    private final List<Difference> kept = new ArrayList<>();
    private final AtomicLong count = new AtomicLong();

    void record(Difference d) {
        count.incrementAndGet();
        synchronized (kept) {
            if (kept.size() < Verifier.MAX_REPORTED) {
                kept.add(d);
            }
        }
    }

    long count() {
        return count.get();
    }

    /** The kept differences in key order, for the report. */
    List<Difference> sorted() {
        List<Difference> sorted;
        synchronized (kept) {
            sorted = new ArrayList<>(kept);
        }
        sorted.sort(Comparator.comparing(Difference::key, Keys.ORDER));
        return sorted;
    }
}
