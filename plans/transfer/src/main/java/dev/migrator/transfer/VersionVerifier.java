package dev.migrator.transfer;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import dev.migrator.provider.Overlap;
import dev.migrator.provider.Retry;
import dev.migrator.provider.RetryingObjectStore;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Compares two stores' version histories key by key ({@code verify --versions all}): the number and order of
 * versions, each version's content (by {@link Fidelity#contentDifference}, from stored checksums where both
 * stores hold one) and the delete markers, on the effective histories ({@link History}). A version one side
 * lacks is reported as MISSING or EXTRA naming the key, its position and its version id; a version whose
 * bytes differ as CONTENT. Histories are aligned greedily, so one missing version in the middle is reported as
 * that version, not as every later one. Memory holds one key's histories per key being compared.
 */
public final class VersionVerifier {
    private final ObjectStore source;
    private final ObjectStore target;
    private final int checkers;
    private final Progress progress;
    private final Selection selection;
    private final Differences differences = new Differences();
    private final AtomicLong sourceCount = new AtomicLong();
    private final AtomicLong targetCount = new AtomicLong();
    private final AtomicLong compared = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    public VersionVerifier(ObjectStore source, ObjectStore target, int checkers, Retry retry, Progress progress, Selection selection) {
        Retry.Listener onRetry = (what, attempt, cause) -> progress.retrying(what, cause.getMessage());
        this.source = RetryingObjectStore.around(source, retry, onRetry);
        this.target = RetryingObjectStore.around(target, retry, onRetry);
        this.checkers = checkers;
        this.progress = progress;
        this.selection = selection;
    }

    public VerifyReport run() {
        Overlap.refuse("source", source, "target", target);
        VersionCopier.requireVersions(source, target, false);
        long start = System.nanoTime();
        ExecutorService pool = Workers.daemonPool(checkers, "verify-versions");
        Semaphore inFlight = new Semaphore(checkers * 2);
        // --- pver: only the selection's prefixes are listed
        try (Stream<ObjectVersion> s = VersionCopier.versions(source, selection);
             Stream<ObjectVersion> t = VersionCopier.versions(target, selection)) {
            Iterator<History.Pair> pairs = History.merge(History.perKey(s, selection), History.perKey(t, selection));
            while (pairs.hasNext()) {
                History.Pair pair = pairs.next();
                inFlight.acquire();
                pool.execute(() -> {
                    try {
                        compare(pair);
                    } catch (MigratorException e) {
                        record(new Difference(pair.key(), Difference.Kind.ERROR, e.getMessage()));
                    } finally {
                        inFlight.release();
                    }
                });
            }
            progress.listingDone();
            pool.shutdown();
            while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
                // comparisons in flight
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, "verify interrupted", e);
        } finally {
            pool.shutdownNow();
        }
        return new VerifyReport(compared.get(), sourceCount.get(), targetCount.get(), bytes.get(), differences.count(),
                differences.sorted(), (System.nanoTime() - start) / 1e9);
    }

    private void compare(History.Pair pair) {
        List<ObjectVersion> a = pair.source() == null ? List.of() : pair.source().entries();
        List<ObjectVersion> b = pair.target() == null ? List.of() : pair.target().entries();
        sourceCount.addAndGet(a.size());
        targetCount.addAndGet(b.size());
        a.forEach(v -> bytes.addAndGet(v.info().size()));
        String key = pair.key();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (j >= b.size()) {
                missing(key, a, i++);
            } else if (i >= a.size()) {
                extra(key, b, j++);
            } else {
                String why = difference(source, a.get(i), target, b.get(j));
                if (why == null) {
                    compared.incrementAndGet();
                    i++;
                    j++;
                } else if (j + 1 < b.size() && difference(source, a.get(i), target, b.get(j + 1)) == null) {
                    extra(key, b, j++);
                } else if (i + 1 < a.size() && difference(source, a.get(i + 1), target, b.get(j)) == null) {
                    missing(key, a, i++);
                } else {
                    compared.incrementAndGet();
                    record(new Difference(key, Difference.Kind.CONTENT, "version " + (i + 1) + " of " + a.size()
                            + " (source id " + a.get(i).versionId() + ", target id " + b.get(j).versionId() + "): " + why));
                    i++;
                    j++;
                }
            }
        }
    }

    private void missing(String key, List<ObjectVersion> a, int i) {
        ObjectVersion v = a.get(i);
        record(new Difference(key, Difference.Kind.MISSING, describe(v, i, a.size()) + " (source version id " + v.versionId()
                + ") not in " + target.displayUri()));
    }

    private void extra(String key, List<ObjectVersion> b, int j) {
        ObjectVersion v = b.get(j);
        record(new Difference(key, Difference.Kind.EXTRA, describe(v, j, b.size()) + " (target version id " + v.versionId()
                + ") only in " + target.displayUri()));
    }

    private static String describe(ObjectVersion v, int index, int of) {
        return (v.deleteMarker() ? "delete marker " : "version ") + (index + 1) + " of " + of + ", written "
                + v.info().lastModified() + (v.deleteMarker() ? "" : ", " + v.info().size() + " bytes");
    }

    /**
     * Why version {@code a} of {@code aStore} and {@code b} of {@code bStore} differ (one is a delete marker, or
     * their bytes differ), or null when they are the same entry of a history.
     */
    static String difference(ObjectStore aStore, ObjectVersion a, ObjectStore bStore, ObjectVersion b) {
        if (a.deleteMarker() || b.deleteMarker()) {
            return a.deleteMarker() == b.deleteMarker() ? null
                    : a.deleteMarker() ? "a delete marker in the source, content in the target" : "content in the source, a delete marker in the target";
        }
        ObjectInfo ai = a.info();
        ObjectInfo bi = b.info();
        if (ai.size() == bi.size() && !ai.checksums().comparableWith(bi.checksums())) {
            // A listing may carry no checksum (S3's cannot tell an SSE-KMS ETag from an MD5): a HEAD says, before any read.
            ai = aStore.statVersion(a.key(), a.versionId()).orElse(ai);
            bi = bStore.statVersion(b.key(), b.versionId()).orElse(bi);
        }
        return Fidelity.contentDifference(new VersionView(aStore, a), ai, new VersionView(bStore, b), bi);
    }

    private void record(Difference d) {
        differences.record(d);
    }
}
