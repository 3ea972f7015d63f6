package dev.migrator.transfer;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Overlap;
import dev.migrator.provider.Retry;
import dev.migrator.provider.RetryingObjectStore;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Compares two stores object by object: keys, sizes, checksums (reading both sides where the stores
 * share no checksum type) and metadata. Both listings come in key order, so they are merged in one
 * pass ({@link ListingMerge}) with memory independent of the number of objects.
 */
public final class Verifier {
    public static final int MAX_REPORTED = 1000;

    private final ObjectStore source;
    private final ObjectStore target;
    private final int checkers;
    private final Progress progress;
    private final Differences differences = new Differences();
    private final Selection selection;
    private final java.util.Map<String, java.util.concurrent.atomic.LongAdder> evidence = new java.util.concurrent.ConcurrentHashMap<>();

    public Verifier(ObjectStore source, ObjectStore target, int checkers, Retry retry, Progress progress) {
        this(source, target, checkers, retry, progress, Selection.ALL);
    }

    /** Compares only the keys in {@code selection} on both sides; other keys are not looked at. */
    public Verifier(ObjectStore source, ObjectStore target, int checkers, Retry retry, Progress progress, Selection selection) {
        this.selection = selection;
        Retry.Listener onRetry = (what, attempt, cause) -> progress.retrying(what, cause.getMessage());
        this.source = RetryingObjectStore.around(source, retry, onRetry);
        this.target = RetryingObjectStore.around(target, retry, onRetry);
        this.checkers = checkers;
        this.progress = progress;
    }

    public VerifyReport run() {
        // A store compared with itself, or with a folder inside it, proves nothing.
        Overlap.refuse("source", source, "target", target);
        long start = System.nanoTime();
        long sourceCount = 0;
        long targetCount = 0;
        long bytes = 0;
        long compared = 0;
        ExecutorService pool = Workers.daemonPool(checkers, "verify");
        Semaphore inFlight = new Semaphore(checkers * 2);
        try (ListingMerge merge = ListingMerge.of(source, target, selection)) {
            while (merge.hasNext()) {
                ListingMerge.Pair pair = merge.next();
                ObjectInfo x = pair.source();
                ObjectInfo y = pair.target();
                if (y == null) {
                    progress.listed(x);
                    record(new Difference(x.key(), Difference.Kind.MISSING, "not in " + target.displayUri()));
                    progress.finished(x, Progress.Outcome.FAILED);
                    sourceCount++;
                    bytes += x.size();
                } else if (x == null) {
                    record(new Difference(y.key(), Difference.Kind.EXTRA, "only in " + target.displayUri()));
                    targetCount++;
                } else {
                    progress.listed(x);
                    inFlight.acquire();
                    pool.execute(() -> {
                        try {
                            compare(x, y);
                        } finally {
                            inFlight.release();
                        }
                    });
                    sourceCount++;
                    targetCount++;
                    compared++;
                    bytes += x.size();
                }
            }
            progress.listingDone();
            pool.shutdown();
            while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
                // comparisons in flight
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(dev.migrator.provider.ErrorCode.INTERRUPTED, "verify interrupted", e);
        } finally {
            pool.shutdownNow();
        }
        return new VerifyReport(compared, sourceCount, targetCount, bytes, differences.count(), differences.sorted(),
                (System.nanoTime() - start) / 1e9, tally(evidence));
    }

    private void compare(ObjectInfo listedSource, ObjectInfo listedTarget) {
        String key = listedSource.key();
        boolean same = true;
        try {
            ObjectInfo s = withMetadata(source, listedSource);
            ObjectInfo t = withMetadata(target, listedTarget);
            if (s == null || t == null) {
                record(new Difference(key, Difference.Kind.ERROR, "vanished while verifying"));
                same = false;
            } else {
                Fidelity.ContentCheck check = Fidelity.checkContent(source, s, target, t);
                evidence.computeIfAbsent(check.how(), k -> new java.util.concurrent.atomic.LongAdder()).increment();
                String content = check.difference();
                if (content != null) {
                    record(new Difference(key, Difference.Kind.CONTENT, content));
                    same = false;
                }
                List<String> meta = Fidelity.metadataDifferences(source, s.metadata(), target, t.metadata());
                if (!meta.isEmpty()) {
                    record(new Difference(key, Difference.Kind.METADATA, String.join(", ", meta)));
                    same = false;
                }
            }
        } catch (MigratorException e) {
            record(new Difference(key, Difference.Kind.ERROR, e.getMessage()));
            same = false;
        }
        progress.transferred(listedSource.size());
        progress.finished(listedSource, same ? Progress.Outcome.COPIED : Progress.Outcome.FAILED);
    }

    /** The evidence counts, most frequent first. */
    static java.util.Map<String, Long> tally(java.util.Map<String, java.util.concurrent.atomic.LongAdder> evidence) {
        java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
        evidence.entrySet().stream().sorted(java.util.Map.Entry.<String, java.util.concurrent.atomic.LongAdder>comparingByValue(
                Comparator.comparingLong(java.util.concurrent.atomic.LongAdder::sum)).reversed().thenComparing(java.util.Map.Entry.comparingByKey()))
                .forEach(e -> out.put(e.getKey(), e.getValue().sum()));
        return out;
    }

    private static ObjectInfo withMetadata(ObjectStore store, ObjectInfo listed) {
        if (listed.metadata() != null) {
            return listed;
        }
        Optional<ObjectInfo> stat = store.stat(listed.key());
        return stat.orElse(null);
    }

    private void record(Difference d) {
        differences.record(d);
    }
}
