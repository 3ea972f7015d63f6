package dev.migrator.transfer;

import dev.migrator.provider.Capabilities.ChecksumKind;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Overlap;
import dev.migrator.provider.Retry;
import dev.migrator.provider.RetryingObjectStore;
import dev.migrator.provider.StateLock;
import dev.migrator.provider.ThrottledException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Copies every object of one store into another, verified end to end: each object's bytes are hashed
 * while read from the source and checked against the source's own checksums (when it has them) and
 * against what the target reports it stored ({@link #check}). A mismatch is an error, and the object is sent
 * again. The source's stored checksums travel with the bytes ({@link dev.migrator.provider.Content#known()}), so
 * a target that can (S3) has its server refuse bytes that differ from them and keeps the source's value.
 *
 * <p>Objects already identical at the target are skipped; a different object at the target is a
 * conflict unless overwriting was asked for. Finished objects go to a {@link Journal}, so the same
 * copy after a crash resumes. Memory is bounded: the listing is streamed and at most twice
 * {@code transfers} objects are in flight.
 *
 * <p>With {@code --transfers auto} ({@link CopyOptions#AUTO}) the concurrency is found per endpoint, in this
 * one place: each object holds a permit of the source's and of the target's {@link AdaptiveLimit}, every
 * request a store's retry layer reports as throttled ({@link ThrottledException}) lowers that store's limit,
 * and finished objects raise it. At most {@value #LARGE_AT_ONCE} objects larger than {@value #LARGE_BYTES}
 * bytes are in flight, which bounds the part buffers.
 *
 * <p>Every caller gets the same two refusals before anything is written: a source and target that overlap
 * ({@link Overlap}, after the stores resolve aliases such as symlinks), and a second run on the same journal's
 * directory while one holds its {@link StateLock} (the same copy started twice would transfer everything twice).
 */
public final class Copier {
    public static final int MAX_REPORTED_FAILURES = 100;
    /** With {@code --transfers auto}, objects above this size count as large (they go in parts by default). */
    static final long LARGE_BYTES = 16L * 1024 * 1024;
    /** Large objects in flight at once with {@code --transfers auto}: 4 x (4 + 1) parts x 16 MiB = 320 MiB of buffers. */
    static final int LARGE_AT_ONCE = 4;

    private final ObjectStore source;
    private final ObjectStore target;
    private final CopyOptions options;
    private final Progress progress;
    private final CopyTally tally = new CopyTally();
    private volatile boolean cancelled;
    private volatile ExecutorService pool;
    /** The thread in {@link #run()}: cancel interrupts it, so a listing or a wait between retries stops at once. */
    private volatile Thread runner;
    /** Counts and reports every retry, of a store operation or of a whole object that did not verify. */
    private final Retry.Listener onRetry;
    /**
     * With {@code --transfers auto}, one limit per endpoint: an object holds a permit of each while in flight,
     * and a throttled request of a store lowers that store's limit (null with a fixed number of transfers).
     */
    private final AdaptiveLimit sourceLimit;
    private final AdaptiveLimit targetLimit;
    /** The permits of the object the current worker thread copies, for the retry listeners. */
    private final ThreadLocal<AdaptiveLimit.Permit> sourcePermit = new ThreadLocal<>();
    private final ThreadLocal<AdaptiveLimit.Permit> targetPermit = new ThreadLocal<>();

    /** The copier retries the stores with its policy (once: a store opened through Stores is not wrapped again). */
    public Copier(ObjectStore source, ObjectStore target, CopyOptions options, Progress progress) {
        this.onRetry = (what, attempt, cause) -> {
            tally.retried();
            progress.retrying(what, cause.getMessage());
        };
        boolean auto = options.transfers() == CopyOptions.AUTO;
        this.sourceLimit = auto ? new AdaptiveLimit("source", CopyOptions.AUTO_START, CopyOptions.AUTO_MAX) : null;
        this.targetLimit = auto ? new AdaptiveLimit("target", CopyOptions.AUTO_START, CopyOptions.AUTO_MAX) : null;
        this.source = RetryingObjectStore.around(source, options.retry(), throttleAware(sourceLimit, sourcePermit));
        this.target = RetryingObjectStore.around(target, options.retry(), throttleAware(targetLimit, targetPermit));
        this.options = options;
        this.progress = progress;
    }

    /** {@link #onRetry}, and a throttled request (429, 503 SlowDown, connection refused) lowers {@code limit}. */
    private Retry.Listener throttleAware(AdaptiveLimit limit, ThreadLocal<AdaptiveLimit.Permit> permit) {
        return (what, attempt, cause) -> {
            onRetry.retrying(what, attempt, cause);
            AdaptiveLimit.Permit p = permit.get();
            if (limit != null && p != null && cause instanceof ThrottledException) {
                limit.throttled(p);
            }
        };
    }

    /**
     * What the adaptive concurrency found, one line per endpoint that throttled (e.g. {@code "target: 12 (highest 24, 40
     * throttled, 3 decreases)"}); empty with a fixed number of transfers.
     */
    public List<String> concurrency() {
        return Stream.of(sourceLimit, targetLimit).filter(l -> l != null && l.decreases() > 0).map(AdaptiveLimit::toString).toList();
    }

    /** The adaptive limit of the target ({@code true}) or the source; null with a fixed number of transfers. */
    AdaptiveLimit limit(boolean ofTarget) {
        return ofTarget ? targetLimit : sourceLimit;
    }

    /** Stops the copy as soon as the objects in flight end; {@link #run()} then reports it interrupted. */
    public void cancel() {
        cancelled = true;
        ExecutorService p = pool;
        if (p != null) {
            p.shutdownNow();
        }
        Thread r = runner;
        if (r != null) {
            r.interrupt();
        }
    }

    public CopySummary run() {
        // Copying into one's own source lists its own output; pruning such a target deletes the source.
        Overlap.refuse("source", source, "target", target);
        if (options.dryRun() || options.journalFile() == null) {
            return run(null);
        }
        Path stateDir = options.journalFile().toAbsolutePath().getParent();
        try (StateLock lock = StateLock.acquire(stateDir, "copy " + source.displayUri() + " " + target.displayUri())) {
            return run(Journal.open(options.journalFile()));
        }
    }

    private CopySummary run(Journal journal) {
        long start = System.nanoTime();
        boolean auto = sourceLimit != null;
        ExecutorService workers = Workers.daemonPool(auto ? CopyOptions.AUTO_MAX : options.transfers(), "copy");
        pool = workers;
        // Fixed: twice as many objects queued as copied, so a worker never waits for the listing. Auto: the
        // limits admit an object only when it can start, so every admitted one has a thread.
        Semaphore inFlight = new Semaphore(auto ? CopyOptions.AUTO_MAX : options.transfers() * 2);
        // Auto: objects in parts hold part buffers (part size x part concurrency each); at most this many at once.
        Semaphore large = new Semaphore(LARGE_AT_ONCE);
        boolean interrupted = false;
        runner = Thread.currentThread();
        try (ListingMerge merge = ListingMerge.intoTarget(source, target, options.selection())) {
            // Once the source is done, the rest of the target's listing has nothing to copy.
            while (!cancelled && !merge.sourceDone()) {
                ListingMerge.Pair pair = merge.next();
                if (pair.source() == null) {
                    continue; // only at the target: a copy leaves it (the Pruner deletes such objects)
                }
                ObjectInfo atTarget = pair.target();
                ObjectInfo object = pair.source();
                progress.listed(object);
                // Asked here, in listing order, so the journal reads its sorted entries once, in step. It is
                // trusted only while the target still has an object of that size.
                if (journal != null && atTarget != null && atTarget.size() == object.size() && journal.isDone(object)) {
                    skip(object);
                    continue;
                }
                boolean isLarge = auto && object.size() > LARGE_BYTES;
                if (isLarge) {
                    large.acquire();
                }
                inFlight.acquire();
                AdaptiveLimit.Permit sp = null;
                AdaptiveLimit.Permit tp = null;
                try {
                    if (auto) {
                        sp = sourceLimit.acquire(); // always source, then target: no two objects wait on each other
                        tp = targetLimit.acquire();
                    }
                    AdaptiveLimit.Permit s = sp;
                    AdaptiveLimit.Permit t = tp;
                    workers.execute(() -> {
                        boolean ok = false;
                        sourcePermit.set(s);
                        targetPermit.set(t);
                        try {
                            ok = copyOne(object, atTarget, journal);
                        } finally {
                            sourcePermit.remove();
                            targetPermit.remove();
                            if (s != null) {
                                sourceLimit.release(s, ok);
                                targetLimit.release(t, ok);
                            }
                            inFlight.release();
                            if (isLarge) {
                                large.release();
                            }
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException | InterruptedException e) {
                    if (sp != null) {
                        sourceLimit.release(sp, false);
                    }
                    if (tp != null) {
                        targetLimit.release(tp, false);
                    }
                    inFlight.release();
                    if (isLarge) {
                        large.release();
                    }
                    if (e instanceof InterruptedException ie) {
                        throw ie;
                    }
                    break; // cancelled
                }
            }
            if (!cancelled) {
                progress.listingDone();
            }
            workers.shutdown();
            while (!workers.awaitTermination(1, TimeUnit.SECONDS)) {
                // waiting for the objects in flight
            }
        } catch (InterruptedException e) {
            interrupted = true;
            workers.shutdownNow();
        } catch (MigratorException e) {
            if (!cancelled) {
                throw e;
            }
            interrupted = true; // the listing or a retry's wait was interrupted by cancel()
        } finally {
            workers.shutdownNow();
            runner = null;
            // Clear the interrupt before closing the journal: an interrupted thread would close its channel unsynced.
            boolean flagged = Thread.interrupted();
            interrupted |= flagged | cancelled;
            if (journal != null) {
                if (!interrupted && tally.failed() == 0) {
                    journal.closeAndDelete();
                } else {
                    journal.close();
                }
            }
            if (flagged && !cancelled) {
                Thread.currentThread().interrupt(); // not ours: keep it for the caller
            }
        }
        return tally.summary((System.nanoTime() - start) / 1e9, interrupted, options.dryRun());
    }

    /**
     * Copies one object. {@code atTarget} is the target listing's entry for the same key, or null when
     * the target has none, which spares a request per object.
     */
    private boolean copyOne(ObjectInfo listed, ObjectInfo atTarget, Journal journal) {
        String key = listed.key();
        VerifiedContent content = null;
        try {
            if (cancelled) {
                return false;
            }
            ObjectInfo from;
            if (atTarget == null) {
                if (listed.metadata() != null || options.dryRun()) {
                    from = listed;
                } else {
                    // Listings of some stores (S3) carry no metadata; the GET that reads the bytes has it.
                    ObjectStore.Opened opened = source.openWithInfo(key);
                    from = opened.info();
                    content = verifiedContent(from, opened.stream());
                }
            } else {
                from = listed.metadata() != null ? listed : source.stat(key).orElse(null);
                if (from == null) {
                    vanished(listed);
                    return true;
                }
                ObjectInfo existing = atTarget.metadata() != null ? atTarget : target.stat(key).orElse(null);
                String difference = existing == null ? null : difference(from, existing);
                if (existing != null && difference == null) {
                    if (journal != null) {
                        journal.markDone(from, from.checksums().md5());
                    }
                    skip(from);
                    return true;
                }
                if (existing != null && !options.overwrite()) {
                    throw new MigratorException(ErrorCode.CONFLICT, "target " + target.displayUri() + " already has a different '"
                            + key + "' (" + difference + "); not overwritten: pass --overwrite to replace it");
                }
            }
            if (!options.dryRun()) {
                if (content == null) {
                    content = verifiedContent(from, null);
                }
                String md5 = transfer(from, content);
                if (journal != null) {
                    journal.markDone(from, md5);
                }
            }
            tally.copied(from.size());
            progress.finished(from, Progress.Outcome.COPIED);
            return true;
        } catch (MigratorException e) {
            if (e.code() == ErrorCode.NOT_FOUND && atTarget == null && content == null) {
                vanished(listed);
                return true;
            }
            fail(listed, e.code().name(), e.getMessage());
            return false;
        } catch (RuntimeException e) {
            fail(listed, ErrorCode.FAILED.name(), "'" + key + "': " + e);
            return false;
        } finally {
            if (content != null) {
                content.discard();
            }
        }
    }

    private void vanished(ObjectInfo listed) {
        tally.vanished();
        progress.finished(listed, Progress.Outcome.SKIPPED);
    }

    private String difference(ObjectInfo from, ObjectInfo existing) {
        List<String> meta = Fidelity.metadataDifferences(source, from.metadata(), target, existing.metadata());
        if (!meta.isEmpty()) {
            return String.join(", ", meta);
        }
        return Fidelity.contentDifference(source, from, target, existing);
    }

    /**
     * The source's bytes of {@code from}, carrying its stored checksums to the target ({@link VerifiedContent#known()})
     * and computing, besides MD5, those the source reports and those the target keeps, so {@link #check} can hold
     * what was read against both.
     */
    private VerifiedContent verifiedContent(ObjectInfo from, java.io.InputStream firstStream) {
        return new VerifiedContent(source, from.key(), from.size(), progress, firstStream, from.checksums(),
                target.capabilities().checksums());
    }

    /** Writes one object and proves the bytes; returns their MD5, or null when they were proven without it. */
    private String transfer(ObjectInfo from, VerifiedContent content) {
        String key = from.key();
        Optional<ObjectStore.ServerSideCopy> serverSide = target.serverSideCopyFrom(source);
        return options.retry().call("copy " + key, () -> {
            if (serverSide.isPresent()) {
                ObjectInfo stored = serverSide.get().copy(key, key, from.metadata());
                if (from.checksums().md5() == null && from.checksums().comparableWith(stored.checksums())) {
                    // The store's value for the copy of a kind the source also stores proves the bytes: nothing to read.
                    check(from, stored, Checksums.NONE);
                    progress.transferred(from.size());
                    return null;
                }
                String md5 = from.checksums().md5() != null ? from.checksums().md5() : Fidelity.md5(source, from);
                check(from, stored, md5);
                progress.transferred(from.size());
                return md5;
            }
            ObjectInfo stored = target.put(key, content, from.metadata());
            Checksums read = content.read();
            if (read == null) {
                throw new MigratorException(ErrorCode.INTEGRITY, "'" + key + "': read " + content.bytesRead()
                        + " bytes from the source, which listed " + from.size() + " (changed while copying?)", null, true);
            }
            check(from, stored, read);
            return read.md5();
        }, onRetry);
    }

    static void check(ObjectInfo from, ObjectInfo stored, String md5Read) {
        check(from, stored, Checksums.md5(md5Read));
    }

    /**
     * The end-to-end proof of one copied object: sizes equal, and on every checksum kind the bytes {@code read}
     * have, the source's and the target's stored values agree with them; on a kind not read, source and target
     * agree with each other (both full-object values of what each holds).
     */
    static void check(ObjectInfo from, ObjectInfo stored, Checksums read) {
        String key = from.key();
        if (stored.size() != from.size()) {
            throw integrity(key, "the target stored " + stored.size() + " bytes, the source has " + from.size());
        }
        for (ChecksumKind k : Checksums.STRONGEST_FIRST) {
            String r = read.get(k);
            String src = from.checksums().get(k);
            String dst = stored.checksums().get(k);
            if (r != null && src != null && !src.equals(r)) {
                throw integrity(key, "the bytes read have " + k + " " + r + " but the source reports " + src);
            }
            if (r != null && dst != null && !dst.equals(r)) {
                throw integrity(key, "the target stored " + k + " " + dst + " but the bytes read have " + r);
            }
            if (r == null && src != null && dst != null && !src.equals(dst)) {
                throw integrity(key, "the target stored " + k + " " + dst + " but the source reports " + src);
            }
        }
    }

    private static MigratorException integrity(String key, String what) {
        return new MigratorException(ErrorCode.INTEGRITY, "'" + key + "' did not verify: " + what, null, true);
    }

    private void skip(ObjectInfo o) {
        tally.skipped(o.size());
        progress.finished(o, Progress.Outcome.SKIPPED);
    }

    private void fail(ObjectInfo o, String code, String message) {
        if (cancelled) {
            return; // an interrupted transfer is not a failure; the resumed run does it
        }
        tally.failed(o.key(), code, message);
        progress.finished(o, Progress.Outcome.FAILED);
    }
}
