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
import java.util.stream.Stream;

/**
 * Recreates a versioned source's history in a versioned target ({@code copy --versions all}): for each key, every
 * version is put in the order it was written and every delete marker becomes a delete, so the target's version
 * list ends up as the source's. Each version's bytes are verified as {@link Copier} verifies an object's.
 *
 * <p><b>Resume without duplicates.</b> The target's own version list is the record of what is done: a key's
 * target history must be the start of its source history ({@link History}: same content, same delete markers, in
 * order), and only the rest is copied. A crash anywhere, a retried key, or a second run therefore adds each
 * version once. A target history that is not such a start (other content written there) is a conflict: nothing
 * of that key is written. Keys only in the target are left alone.
 *
 * <p>Refused before anything is written: a target that does not keep versions (a put would replace, and the
 * history would be lost), a source that has none, and stores that overlap. Memory holds one key's history per
 * key in flight.
 */
public final class VersionCopier {
    private final ObjectStore source;
    private final ObjectStore target;
    private final CopyOptions options;
    private final Progress progress;
    private final CopyTally tally = new CopyTally();
    private final Retry.Listener onRetry;

    public VersionCopier(ObjectStore source, ObjectStore target, CopyOptions options, Progress progress) {
        this.onRetry = (what, attempt, cause) -> {
            tally.retried();
            progress.retrying(what, cause.getMessage());
        };
        this.source = RetryingObjectStore.around(source, options.retry(), onRetry);
        this.target = RetryingObjectStore.around(target, options.retry(), onRetry);
        this.options = options;
        this.progress = progress;
    }

    /** The refusals of {@code --versions all}, before anything is read or written; also used by verify. */
    static void requireVersions(ObjectStore source, ObjectStore target, boolean targetMustKeep) {
        if (!source.capabilities().versions()) {
            throw MigratorException.badInput(source.displayUri() + " does not keep object versions, so there is no history"
                    + " to copy; use --versions latest (the default)");
        }
        if (!target.capabilities().versions() || (targetMustKeep && !target.keepsVersions())) {
            throw MigratorException.badInput("target " + target.displayUri() + " does not keep object versions, so"
                    + " --versions all cannot recreate the history there (each put would replace the last); enable"
                    + " versioning on it first (S3: aws s3api put-bucket-versioning --bucket NAME"
                    + " --versioning-configuration Status=Enabled; GCS: gcloud storage buckets update gs://NAME --versioning)"
                    + " and run again");
        }
    }

    // --- pver begin
    private volatile boolean cancelled;

    /** Stops handing out keys (a plan step's cancel); keys in flight finish, and the summary says interrupted. */
    public void cancel() {
        cancelled = true;
    }
    // --- pver end

    public CopySummary run() {
        Overlap.refuse("source", source, "target", target);
        requireVersions(source, target, true);
        long start = System.nanoTime();
        int n = options.transfers() == CopyOptions.AUTO ? CopyOptions.AUTO_START : options.transfers();
        ExecutorService workers = Workers.daemonPool(n, "copy-versions");
        Semaphore inFlight = new Semaphore(n * 2);
        boolean interrupted = false;
        // --- pver: only the selection's prefixes are listed
        try (Stream<ObjectVersion> s = versions(source, options.selection());
             Stream<ObjectVersion> t = versions(target, options.selection())) {
            Iterator<History.Pair> pairs = History.merge(History.perKey(s, options.selection()), History.perKey(t, options.selection()));
            while (pairs.hasNext() && !cancelled) { // --- pver: && !cancelled
                History.Pair pair = pairs.next();
                if (pair.source() == null || pair.source().entries().isEmpty()) {
                    continue; // only at the target: left as it is
                }
                inFlight.acquire();
                workers.execute(() -> {
                    try {
                        copyKey(pair);
                    } finally {
                        inFlight.release();
                    }
                });
            }
            progress.listingDone();
            workers.shutdown();
            while (!workers.awaitTermination(1, TimeUnit.SECONDS)) {
                // keys in flight
            }
        } catch (InterruptedException e) {
            interrupted = true;
            Thread.currentThread().interrupt();
        } finally {
            workers.shutdownNow();
        }
        return tally.summary((System.nanoTime() - start) / 1e9, interrupted || cancelled, options.dryRun()); // --- pver: || cancelled
    }

