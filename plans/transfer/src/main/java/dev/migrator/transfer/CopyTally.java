package dev.migrator.transfer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The counts a copy keeps while its workers run, and the {@link CopySummary} they add up to. Thread-safe: every
 * worker counts into the same tally. At most {@link Copier#MAX_REPORTED_FAILURES} failures are kept with their
 * message; all are counted.
 */
final class CopyTally {
    private final AtomicLong copied = new AtomicLong();
    private final AtomicLong copiedBytes = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong skippedBytes = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong vanished = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final List<CopySummary.Failure> failures = Collections.synchronizedList(new ArrayList<>());

    void copied(long bytes) {
        copied.incrementAndGet();
        copiedBytes.addAndGet(bytes);
    }

    void skipped(long bytes) {
        skipped.incrementAndGet();
        skippedBytes.addAndGet(bytes);
    }

    void failed(String key, String code, String message) {
        failed.incrementAndGet();
        if (failures.size() < Copier.MAX_REPORTED_FAILURES) {
            failures.add(new CopySummary.Failure(key, code, message));
        }
    }

    /** An object listed at the source that was gone when it was read. */
    void vanished() {
        vanished.incrementAndGet();
    }

    void retried() {
        retries.incrementAndGet();
    }

    long failed() {
        return failed.get();
    }

    CopySummary summary(double seconds, boolean interrupted, boolean dryRun) {
        return new CopySummary(copied.get(), copiedBytes.get(), skipped.get(), skippedBytes.get(), failed.get(),
                vanished.get(), retries.get(), seconds, List.copyOf(failures), interrupted, dryRun);
    }
}
