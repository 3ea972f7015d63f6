package dev.migrator.bundle;

import static dev.migrator.bundle.BundleArchive.hash;
import static dev.migrator.bundle.BundleArchive.requireRegular;
import static dev.migrator.bundle.BundleArchive.skipEntries;

import dev.migrator.bundle.BundleArchive.Hashed;
import dev.migrator.bundle.BundleArchive.HashingStream;
import dev.migrator.bundle.BundleArchive.Report;
import dev.migrator.provider.BatchSync;
import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.FileTrees;
import dev.migrator.provider.Instants;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import dev.migrator.provider.Retry;
import dev.migrator.provider.RetryingObjectStore;
import dev.migrator.provider.StateLock;
import dev.migrator.transfer.History;
import dev.migrator.transfer.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * {@code bundle restore}: checks the manifest before the first byte is written
 * ({@link BundleArchive#checkManifest}, the check verify reports with), then reads each entry, checks
 * its SHA-256 and only then writes it: objects on a pool of writer threads, database dumps extracted
 * into the staging directory and handed to the engine's restore tool. A source bundled with its version
 * history is recreated as a history on a target that keeps versions ({@link Restore.Histories}).
 */
final class BundleRestorer {
    /** Entries up to this size are held in memory between reading and writing; larger ones in a temp file. */
    static final int IN_MEMORY = 4 << 20;

    private final BundleArchive archive;
    private final ObjectStore bundle;
    private final Retry.Listener onRetry;

    BundleRestorer(BundleArchive archive, Retry.Listener onRetry) {
        this.archive = archive;
        this.bundle = archive.store();
        this.onRetry = onRetry;
    }

    /**
     * Restores the sources named in {@code targets} (source id to target). Before anything is written,
     * the manifest is checked against {@code SHA256SUMS} and every entry name in it is checked. Each
     * entry is then read, checked against its SHA-256 and only then written; an object the target
     * already holds identically is skipped (so running the same restore again resumes it), one it holds
     * differently is a conflict, left alone unless {@link RestoreOptions#overwrite}.
     */
    RestoreSummary restore(Map<String, RestoreTarget> targets, RestoreOptions options, Progress progress) {
        long start = System.nanoTime();
        Manifest.Header header = archive.header();
        Map<String, Manifest.Source> sources = new LinkedHashMap<>();
        header.sources().forEach(s -> sources.put(s.id(), s));
        for (Map.Entry<String, RestoreTarget> t : targets.entrySet()) {
            Manifest.Source s = sources.get(t.getKey());
            if (s == null) {
                throw MigratorException.badInput("the bundle has no source '" + t.getKey() + "'; it has "
                        + String.join(", ", header.sources().stream().map(x -> x.id() + " (" + x.uri() + ")").toList()));
            }
            boolean db = Manifest.Source.DATABASE.equals(s.kind());
            if (db != (t.getValue() instanceof RestoreTarget.Db)) {
                throw MigratorException.badInput("source " + s.id() + " (" + s.uri() + ") is " + (db ? "a database dump" : "objects")
                        + " and cannot be restored into " + t.getValue().displayUri() + "; give " + (db ? "a database URI" : "an object store"));
            }
            if (db && !s.dump().engine().equals(((RestoreTarget.Db) t.getValue()).database().engine())) {
                throw MigratorException.badInput("source " + s.id() + " is a " + s.dump().engine() + " dump; "
                        + t.getValue().displayUri() + " is " + ((RestoreTarget.Db) t.getValue()).database().engine());
            }
            if (t.getValue() instanceof RestoreTarget.Objects o) {
                requireHistoryTarget(s, o.store(), options);
            }
        }
        archive.checkManifestAgainstSums();
        archive.requireKey(header);
        archive.checkManifest(header, problem -> {
            throw problem;
        });
        List<String> actions = applySettings(header, targets, options, progress);
        Restore run = new Restore(options, progress);
        try (ManifestReader manifest = new ManifestReader(bundle)) {
            for (Manifest.Source s : header.sources()) {
                RestoreTarget target = targets.get(s.id());
                List<Manifest.Part> parts = header.parts().stream().filter(p -> p.source().equals(s.id())).toList();
                if (target instanceof RestoreTarget.Objects o) {
                    ObjectStore store = RetryingObjectStore.around(o.store(), options.retry(), onRetry);
                    boolean history = restoresHistory(s, options);
                    Writes writes = run.writesInto(store, o.store(), s.id());
                    try {
                        Restore.Histories histories = history ? run.new Histories(store, o.store(), writes) : null;
                        // An object created in place is compared with nothing, so its MD5 is not taken as it is read.
                        boolean md5 = history || writes.inPlace == null;
                        for (Manifest.Part p : parts) {
                            run.part(p, manifest, md5, (m, data) -> {
                                if (history) {
                                    histories.accept(m, data);
                                } else if (s.hasHistory() && !(m.isLatest() && !m.isDeleteMarker())) {
                                    data.discard(); // --versions latest: an older version or a delete marker
                                    progress.finished(info(m), Progress.Outcome.SKIPPED);
                                } else {
                                    run.object(store, m, data, writes);
                                }
                            });
                        }
                        if (history) {
                            histories.end();
                        }
                        run.checkComplete();
                        run.awaitWrites();
                        writes.finish();
                    } finally {
                        run.drainWrites(); // before the marker can go: no write of this source may still be running
                        writes.close();
                    }
                } else if (target instanceof RestoreTarget.Db d) {
                    run.database(s, parts, manifest, d);
                } else {
                    for (Manifest.Part p : parts) {
                        skipEntries(manifest, p.entries(), new Report());
                    }
                }
            }
            run.awaitWrites();
            progress.listingDone();
        } finally {
            run.close();
        }
        return new RestoreSummary(run.restored.get(), run.restoredBytes.get(), run.skipped.get(), run.conflicts.get(),
                List.copyOf(run.problems), (System.nanoTime() - start) / 1e9, actions);
    }

    /** Whether source {@code s} is restored as a history rather than as each key's current object. */
    private static boolean restoresHistory(Manifest.Source s, RestoreOptions options) {
        return s.hasHistory() && options.versions() != RestoreOptions.Versions.LATEST;
    }

    /**
     * Before anything is written: a history needs a target that keeps versions (otherwise each put would replace the
     * last), unless its bundled bucket settings, applied first, enable versioning there; {@code --versions all} needs a
     * source bundled with its history; {@code --bucket-settings} needs settings in the bundle and a target that has them.
     */
    private static void requireHistoryTarget(Manifest.Source s, ObjectStore target, RestoreOptions options) {
        if (options.versions() == RestoreOptions.Versions.ALL && !s.hasHistory()) {
            throw MigratorException.badInput("source " + s.id() + " (" + s.uri() + ") was bundled without its version history"
                    + " (bundle create --versions all); restore it without --versions all");
        }
        if (options.bucketSettings()) {
            if (s.bucketSettings() == null) {
                throw MigratorException.badInput("source " + s.id() + " (" + s.uri() + ") was bundled without its bucket settings"
                        + " (bundle create --bucket-settings); restore it without --bucket-settings");
            }
            if (target.bucketSettings().isEmpty()) {
                throw MigratorException.badInput("--bucket-settings: " + target.displayUri() + " has no bucket settings to set;"
                        + " drop the option");
            }
        }
        if (!restoresHistory(s, options)) {
            return;
        }
        boolean enabledBySettings = options.bucketSettings() && s.bucketSettings().versioning() == BucketSettings.Versioning.ENABLED;
        if (!target.capabilities().versions() || !(target.keepsVersions() || enabledBySettings)) {
            throw MigratorException.badInput("target " + target.displayUri() + " does not keep object versions, so the version"
                    + " history of bundle source " + s.id() + " cannot be recreated there (each put would replace the last);"
                    + " enable versioning on it first (S3: aws s3api put-bucket-versioning --bucket NAME"
                    + " --versioning-configuration Status=Enabled; GCS: gcloud storage buckets update gs://NAME --versioning)"
                    + " and run again, or restore each key's latest version only with --versions latest");
        }
    }

    /** {@code --bucket-settings}: applies each restored source's bundled settings to its target; returns the operator's actions. */
    private List<String> applySettings(Manifest.Header header, Map<String, RestoreTarget> targets, RestoreOptions options,
                                       Progress progress) {
        if (!options.bucketSettings()) {
            return List.of();
        }
        List<String> actions = new ArrayList<>();
        for (Manifest.Source s : header.sources()) {
            if (targets.get(s.id()) instanceof RestoreTarget.Objects o) {
                BucketSettings.Access access = o.store().bucketSettings().orElseThrow();
                actions.addAll(options.retry().call("apply bucket settings to " + o.store().displayUri(),
                        () -> access.apply(s.bucketSettings()), onRetry));
                if (restoresHistory(s, options) && !o.store().keepsVersions()) {
                    throw MigratorException.badInput("target " + o.store().displayUri() + " still does not keep object versions"
                            + " after its bucket settings were applied; enable versioning on it and run again, or use --versions latest");
                }
            }
        }
        return actions;
    }

    /** Verified bytes of one entry, replayable for retries. */
    interface EntrySink {
        void accept(Manifest.Entry entry, Verified data) throws IOException;
    }

    /**
     * An entry's bytes, checked against the manifest. Their MD5 (to compare with what a target reports) is taken while
     * they are read when the target is expected to need it, else only when asked for ({@link #md5()}), from the bytes.
     */
    static final class Verified {
        private final Content content;
        private final Path spooled;
        private volatile String md5;

        Verified(Content content, String md5, Path spooled) {
            this.content = content;
            this.md5 = md5;
            this.spooled = spooled;
        }

        Content content() {
            return content;
        }

        /** Reads the content once more when its MD5 was not taken as it was read; ask before a put may move it. */
        String md5() {
            String known = md5;
            if (known == null) {
                try (InputStream in = content.open()) {
                    known = hash(in, null, Long.MAX_VALUE).md5();
                } catch (IOException e) {
                    throw new MigratorException(ErrorCode.FAILED, "cannot read back a verified entry to hash it: " + e.getMessage(), e);
                }
                md5 = known;
            }
            return known;
        }

        void discard() {
            if (spooled != null) {
                try {
                    Files.deleteIfExists(spooled);
                } catch (IOException ignored) {
                    // temp file
                }
            }
        }
    }

    private final class Restore implements AutoCloseable {
        final RestoreOptions options;
        final Progress progress;
        final ExecutorService writers;
        final Semaphore inFlight;
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        final AtomicLong restored = new AtomicLong();
        final AtomicLong restoredBytes = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final AtomicLong conflicts = new AtomicLong();
        final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        final Path spoolDir;

        Restore(RestoreOptions options, Progress progress) {
            this.options = options;
            this.progress = progress;
            this.writers = Executors.newFixedThreadPool(options.writers(), r -> {
                Thread t = new Thread(r, "bundle-restore");
                t.setDaemon(true);
                return t;
            });
            this.inFlight = new Semaphore(options.writers() * 2);
            Path state = options.stateDir();
            // Held for the run: the same restore twice at once would stage and write everything twice.
            this.lock = state == null ? null : StateLock.acquire(state, "bundle restore of " + bundle.displayUri());
            try {
                if (state == null) {
                    this.spoolDir = Files.createTempDirectory("migrator-restore-");
                } else {
                    this.spoolDir = state.resolve("staging");
                    deleteTree(spoolDir); // what a killed earlier restore left behind
                    Files.createDirectories(spoolDir);
                }
            } catch (IOException e) {
                closeLock();
                throw new MigratorException(ErrorCode.FAILED, "cannot create the staging directory " + (state == null ? "" : state.resolve("staging"))
                        + ": " + e.getMessage() + (state == null ? "" : " (use --state DIR to put it in a writable directory)"), e);
            }
            // Ctrl-C or SIGTERM: stop reading, then empty the staging directory before the JVM exits.
            this.cleanup = new Thread(() -> {
                cancelled = true;
                try {
                    closed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                deleteTree(spoolDir);
            }, "restore-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
        }

        final StateLock lock;
        final Thread cleanup;
        final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        volatile boolean cancelled;

        /** Throws {@code INTERRUPTED} once the JVM is shutting down (Ctrl-C, SIGTERM). */
        void checkCancelled() {
            if (cancelled) {
                throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted; the staging directory " + spoolDir + " was emptied;"
                        + " run the same command again to resume");
            }
        }

        private void closeLock() {
            if (lock != null) {
                lock.close();
                BundleWriter.removeIfOnlyLock(options.stateDir());
            }
        }

        /** Reads one part, checks each entry and hands it to {@code sink}; {@code md5}: take each entry's MD5 as it is read. */
        void part(Manifest.Part part, ManifestReader manifest, boolean md5, EntrySink sink) {
            HashingStream raw;
            try {
                raw = new HashingStream(bundle.open(part.name(), 0, -1));
            } catch (MigratorException e) {
                if (e.code() == ErrorCode.NOT_FOUND) {
                    throw new MigratorException(ErrorCode.INTEGRITY, "part " + part.name() + " is missing from " + bundle.displayUri()
                            + "; its " + part.entries() + " entries cannot be restored (run 'migrator bundle verify')");
                }
                throw e;
            }
            String where = part.name() + " in " + bundle.displayUri();
            long seen = 0;
            try (raw; ZstdCompressorInputStream zstd = new ZstdCompressorInputStream(archive.plain(part, raw));
                 TarArchiveInputStream tar = new TarArchiveInputStream(zstd, StandardCharsets.UTF_8.name())) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    checkCancelled();
                    requireRegular(e, where);
                    if (seen >= part.entries()) {
                        throw MigratorException.badInput("refusing entry '" + e.getName() + "' in " + where
                                + ": the manifest lists no more entries in this part; the bundle was tampered with");
                    }
                    Manifest.Entry m = manifest.next();
                    seen++;
                    if (!e.getName().equals(m.path())) {
                        throw MigratorException.badInput("refusing entry '" + e.getName() + "' in " + where + ": the manifest lists '"
                                + m.path() + "' here; the bundle was tampered with or damaged (run 'migrator bundle verify')");
                    }
                    if (e.getSize() != m.size()) {
                        // Checked before a byte is read: an entry is never read (or staged) beyond its declared size.
                        throw new MigratorException(ErrorCode.INTEGRITY, "entry '" + m.key() + "' in " + where + " is damaged: the archive"
                                + " holds " + e.getSize() + " bytes where the manifest says " + m.size() + "; nothing of it was written;"
                                + " run 'migrator bundle verify'");
                    }
                    if (m.isPiece()) {
                        piece(tar, m, where, md5, sink);
                        continue;
                    }
                    progress.listed(info(m));
                    Verified data = read(tar, m, where, md5);
                    progress.transferred(m.size());
                    failIfFailed();
                    sink.accept(m, data);
                }
                if (seen < part.entries()) {
                    throw new MigratorException(ErrorCode.INTEGRITY, where + " ends after " + seen + " of its " + part.entries()
                            + " entries (truncated); run 'migrator bundle verify'");
                }
                zstd.transferTo(OutputStream.nullOutputStream());
                raw.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new MigratorException(ErrorCode.INTEGRITY, "cannot read " + where + " after " + raw.count + " bytes: "
                        + e.getMessage() + " (truncated or corrupt; run 'migrator bundle verify')", e);
            }
            if (raw.count != part.size() || !raw.digest().equals(part.sha256())) {
                throw new MigratorException(ErrorCode.INTEGRITY, where + " does not match its checksum (" + raw.count + " bytes, expected "
                        + part.size() + "); run 'migrator bundle verify'");
            }
        }

        /** The object being put together from its pieces (they come in order, across parts). */
        private Path assembly;
        private OutputStream assemblyOut;
        private Manifest.Entry assemblyFirst;
        private int nextPiece;
        private long assemblySize;
        private MessageDigest assemblySha;
        private MessageDigest assemblyMd5;

        /** Appends one checked piece to the object being assembled; hands the object on after its last piece. */
        private void piece(InputStream tar, Manifest.Entry m, String where, boolean md5, EntrySink sink) throws IOException {
            if (m.piece() == 1) {
                unfinishedPieces();
                assembly = spoolFile("object-");
                assemblyOut = Files.newOutputStream(assembly);
                assemblyFirst = m;
                nextPiece = 1;
                assemblySize = 0;
                assemblySha = Digests.sha256();
                assemblyMd5 = md5 ? Digests.md5() : null;
            } else if (assemblyFirst == null || !assemblyFirst.key().equals(m.key()) || m.piece() != nextPiece) {
                throw new MigratorException(ErrorCode.INTEGRITY, "piece " + m.piece() + " of '" + m.key() + "' in " + where
                        + " is out of order; run 'migrator bundle verify'");
            }
            MessageDigest sha = Digests.sha256();
            byte[] buf = new byte[256 * 1024];
            long size = 0;
            for (int n; size < m.size() && (n = tar.read(buf, 0, (int) Math.min(buf.length, m.size() - size))) > 0; ) {
                sha.update(buf, 0, n);
                assemblySha.update(buf, 0, n);
                if (assemblyMd5 != null) {
                    assemblyMd5.update(buf, 0, n);
                }
                assemblyOut.write(buf, 0, n);
                size += n;
            }
            progress.transferred(size);
            if (size != m.size() || !Digests.hex(sha.digest()).equals(m.sha256())) {
                throw new MigratorException(ErrorCode.INTEGRITY, "piece " + m.piece() + " of '" + m.key() + "' in " + where
                        + " is damaged; nothing of it was written; run 'migrator bundle verify'");
            }
            assemblySize += size;
            nextPiece++;
            if (m.piece().equals(m.pieces())) {
                assemblyOut.close();
                if (!Digests.hex(assemblySha.digest()).equals(m.objectSha256())) {
                    throw new MigratorException(ErrorCode.INTEGRITY, "'" + m.key() + "' put together from its " + m.pieces()
                            + " pieces does not match its SHA-256; nothing of it was written; run 'migrator bundle verify'");
                }
                Manifest.Entry whole = new Manifest.Entry(assemblyFirst.part(), assemblyFirst.path(), m.key(), assemblySize,
                        m.objectSha256(), m.lastModified(), m.metadata(), null, null, null, m.versionId(), m.latest(), m.deleteMarker());
                Path file = assembly;
                assembly = null;
                assemblyFirst = null;
                progress.listed(info(whole));
                failIfFailed();
                sink.accept(whole, new Verified(Content.movable(file), assemblyMd5 == null ? null : Digests.hex(assemblyMd5.digest()), file));
            }
        }

        /** Throws if an object's pieces stopped before its last one. */
        void unfinishedPieces() throws IOException {
            if (assemblyFirst != null) {
                assemblyOut.close();
                throw new MigratorException(ErrorCode.INTEGRITY, "'" + assemblyFirst.key() + "' has only " + (nextPiece - 1) + " of its "
                        + assemblyFirst.pieces() + " pieces in the bundle; run 'migrator bundle verify'");
            }
        }

        /**
         * One entry's bytes (the tar stream ends each entry at its declared size, checked equal to the manifest's), hashed
         * in one pass: SHA-256 always, MD5 when {@code withMd5}. Small ones are read straight into an array of their size.
         */
        private Verified read(InputStream tar, Manifest.Entry m, String where, boolean withMd5) throws IOException {
            MessageDigest sha = Digests.sha256();
            MessageDigest md5 = withMd5 ? Digests.md5() : null;
            long size;
            Content content;
            Path spooled = null;
            if (m.size() <= IN_MEMORY) {
                byte[] bytes = new byte[(int) m.size()];
                size = tar.readNBytes(bytes, 0, bytes.length);
                sha.update(bytes, 0, (int) size);
                if (md5 != null) {
                    md5.update(bytes, 0, (int) size);
                }
                content = Content.of(bytes);
            } else {
                spooled = spoolFile("entry-");
                size = 0;
                byte[] buf = new byte[256 * 1024];
                try (OutputStream out = Files.newOutputStream(spooled)) {
                    for (int n; size < m.size() && (n = tar.read(buf, 0, (int) Math.min(buf.length, m.size() - size))) > 0; ) {
                        sha.update(buf, 0, n);
                        if (md5 != null) {
                            md5.update(buf, 0, n);
                        }
                        out.write(buf, 0, n);
                        size += n;
                    }
                }
                content = Content.movable(spooled);
            }
            Hashed h = new Hashed(size, Digests.hex(sha.digest()), md5 == null ? null : Digests.hex(md5.digest()));
            if (h.size() != m.size() || !h.sha256().equals(m.sha256())) {
                if (spooled != null) {
                    Files.deleteIfExists(spooled);
                }
                throw new MigratorException(ErrorCode.INTEGRITY, "entry '" + m.key() + "' in " + where + " is damaged (" + h.size()
                        + " bytes, SHA-256 " + h.sha256() + "; the manifest says " + m.size() + ", " + m.sha256()
                        + "); it was not written; run 'migrator bundle verify'");
            }
            return new Verified(content, h.md5(), spooled);
        }

        /**
         * A new spool file with the default permissions (not createTempFile's owner-only ones): a local
         * target may rename it into place, and then it must look like any file the store writes.
         */
        private Path spoolFile(String prefix) throws IOException {
            return Files.createFile(spoolDir.resolve(prefix + java.util.UUID.randomUUID() + ".tmp"));
        }

        /** How one source's objects are written into its target (see {@link Writes}). */
        Writes writesInto(ObjectStore target, ObjectStore raw, String sourceId) {
            Path marker = options.stateDir() == null ? null : options.stateDir().resolve("unsynced-" + sourceId);
            String uri = target.displayUri();
            boolean ours;
            try {
                ours = marker != null && Files.exists(marker) && Files.readString(marker, StandardCharsets.UTF_8).equals(uri);
            } catch (IOException e) {
                throw new MigratorException(ErrorCode.FAILED, "cannot read " + marker + ": " + e.getMessage(), e);
            }
            boolean fresh = !ours && isEmpty(target);
            BatchSync batch = null;
            if (marker != null && (fresh || ours) && ObjectStore.innermost(raw) instanceof BatchSync b) {
                if (!ours) {
                    writeDurably(marker, uri); // before the first write whose durability is deferred
                }
                if (b.deferSync()) {
                    batch = b;
                } else if (!ours) {
                    deleteQuietly(marker);
                }
            }
            // In place only on the adapter itself (past the retry layers, whose work writeObject does): a wrapper that
            // watches or changes writes (metrics, a test's injected faults) must see every one, so it gets puts.
            ObjectStore bare = raw;
            while (bare instanceof RetryingObjectStore r) {
                bare = r.delegate();
            }
            BatchSync inPlace = batch != null && bare == batch ? batch : null;
            return new Writes(fresh, ours, batch, inPlace, ours || batch != null ? marker : null);
        }

        private boolean isEmpty(ObjectStore target) {
            try (java.util.stream.Stream<ObjectInfo> all = target.list("")) {
                return all.findFirst().isEmpty();
            } catch (MigratorException e) {
                // A local directory not created yet is empty; any other doubt (a link the listing refuses, a
                // listing not allowed) means looking up each object, as before.
                return e.code() == ErrorCode.NOT_FOUND;
            }
        }

        /** Writes one verified object on a writer thread. */
        void object(ObjectStore target, Manifest.Entry m, Verified data, Writes writes) {
            boolean look = writes.mustLook(m.key());
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted", e);
            }
            writers.execute(() -> {
                try {
                    if (failure.get() == null) { // after a failure, what is queued is dropped: the run ends
                        writeObject(target, m, data, look, writes);
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    data.discard();
                    inFlight.release();
                }
            });
        }

        /**
         * {@code look}: stat the target first (skip identical, leave different ones alone); {@code writes.ours}: a
         * different object there is one an earlier run of this restore wrote and could not make durable, and is
         * replaced; {@code writes.inPlace}: an object not there is created in place, and where the name turns out taken,
         * what holds it is looked at as if it had been found by the stat.
         */
        private void writeObject(ObjectStore target, Manifest.Entry m, Verified data, boolean look, Writes writes) {
            ObjectMetadata metadata = m.metadata() == null ? ObjectMetadata.EMPTY : m.metadata().toObjectMetadata();
            Optional<ObjectInfo> there = look ? target.stat(m.key()) : Optional.empty();
            if (there.isEmpty() && writes.inPlace != null) {
                Optional<ObjectInfo> created = options.retry().call("write " + m.key(),
                        () -> writes.inPlace.createInPlace(m.key(), data.content(), metadata), onRetry);
                if (created.isPresent()) {
                    if (created.get().size() != m.size()) {
                        throw new MigratorException(ErrorCode.INTEGRITY, "'" + m.key() + "' arrived damaged at " + target.displayUri()
                                + " (" + created.get().size() + " of " + m.size() + " bytes written); run the same command again");
                    }
                    restored.incrementAndGet();
                    restoredBytes.addAndGet(m.size());
                    progress.finished(info(m), Progress.Outcome.COPIED);
                    return;
                }
                // Taken since the target was found empty (another writer, or a folder or link): never written over blindly.
                there = target.stat(m.key());
            }
            if (there.isPresent()) {
                String difference = difference(target, there.get(), m, data.md5(), metadata);
                if (difference == null) {
                    skipped.incrementAndGet();
                    progress.finished(info(m), Progress.Outcome.SKIPPED);
                    return;
                }
                if (!options.overwrite() && !writes.ours) {
                    conflicts.incrementAndGet();
                    if (problems.size() < BundleReader.MAX_REPORTED) {
                        problems.add("CONFLICT " + m.key() + ": " + target.displayUri() + " holds a different object (" + difference
                                + "); left alone (use --overwrite to replace it)");
                    }
                    progress.finished(info(m), Progress.Outcome.FAILED);
                    return;
                }
            }
            String md5 = data.md5(); // now: the put may move the content's file
            options.retry().call("write " + m.key(), () -> {
                ObjectInfo stored = target.put(m.key(), data.content(), metadata);
                if (stored.size() != m.size() || (stored.checksums().md5() != null && !stored.checksums().md5().equals(md5))) {
                    throw MigratorException.retryable("'" + m.key() + "' arrived damaged at " + target.displayUri(), null);
                }
                return stored;
            }, onRetry);
            restored.incrementAndGet();
            restoredBytes.addAndGet(m.size());
            progress.finished(info(m), Progress.Outcome.COPIED);
        }

        private String difference(ObjectStore target, ObjectInfo there, Manifest.Entry m, String md5, ObjectMetadata metadata) {
            if (there.size() != m.size()) {
                return "size " + there.size() + " vs " + m.size();
            }
            String theirs = there.checksums().md5();
            if (theirs == null) {
                try (InputStream in = target.open(m.key(), 0, -1)) {
                    theirs = hash(in, null, Long.MAX_VALUE).md5();
                } catch (IOException e) {
                    throw new MigratorException(ErrorCode.FAILED, "reading '" + m.key() + "' from " + target.displayUri() + ": " + e.getMessage(), e);
                }
            }
            if (!theirs.equals(md5)) {
                return "md5 " + theirs + " vs " + md5;
            }
            ObjectMetadata existing = there.metadata() == null ? ObjectMetadata.EMPTY : there.metadata();
            return existing.sameAs(metadata.storedIn(target.capabilities(), null)) ? null : "metadata differs";
        }

        /**
         * Writes the histories of one source into a target that keeps versions, key by key: the entries of one key
         * are written in order, one after the other (a lane), and the lanes of different keys in parallel on the writer
         * threads. <b>The target's own version list is the journal</b>: before a key's first entry is written, its
         * history there is listed ({@link History#of}, the rule copy uses); the entries it already holds, in order,
         * are skipped, and only the rest written, so a rerun after a crash adds each version once. A history there
         * that is not the start of the bundle's is a conflict: nothing more of that key is written. After a key's
         * last entry its version list is listed again and compared with the bundle's.
         */
        final class Histories {
            private final ObjectStore target;
            private final ObjectStore raw;
            /**
             * The target held no version of any key when the restore started, so no key's history needs listing
             * first (keys come in increasing order, {@link BundleArchive#checkManifest}). Asked of the version list,
             * not the object list: a key whose history ends with a delete marker is in the first only.
             */
            private final boolean fresh;
            private Lane lane;

            /** {@code raw}: the target without the retry layer, for writes retried here after looking at the history. */
            Histories(ObjectStore target, ObjectStore raw, Writes writes) {
                this.target = target;
                this.raw = raw instanceof RetryingObjectStore r ? r.delegate() : raw;
                try (java.util.stream.Stream<ObjectVersion> any = target.listVersions("")) {
                    this.fresh = any.findFirst().isEmpty();
                }
            }

            /** One verified entry, in manifest order (a key's entries together, oldest first). */
            void accept(Manifest.Entry m, Verified data) {
                if (lane == null || !lane.key.equals(m.key())) {
                    end();
                    lane = new Lane(m.key(), !fresh);
                }
                Lane l = lane;
                l.then(() -> l.write(m, data), data);
            }

            /** After the source's last entry. */
            void end() {
                if (lane != null) {
                    Lane l = lane;
                    l.then(l::check, null);
                    lane = null;
                }
            }

            /** One key's history: its steps run one after the other, each on a writer thread. */
            private final class Lane {
                final String key;
                final boolean look;
                final List<String[]> written = new ArrayList<>();
                java.util.concurrent.CompletableFuture<Void> tail = java.util.concurrent.CompletableFuture.completedFuture(null);
                List<ObjectVersion> there;
                boolean stopped;
                boolean wrote;

                Lane(String key, boolean look) {
                    this.key = key;
                    this.look = look;
                }

                void then(Runnable step, Verified data) {
                    try {
                        inFlight.acquire();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        if (data != null) {
                            data.discard();
                        }
                        throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted", e);
                    }
                    tail = tail.thenRunAsync(() -> {
                        try {
                            if (!stopped && failure.get() == null) {
                                step.run();
                            }
                        } catch (RuntimeException e) {
                            stopped = true;
                            failure.compareAndSet(null, e);
                        } finally {
                            if (data != null) {
                                data.discard();
                            }
                            inFlight.release();
                        }
                    }, writers);
                }

                /** Entry {@code written.size()} of the history: skipped when the target holds it there already, else written. */
                void write(Manifest.Entry m, Verified data) {
                    if (there == null) {
                        there = look ? History.of(target, key).entries() : List.of();
                    }
                    int index = written.size();
                    written.add(new String[] {m.isDeleteMarker() ? null : data.md5(), Long.toString(m.size())});
                    if (index < there.size()) {
                        String why = difference(there.get(index), m, data.md5());
                        if (why != null) {
                            conflict(m, index, why);
                            return;
                        }
                        skipped.incrementAndGet();
                        progress.finished(info(m), Progress.Outcome.SKIPPED);
                        return;
                    }
                    boolean[] first = {true};
                    options.retry().call("write version " + (index + 1) + " of " + key, () -> {
                        if (!first[0]) {
                            // The last attempt may have landed though it failed: the history says, not a blind second put.
                            there = History.of(target, key).entries();
                            if (there.size() > index) {
                                String why = difference(there.get(index), m, data.md5());
                                if (why != null) {
                                    throw new MigratorException(ErrorCode.CONFLICT, "'" + key + "' changed at " + target.displayUri()
                                            + " while its history was restored (version " + (index + 1) + ": " + why + ")");
                                }
                                return null;
                            }
                        }
                        first[0] = false;
                        if (m.isDeleteMarker()) {
                            raw.delete(key);
                        } else {
                            ObjectMetadata metadata = m.metadata() == null ? ObjectMetadata.EMPTY : m.metadata().toObjectMetadata();
                            ObjectInfo stored = raw.put(key, data.content(), metadata);
                            if (stored.size() != m.size() || (stored.checksums().md5() != null && !stored.checksums().md5().equals(data.md5()))) {
                                throw MigratorException.retryable("'" + key + "' version " + (index + 1) + " arrived damaged at "
                                        + target.displayUri(), null);
                            }
                        }
                        return null;
                    }, onRetry);
                    wrote = true;
                    restored.incrementAndGet();
                    restoredBytes.addAndGet(m.size());
                    progress.finished(info(m), Progress.Outcome.COPIED);
                }

                /** After the key's last entry: the target's version list must be the bundle's, entry for entry. */
                void check() {
                    List<ObjectVersion> now = wrote ? History.of(target, key).entries() : there == null ? List.of() : there;
                    String why = now.size() != written.size() ? "it holds " + now.size() + " versions, the bundle " + written.size() : null;
                    for (int i = 0; why == null && i < now.size(); i++) {
                        why = difference(now.get(i), written.get(i)[0], Long.parseLong(written.get(i)[1]), written.get(i)[0] == null);
                        if (why != null) {
                            why = "version " + (i + 1) + ": " + why;
                        }
                    }
                    if (why != null) {
                        conflicts.incrementAndGet();
                        if (problems.size() < BundleReader.MAX_REPORTED) {
                            problems.add("CONFLICT " + key + ": after the restore " + target.displayUri() + " has another version list ("
                                    + why + ")" + (wrote ? "; something else wrote there meanwhile" : "; left alone"));
                        }
                    }
                }

                private void conflict(Manifest.Entry m, int index, String why) {
                    stopped = true;
                    conflicts.incrementAndGet();
                    if (problems.size() < BundleReader.MAX_REPORTED) {
                        problems.add("CONFLICT " + key + ": " + target.displayUri() + " holds another history (version " + (index + 1)
                                + ", id " + there.get(index).versionId() + ": " + why + "); a history is only added to, so nothing"
                                + " more of this key was written");
                    }
                    progress.finished(info(m), Progress.Outcome.FAILED);
                }

                private String difference(ObjectVersion v, Manifest.Entry m, String md5) {
                    return difference(v, m.isDeleteMarker() ? null : md5, m.size(), m.isDeleteMarker());
                }

                /** Why the target's version {@code v} is not the bundle's entry (a marker, or content of that size and MD5). */
                private String difference(ObjectVersion v, String md5, long size, boolean marker) {
                    if (v.deleteMarker() || marker) {
                        return v.deleteMarker() == marker ? null
                                : marker ? "a delete marker in the bundle, content in the target" : "content in the bundle, a delete marker in the target";
                    }
                    if (v.info().size() != size) {
                        return "size " + v.info().size() + " vs " + size;
                    }
                    String theirs = v.info().checksums() == null ? null : v.info().checksums().md5();
                    if (theirs == null) {
                        theirs = target.statVersion(key, v.versionId()).map(i -> i.checksums().md5()).orElse(null);
                    }
                    if (theirs == null) {
                        try (InputStream in = target.openVersion(key, v.versionId(), 0, -1)) {
                            theirs = hash(in, null, Long.MAX_VALUE).md5();
                        } catch (IOException e) {
                            throw new MigratorException(ErrorCode.FAILED, "reading version " + v.versionId() + " of '" + key + "' from "
                                    + target.displayUri() + ": " + e.getMessage(), e);
                        }
                    }
                    return theirs.equals(md5) ? null : "md5 " + theirs + " vs " + md5;
                }
            }
        }

        void database(Manifest.Source s, List<Manifest.Part> parts, ManifestReader manifest, RestoreTarget.Db target) {
            Path dir = spoolDir.resolve("dump-" + s.id());
            try {
                Files.createDirectories(dir);
                for (Manifest.Part p : parts) {
                    part(p, manifest, false, (m, data) -> {
                        Path file = dir.resolve(m.key()).normalize();
                        if (!file.startsWith(dir)) {
                            throw MigratorException.badInput("refusing dump file '" + m.key() + "': outside the dump directory");
                        }
                        Files.createDirectories(file.getParent());
                        try (InputStream in = data.content().open()) {
                            Files.copy(in, file);
                        } finally {
                            data.discard();
                        }
                        restored.incrementAndGet();
                        restoredBytes.addAndGet(m.size());
                        progress.finished(info(m), Progress.Outcome.COPIED);
                    });
                }
                checkComplete();
                target.database().restore(dir, s.dump(), target.options());
            } catch (IOException e) {
                throw new MigratorException(ErrorCode.FAILED, "extracting the dump of " + s.uri() + " into " + dir + ": " + e.getMessage(), e);
            } finally {
                deleteTree(dir);
            }
        }

        void checkComplete() {
            try {
                unfinishedPieces();
            } catch (IOException e) {
                throw new MigratorException(ErrorCode.FAILED, e.getMessage(), e);
            }
        }

        void failIfFailed() {
            RuntimeException e = failure.get();
            if (e != null) {
                throw e;
            }
        }

        /** Waits until no write is queued or running, whatever happened to them (failures stay in {@link #failure}). */
        void drainWrites() {
            int all = options.writers() * 2;
            inFlight.acquireUninterruptibly(all);
            inFlight.release(all);
        }

        void awaitWrites() {
            int all = options.writers() * 2;
            try {
                inFlight.acquire(all);
                inFlight.release(all);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted", e);
            }
            failIfFailed();
        }

        @Override
        public void close() {
            writers.shutdownNow();
            try {
                writers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deleteTree(spoolDir);
            closeLock();
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and waits for this close
            }
        }
    }

    /**
     * How one source's objects go into its target, decided once before the first is written:
     * <ul>
     *   <li>{@code fresh}: the target was empty, so an object is written without a stat first (none can be
     *       there), as long as the keys come in strictly increasing order (otherwise each is looked up);</li>
     *   <li>{@code batch}: the target's adapter makes the writes durable at the end, in one sync, instead of
     *       one by one ({@link BatchSync}); and, given the adapter itself, an object not there is created directly
     *       under its final name ({@code inPlace}, O_EXCL): a name found taken is looked at like any object found
     *       there, so nothing foreign is replaced. Before the first such write, the {@code marker} file in the state
     *       directory records that this target holds objects of this restore not yet known to be durable; it
     *       is removed once they are. A power loss before that may leave objects of ours truncated or missing:
     *       the same command finds the marker ({@code ours}), looks up every object, and replaces a different
     *       one instead of calling it a conflict. After {@code kill -9} the same holds for an object being created
     *       in place then (torn, under the marker); every object put is whole (temp file, rename), and the next run
     *       skips those that are identical as always.</li>
     * </ul>
     */
    static final class Writes implements AutoCloseable {
        final boolean fresh;
        final boolean ours;
        /** Where a missing object is created in place ({@link BatchSync#createInPlace}), under the marker; or null. */
        final BatchSync inPlace;
        private BatchSync batch;
        private final Path marker;
        private String lastKey;

        Writes(boolean fresh, boolean ours, BatchSync batch, BatchSync inPlace, Path marker) {
            this.fresh = fresh;
            this.ours = ours;
            this.batch = batch;
            this.inPlace = inPlace;
            this.marker = marker;
        }

        /** Whether the object must be looked up at the target first; called in entry order. */
        boolean mustLook(String key) {
            if (!fresh) {
                return true;
            }
            boolean increasing = lastKey == null || Keys.ORDER.compare(key, lastKey) > 0;
            if (increasing) {
                lastKey = key;
            }
            return !increasing;
        }

        /** After the last write: makes them durable, then drops the marker. */
        void finish() {
            if (batch != null) {
                BatchSync b = batch;
                batch = null;
                b.syncDeferred();
            }
            if (marker != null) {
                deleteQuietly(marker);
            }
        }

        /** On failure: still syncs what was written (so the marker can go); a failed sync keeps the marker. */
        @Override
        public void close() {
            if (batch != null) {
                try {
                    finish();
                } catch (RuntimeException keepMarker) {
                    // the next run finds the marker and treats what it finds as ours
                }
            }
        }
    }

    private static void writeDurably(Path file, String text) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot write " + file + ": " + e.getMessage(), e);
        }
        try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(file.getParent(), java.nio.file.StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // not every platform opens a directory; the file itself is synced
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover marker only makes the next run look up every object
        }
    }

    private static ObjectInfo info(Manifest.Entry m) {
        return new ObjectInfo(m.key(), m.size(), m.lastModified() == null ? null : Instants.parse(m.lastModified()), null, null, null);
    }

    /** Staging is temporary: what cannot be removed now is swept by the next restore with the same state. */
    private static void deleteTree(Path dir) {
        FileTrees.deleteQuietly(dir);
    }
}