    /** Copies the part of one key's history the target lacks; each new attempt reads the target's history again. */
    private void copyKey(History.Pair pair) {
        History from = pair.source();
        String key = from.key();
        boolean[] first = {true};
        try {
            options.retry().call("copy versions of " + key, () -> {
                boolean firstAttempt = first[0];
                first[0] = false;
                History have = !firstAttempt ? History.of(target, key)
                        : pair.target() != null ? pair.target() : new History(key, List.of());
                int done = matched(from, have);
                for (int i = 0; i < from.entries().size(); i++) {
                    ObjectVersion v = from.entries().get(i);
                    if (i >= done) {
                        copyVersion(v);
                    } else if (firstAttempt) {
                        tally.skipped(v.info().size());
                        progress.finished(v.info(), Progress.Outcome.SKIPPED);
                    }
                }
                return null;
            }, onRetry);
        } catch (MigratorException e) {
            tally.failed(key, e.code().name(), e.getMessage());
        } catch (RuntimeException e) {
            tally.failed(key, ErrorCode.FAILED.name(), "'" + key + "': " + e);
        }
    }

    /**
     * How many of {@code from}'s entries the target already holds: its history must be their start, entry by
     * entry, else CONFLICT (never overwritten or reordered).
     */
    private int matched(History from, History have) {
        List<ObjectVersion> want = from.entries();
        List<ObjectVersion> got = have.entries();
        for (int i = 0; i < got.size(); i++) {
            String why = i >= want.size() ? "it has " + got.size() + " versions, the source " + want.size()
                    : VersionVerifier.difference(source, want.get(i), target, got.get(i));
            if (why != null) {
                throw new MigratorException(ErrorCode.CONFLICT, "target " + target.displayUri() + " has another history of '"
                        + from.key() + "' (version " + (i + 1) + ", id " + got.get(i).versionId() + ": " + why
                        + "); --versions all only adds to a history that is the start of the source's, nothing written");
            }
        }
        return got.size();
    }

    private void copyVersion(ObjectVersion v) {
        String key = v.key();
        progress.listed(v.info());
        if (options.dryRun()) {
            tally.copied(v.info().size());
            return;
        }
        if (v.deleteMarker()) {
            target.delete(key);
            tally.copied(0);
            return;
        }
        VersionView view = new VersionView(source, v);
        ObjectInfo from = view.stat(key).orElseThrow(() -> MigratorException.notFound("version " + v.versionId() + " of '"
                + key + "' vanished from " + source.displayUri() + " while copying"));
        VerifiedContent content = new VerifiedContent(view, key, from.size(), progress, null);
        try {
            ObjectInfo stored = target.put(key, content, from.metadata());
            String md5 = content.md5() != null ? content.md5() : from.size() == 0 ? Fidelity.EMPTY_MD5 : null;
            if (md5 == null) {
                throw new MigratorException(ErrorCode.INTEGRITY, "'" + key + "' version " + v.versionId() + ": read "
                        + content.bytesRead() + " bytes, the source listed " + from.size(), null, true);
            }
            Copier.check(from, stored, md5);
        } finally {
            content.discard();
        }
        tally.copied(from.size());
        progress.finished(from, Progress.Outcome.COPIED);
    }

    // --- pver begin
    /**
     * The versions of the keys {@code selection} can contain, in key order: only its prefixes are listed
     * ({@link ListingMerge#prefixes}), so each shard of a plan lists its own key range, not the whole bucket.
     * Concatenated, not flat-mapped: a flat-mapped stream's iterator buffers each inner listing whole (JDK 17).
     */
    static Stream<ObjectVersion> versions(ObjectStore store, Selection selection) {
        Stream<ObjectVersion> all = null;
        for (String prefix : ListingMerge.prefixes(selection)) {
            Stream<ObjectVersion> listed = store.listVersions(prefix);
            all = all == null ? listed : Stream.concat(all, listed);
        }
        return all == null ? Stream.empty() : all;
    }
    // --- pver end
}
