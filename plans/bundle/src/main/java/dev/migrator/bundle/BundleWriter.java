package dev.migrator.bundle;

import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.Database;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.FileTrees;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import dev.migrator.provider.Overlap;
import dev.migrator.provider.Retry;
import dev.migrator.provider.RetryingObjectStore;
import dev.migrator.provider.StateLock;
import dev.migrator.transfer.History;
import dev.migrator.transfer.Progress;
import dev.migrator.transfer.Selection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Writes a bundle: every source, one after the other, as one sequential stream of entries cut into
 * parts of about {@link BundleOptions#partSize()} stored bytes. Each part is built in a local spool
 * file while the previous ones upload in parallel ({@link BundleOptions#uploads()} at a time); a failed
 * upload is retried alone from its spool file. When every part is stored, the manifest and then
 * {@code SHA256SUMS} are written: a bundle without {@code SHA256SUMS} is incomplete.
 *
 * <p>Resume: every uploaded part is journaled in {@link BundleOptions#stateDir()}; run again with the
 * same sources, target and state directory and the writer keeps those parts and continues after
 * their last key (object sources are listed in key order). A database source whose dump did not
 * finish is dumped again, so that it stays one consistent snapshot.
 *
 * <p>A source with {@link BundleSource.Objects#history()} is bundled as every key's history in order (delete markers
 * as empty entries, older versions under {@code <source>/%v/}); a part that ends inside a key's history is journaled
 * as such, so a resumed run bundles that key's history again whole. Bundles with a history or bucket settings are
 * manifest version 3, all others version 2.
 *
 * <p>The target must be empty, or hold an interrupted bundle of the same state directory. Not
 * thread-safe: one {@link #create} per instance.
 */
public final class BundleWriter {
    private final ObjectStore target;
    private final ObjectStore rawTarget;
    private final BundleOptions options;
    private final Progress progress;
    private final Retry.Listener onRetry;
    private volatile Run running;
    private volatile boolean cancelled;

    public BundleWriter(ObjectStore target, BundleOptions options, Progress progress) {
        this.onRetry = (what, attempt, cause) -> progress.retrying(what, cause.getMessage());
        // Parts are uploaded with their own retry (a damaged arrival is retried too), so they go to the
        // store under the retry layer Stores put outermost: retrying there as well would multiply the attempts.
        this.rawTarget = target instanceof RetryingObjectStore r ? r.delegate() : target;
        this.target = RetryingObjectStore.around(target, options.retry(), onRetry);
        this.options = options;
        this.progress = progress;
    }

    /** Snapshots {@code sources} into a new bundle at the target and returns what was written. */
    public BundleRef create(List<BundleSource> sources) {
        if (sources.isEmpty()) {
            throw MigratorException.badInput("no source to bundle");
        }
        for (BundleSource s : sources) {
            if (s instanceof BundleSource.Objects o) {
                // A bundle inside its source would list its own parts; a source inside the bundle's location is in the way.
                Overlap.refuse("source", o.store(), "bundle", rawTarget);
                requireCapabilities(o);
            }
        }
        long start = System.nanoTime();
        boolean temporaryState = options.stateDir() == null;
        Path stateDir;
        try {
            stateDir = temporaryState ? Files.createTempDirectory("migrator-bundle-") : options.stateDir();
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot create a temporary directory: " + e.getMessage(), e);
        }
        // Held for the whole run: the same create started twice would build and upload every part twice.
        try (StateLock lock = StateLock.acquire(stateDir, "bundle create into " + target.displayUri())) {
            return create(sources, stateDir, temporaryState, start);
        } finally {
            // The lock file is all that is left of a finished run's state directory (a failed run keeps its journal).
            removeIfOnlyLock(stateDir);
        }
    }

    /** What {@code --versions all} and {@code --bucket-settings} need of a source, refused before anything is written. */
    private static void requireCapabilities(BundleSource.Objects o) {
        if (o.history() && !o.store().capabilities().versions()) {
            throw MigratorException.badInput(o.store().displayUri() + " does not keep object versions, so there is no history"
                    + " to bundle; drop --versions all");
        }
        if (o.bucketSettings() && o.store().bucketSettings().isEmpty()) {
            throw MigratorException.badInput("--bucket-settings: " + o.store().displayUri() + " has no bucket settings to bundle;"
                    + " drop the option");
        }
    }

    /** Removes a state directory that holds nothing but its (released) lock file. */
    static void removeIfOnlyLock(Path stateDir) {
        try {
            Path lock = stateDir.resolve("lock");
            try (Stream<Path> left = Files.list(stateDir)) {
                if (left.allMatch(lock::equals)) {
                    Files.deleteIfExists(lock);
                    Files.deleteIfExists(stateDir);
                }
            }
        } catch (IOException ignored) {
            // a leftover empty state directory is harmless
        }
    }

    private BundleRef create(List<BundleSource> sources, Path stateDir, boolean temporaryState, long start) {
        CreateJournal journal = CreateJournal.open(stateDir);
        if (target.stat(BundleLayout.SUMS).isPresent()) {
            if (!journal.started()) {
                throw new MigratorException(ErrorCode.CONFLICT, "there is already a bundle at " + target.displayUri()
                        + "; bundle into a new, empty location");
            }
            // An earlier run finished the bundle but was stopped before it could clean up.
            BundleRef done = BundleReader.open(target).ref(0, 0);
            journal.delete();
            return done;
        }
        if (!journal.started()) {
            try (Stream<ObjectInfo> existing = target.list("")) {
                existing.findFirst().ifPresent(o -> {
                    throw new MigratorException(ErrorCode.CONFLICT, target.displayUri() + " is not empty (it holds '" + o.key()
                            + "'); bundle into a new, empty location");
                });
            } catch (MigratorException e) {
                if (e.code() != ErrorCode.NOT_FOUND) {
                    throw e; // a local directory that does not exist yet is fine: the first put creates it
                }
            }
            journal.markStarted(keyId());
        } else if (!journal.startedWith().equals(keyId())) {
            throw MigratorException.badInput("the interrupted bundle in " + journal.dir() + " was started "
                    + (journal.startedWith().equals("none") ? "without encryption" : "with another encryption key")
                    + "; resume it the same way, or bundle into a new location with another --state");
        }
        Run run = new Run(journal);
        running = run;
        try {
            List<CreateJournal.SourceRecord> done = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) {
                done.add(run.source("s" + (i + 1), sources.get(i)));
            }
            progress.listingDone();
            run.awaitUploads();
            Manifest.Header header = writeManifest(journal, done);
            BundleRef ref = new BundleRef(target.displayUri(), done.size(), header.entries(), header.bytes(),
                    header.parts().size(), header.storedBytes(), run.resumed, run.vanished, (System.nanoTime() - start) / 1e9);
            journal.delete();
            return ref;
        } finally {
            run.close();
            if (temporaryState) {
                journal.delete();
            }
        }
    }

    /**
     * For Ctrl-C: no further part is started, and this returns once the parts being uploaded are stored and
     * journaled (or after 30 s), so that neither a half-written upload nor an unjournaled part is left
     * behind when the JVM exits; {@link #create} then fails with {@code INTERRUPTED} and the same
     * command resumes.
     */
    public void cancel() {
        cancelled = true;
        Run run = running;
        if (run != null) {
            run.drain();
        }
    }

    private Manifest.Header writeManifest(CreateJournal journal, List<CreateJournal.SourceRecord> done) {
        List<Manifest.Part> parts = new ArrayList<>();
        for (CreateJournal.SourceRecord s : done) {
            for (int n = 1; n <= s.parts(); n++) {
                parts.add(journal.part(s.source().id(), n).part());
            }
        }
        // Version 3 only when a source needs it, so that every other bundle stays readable by version 2 readers.
        int version = done.stream().anyMatch(s -> s.source().needsVersion3()) ? Manifest.VERSION : Manifest.VERSION_WITHOUT_HISTORY;
        Manifest.Header header = new Manifest.Header(Manifest.FORMAT, version, Instant.now().toString(), toolVersion(),
                done.stream().map(CreateJournal.SourceRecord::source).toList(), parts, encryptionInfo());
        Path file = journal.dir().resolve(BundleLayout.MANIFEST);
        MessageDigest sha = Digests.sha256();
        try (OutputStream out = new DigestOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)), sha)) {
            out.write((Manifest.line(header) + "\n").getBytes(StandardCharsets.UTF_8));
            for (Manifest.Part p : parts) {
                Files.copy(journal.entriesFile(p.name()), out);
            }
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot write the manifest " + file + ": " + e.getMessage(), e);
        }
        StringBuilder sums = new StringBuilder(Digests.hex(sha.digest())).append("  ").append(BundleLayout.MANIFEST).append('\n');
        for (Manifest.Part p : parts) {
            sums.append(p.sha256()).append("  ").append(p.name()).append('\n');
        }
        try {
            target.put(BundleLayout.MANIFEST, Content.of(file), new ObjectMetadata("application/x-ndjson", null, null, null, null));
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot read the manifest " + file + ": " + e.getMessage(), e);
        }
        // Written last: its presence is what says the bundle is complete.
        target.put(BundleLayout.SUMS, Content.of(sums.toString().getBytes(StandardCharsets.UTF_8)),
                new ObjectMetadata("text/plain", null, null, null, null));
        return header;
    }

    private String keyId() {
        return options.encryption() == null ? "none" : options.encryption().keyCheck();
    }

    private Manifest.EncryptionInfo encryptionInfo() {
        if (options.encryption() == null) {
            return null;
        }
        return new Manifest.EncryptionInfo(Encryption.SCHEME, options.encryption().keyCheck(), "the part's name, UTF-8, e.g. "
                + BundleLayout.partName("s1", 1, true), "Tink streaming AEAD (AES256_GCM_HKDF_1MB) with the 32-byte key given to"
                + " migrator (--key-file or " + Encryption.KEY_ENV + "); see docs/bundle-format.md, 'Encryption'");
    }

    static String toolVersion() {
        String v = BundleWriter.class.getPackage().getImplementationVersion();
        return "migrator " + (v == null ? "(development build)" : v);
    }

    /** The state of one create: the upload pool and what it has done. */
    private final class Run implements AutoCloseable {
        private final CreateJournal journal;
        private final ExecutorService uploads;
        private final Semaphore slots;
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        int resumed;
        long vanished;

        Run(CreateJournal journal) {
            this.journal = journal;
            this.uploads = Executors.newFixedThreadPool(options.uploads(), r -> {
                Thread t = new Thread(r, "bundle-upload");
                t.setDaemon(true);
                return t;
            });
            this.slots = new Semaphore(options.uploads());
        }

        CreateJournal.SourceRecord source(String id, BundleSource source) {
            CreateJournal.SourceRecord finished = journal.finishedSource(id);
            if (finished != null) {
                if (!finished.source().uri().equals(source.displayUri())) {
                    throw MigratorException.badInput("the interrupted bundle in " + journal.dir() + " has " + finished.source().uri()
                            + " as source " + id + ", not " + source.displayUri() + "; give the sources in the same order, or use another --state");
                }
                resumed += finished.parts();
                return finished;
            }
            Sink sink = new Sink(id);
            try {
                return source(id, source, sink);
            } catch (RuntimeException e) {
                sink.abandon(); // closes the part being built, so its spool writer thread ends; a rerun makes the part again
                throw e;
            }
        }

        private CreateJournal.SourceRecord source(String id, BundleSource source, Sink sink) {
            if (source instanceof BundleSource.Objects o) {
                BucketSettings settings = o.bucketSettings() ? settingsOf(o.store()) : null;
                sink.resumeFrom(journal.contiguousParts(id));
                if (o.history()) {
                    history(o.store(), sink);
                } else {
                    objects(o.store(), sink);
                }
                sink.end();
                return done(new Manifest.Source(id, source.displayUri(), Manifest.Source.OBJECTS, sink.entries, sink.bytes, null,
                        o.history() ? Manifest.Source.ALL_VERSIONS : null, settings), sink);
            }
            BundleSource.Db db = (BundleSource.Db) source;
            Database.Dump dump = database(db, id, sink);
            sink.end();
            return done(new Manifest.Source(id, source.displayUri(), Manifest.Source.DATABASE, sink.entries, sink.bytes, dump), sink);
        }

        private CreateJournal.SourceRecord done(Manifest.Source source, Sink sink) {
            awaitUploads(); // the source is finished only when all its parts are stored
            CreateJournal.SourceRecord record = new CreateJournal.SourceRecord(source, sink.number);
            journal.sourceDone(record);
            return record;
        }

        private void objects(ObjectStore rawSource, Sink sink) {
            ObjectStore source = RetryingObjectStore.around(rawSource, options.retry(), onRetry);
            String after = sink.lastKey;
            try (Stream<ObjectInfo> listing = source.list("")) {
                Iterator<Prefetcher.Wanted> it = listing.filter(o -> {
                    if (after != null && Keys.ORDER.compare(o.key(), after) <= 0) {
                        progress.listed(o);
                        progress.finished(o, Progress.Outcome.SKIPPED);
                        return false;
                    }
                    return true;
                }).map(Prefetcher.Wanted::current).iterator();
                read(source, it, sink);
            }
        }

        /**
         * Every key's history ({@code --versions all}), oldest entry first, as {@link History} has it (a delete
         * marker that deletes nothing is left out, as copy leaves it out); each entry knows its place in the history.
         */
        private void history(ObjectStore rawSource, Sink sink) {
            ObjectStore source = RetryingObjectStore.around(rawSource, options.retry(), onRetry);
            String after = sink.lastKey;
            try (Stream<ObjectVersion> versions = source.listVersions("")) {
                Iterator<History> histories = History.perKey(versions, Selection.ALL);
                Iterator<Prefetcher.Wanted> it = java.util.stream.StreamSupport.stream(java.util.Spliterators.spliteratorUnknownSize(
                                histories, java.util.Spliterator.ORDERED), false)
                        .filter(h -> {
                            boolean done = after != null && Keys.ORDER.compare(h.key(), after) <= 0;
                            if (done) {
                                h.entries().forEach(v -> {
                                    progress.listed(v.info());
                                    progress.finished(v.info(), Progress.Outcome.SKIPPED);
                                });
                            }
                            return !done;
                        })
                        .flatMap(h -> {
                            List<ObjectVersion> entries = h.entries();
                            List<Prefetcher.Wanted> wanted = new ArrayList<>(entries.size());
                            for (int i = 0; i < entries.size(); i++) {
                                ObjectVersion v = entries.get(i);
                                wanted.add(new Prefetcher.Wanted(v.info(), v, new Manifest.Version(v.versionId(), i + 1,
                                        i == entries.size() - 1, v.deleteMarker())));
                            }
                            return wanted.stream();
                        }).iterator();
                read(source, it, sink);
            }
        }

        /** Reads what {@code it} lists, ahead of the archive, into the sink. */
        private void read(ObjectStore source, Iterator<Prefetcher.Wanted> it, Sink sink) {
            try (Prefetcher ahead = new Prefetcher(source, it, options.readers())) {
                while (ahead.hasNext()) {
                    Prefetcher.Fetched f = ahead.next();
                    progress.listed(f.listed());
                    if (f.info() == null) {
                        vanished++;
                        progress.finished(f.listed(), Progress.Outcome.SKIPPED);
                        continue;
                    }
                    try (InputStream in = f.stream()) {
                        ObjectInfo info = f.info();
                        Manifest.Version version = f.version();
                        // A delete marker has no content: its listing's checksums (if any) are not its bytes'.
                        String md5 = version != null && version.deleteMarker() ? null : info.checksums().md5();
                        if (f.whole() != null && (version == null || !version.deleteMarker())) {
                            sink.add(info.key(), version, info.lastModified(), info.metadata(), md5, f.whole()); // hashed already
                        } else {
                            sink.add(info.key(), version, version != null && version.deleteMarker() ? 0 : info.size(),
                                    info.lastModified(), version != null && version.deleteMarker() ? null : info.metadata(), md5, in);
                        }
                    } catch (IOException e) {
                        throw new MigratorException(ErrorCode.FAILED, "reading '" + f.listed().key() + "' from "
                                + source.displayUri() + ": " + e.getMessage(), e);
                    }
                    progress.finished(f.info(), Progress.Outcome.COPIED);
                }
            }
        }

        /** The source bucket's settings ({@code --bucket-settings}), read before its objects. */
        private BucketSettings settingsOf(ObjectStore source) {
            BucketSettings.Access access = source.bucketSettings().orElseThrow(); // requireCapabilities checked it
            return options.retry().call("read the bucket settings of " + source.displayUri(), access::read, onRetry);
        }

        private Database.Dump database(BundleSource.Db db, String id, Sink sink) {
            Path dumpDir = journal.dir().resolve("dump-" + id);
            try {
                FileTrees.delete(dumpDir); // a killed run's dump: a file left in it would be bundled
                Files.createDirectories(dumpDir);
                Database.Dump dump = db.database().dump(dumpDir, db.options());
                List<Path> files;
                try (Stream<Path> walk = Files.walk(dumpDir)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path file : files) {
                    String key = dumpDir.relativize(file).toString().replace('\\', '/');
                    long size = Files.size(file);
                    ObjectInfo info = new ObjectInfo(key, size, Files.getLastModifiedTime(file).toInstant(), null, null, null);
                    progress.listed(info);
                    try (InputStream in = Files.newInputStream(file)) {
                        sink.add(key, null, size, info.lastModified(), null, null, in);
                    }
                    progress.finished(info, Progress.Outcome.COPIED);
                }
                FileTrees.deleteQuietly(dumpDir); // bundled; the state directory goes when the bundle is complete
                return dump;
            } catch (IOException e) {
                throw new MigratorException(ErrorCode.FAILED, "dumping " + db.displayUri() + " into " + dumpDir + ": " + e.getMessage(), e);
            }
        }

        /** Builds the parts of one source and hands each finished one to the upload pool. */
        private final class Sink {
            final String id;
            PartBuilder current;
            int number;
            long entries;
            long bytes;
            String lastKey;
            /** Whether the last entry added was not the last of its key's history. */
            boolean lastMidHistory;

            Sink(String id) {
                this.id = id;
            }

            /**
             * Keeps the parts an earlier run uploaded, up to the last one that ends with a whole object (the
             * pieces of an object cut short by the crash are made again).
             */
            void resumeFrom(List<CreateJournal.PartRecord> kept) {
                List<CreateJournal.PartRecord> pending = new ArrayList<>();
                for (CreateJournal.PartRecord r : kept) {
                    ObjectInfo there = target.stat(r.part().name()).orElse(null);
                    if (there == null || there.size() != r.part().size()) {
                        break; // lost at the target: make it again from here
                    }
                    pending.add(r);
                    if (r.continued()) {
                        continue;
                    }
                    for (CreateJournal.PartRecord p : pending) {
                        number = p.number();
                        entries += p.midObject() ? 0 : p.part().entries();
                        bytes += p.bytes();
                        lastKey = p.lastKey();
                        resumed++;
                    }
                    pending.clear();
                }
            }

            /**
             * Adds one object (or dump file) of {@code size} bytes; {@code md5} is the source's, or null; {@code version}
             * its place in its key's history, or null when the source is bundled without history.
             */
            void add(String key, Manifest.Version version, long size, Instant lastModified, ObjectMetadata metadata, String md5,
                     InputStream in) throws IOException {
                checkFailure();
                MessageDigest md = md5 == null ? null : Digests.md5();
                // A part that ends before the last entry of a key's history: a resumed run must not continue after that key.
                boolean midHistory = version != null && !version.latest();
                if (size <= options.partSize()) {
                    open().add(key, version, size, lastModified, metadata, in, null, null, md);
                    progress.transferred(size);
                    if (current.storedSoFar() >= options.partSize()) {
                        ship(false, midHistory);
                    }
                } else {
                    // Larger than a part: consecutive pieces, each in a part of its own, so parts stay bounded.
                    int count = (int) ((size + options.partSize() - 1) / options.partSize());
                    MessageDigest whole = Digests.sha256();
                    if (current != null) {
                        ship(false, lastMidHistory);
                    }
                    for (int i = 1; i <= count; i++) {
                        long length = Math.min(options.partSize(), size - (i - 1) * options.partSize());
                        open().add(key, version, length, lastModified, metadata, in, new int[] {i, count}, whole, md);
                        progress.transferred(length);
                        ship(i < count, midHistory);
                        checkFailure();
                    }
                }
                if (in.read() >= 0) {
                    throw MigratorException.retryable("'" + key + "' grew while it was read (expected " + size
                            + " bytes); run the same command again", null);
                }
                if (md != null && !Digests.hex(md.digest()).equals(md5)) {
                    throw md5Mismatch(key, md5);
                }
                entries++;
                bytes += size;
                lastMidHistory = midHistory;
            }

            /**
             * {@link #add} of an object a reader read whole and hashed ({@link Prefetcher.Whole}, exactly its size): the same
             * entry, the same checks, but the archive thread only copies the bytes. At most {@link Prefetcher#BUFFERED}
             * bytes, so never more than a part ({@link BundleOptions}: at least 1 MiB).
             */
            void add(String key, Manifest.Version version, Instant lastModified, ObjectMetadata metadata, String md5,
                     Prefetcher.Whole read) throws IOException {
                checkFailure();
                boolean midHistory = version != null && !version.latest();
                open().add(key, version, lastModified, metadata, read);
                progress.transferred(read.length());
                if (current.storedSoFar() >= options.partSize()) {
                    ship(false, midHistory);
                }
                if (md5 != null && !md5.equals(read.md5())) {
                    throw md5Mismatch(key, md5);
                }
                entries++;
                bytes += read.length();
                lastMidHistory = midHistory;
            }

            private MigratorException md5Mismatch(String key, String md5) {
                return new MigratorException(ErrorCode.INTEGRITY, "'" + key + "': the bytes read do not match the MD5 the source"
                        + " reports (" + md5 + "); the source changed while it was read or the transfer is corrupt; run the same"
                        + " command again");
            }

            private PartBuilder open() throws IOException {
                if (current == null) {
                    number++;
                    String name = BundleLayout.partName(id, number, options.encryption() != null);
                    current = new PartBuilder(name, id, journal.spoolFile(name), journal.entriesFile(name), options);
                }
                return current;
            }

            void end() {
                if (current != null) {
                    ship(false, false);
                }
            }

            /** Drops the part being built after a failure (the run fails; a rerun makes it again). */
            void abandon() {
                if (current != null) {
                    current.close();
                    current = null;
                }
            }

            private void ship(boolean midObject, boolean midHistory) {
                PartBuilder.Finished finished;
                try {
                    finished = current.finish();
                } catch (IOException e) {
                    throw new MigratorException(ErrorCode.FAILED, "writing part " + current.name() + " to " + journal.dir()
                            + ": " + e.getMessage() + " (is the disk full? use --state DIR elsewhere)", e);
                } finally {
                    current = null;
                }
                int partNumber = number;
                if (cancelled) {
                    throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted; run the same command again to resume", null);
                }
                try {
                    slots.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted", e);
                }
                if (cancelled) {
                    slots.release();
                    throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted; run the same command again to resume", null);
                }
                uploads.execute(() -> {
                    try {
                        upload(finished);
                        journal.partDone(new CreateJournal.PartRecord(finished.part(), finished.bytes(), finished.lastKey(), partNumber,
                                midObject, midHistory));
                        Files.deleteIfExists(finished.file());
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    } catch (IOException e) {
                        // the spool file could not be removed; harmless
                    } finally {
                        slots.release();
                    }
                });
            }
        }

        private void upload(PartBuilder.Finished f) {
            String name = f.part().name();
            Content content;
            try {
                // A local target on the same file system takes the spool file by renaming it (no second write), with
                // the MD5 hashed as the part was written (no second read); another store checks the bytes against it.
                content = Content.movable(f.file(), Checksums.md5(f.md5()));
            } catch (IOException e) {
                throw new MigratorException(ErrorCode.FAILED, "cannot read spooled part " + f.file() + ": " + e.getMessage(), e);
            }
            options.retry().call("upload " + name, () -> {
                ObjectInfo stored = rawTarget.put(name, content, new ObjectMetadata("application/zstd", null, null, null, null));
                if (stored.size() != f.part().size()
                        || (stored.checksums().md5() != null && !stored.checksums().md5().equals(f.md5()))) {
                    throw MigratorException.retryable("part " + name + " arrived damaged at " + target.displayUri() + " (stored "
                            + stored.size() + " bytes, md5 " + stored.checksums().md5() + "; sent " + f.part().size() + ", " + f.md5() + ")", null);
                }
                return stored;
            }, onRetry);
        }

        private void checkFailure() {
            RuntimeException e = failure.get();
            if (e != null) {
                throw e;
            }
        }

        void awaitUploads() {
            try {
                slots.acquire(options.uploads());
                slots.release(options.uploads());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted", e);
            }
            checkFailure();
        }

        /** Waits (up to 30 s) until no upload is in flight. */
        void drain() {
            try {
                if (slots.tryAcquire(options.uploads(), 30, TimeUnit.SECONDS)) {
                    slots.release(options.uploads());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Lets uploads in flight finish (and be journaled) even when the run failed, so a rerun keeps them. */
        @Override
        public void close() {
            uploads.shutdown();
            try {
                if (!uploads.awaitTermination(5, TimeUnit.MINUTES)) {
                    uploads.shutdownNow();
                }
            } catch (InterruptedException e) {
                uploads.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
