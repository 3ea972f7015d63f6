package dev.migrator.bundle;

import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StateLock;
import dev.migrator.transfer.Progress;
import dev.migrator.transfer.RetryingObjectStore;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
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
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Reads a bundle: {@link #inspect} (the manifest's header only), {@link #verify} (every byte and every
 * checksum) and {@link #restore} (entries into object stores or databases, each entry's checksum
 * checked before it is written). Names in an archive are never trusted: an entry must be a regular file
 * whose name is safe ({@link BundleLayout#requireSafe}) and is the next one the manifest lists;
 * anything else is refused before a byte of it is written.
 */
public final class BundleReader {
    public static final int MAX_REPORTED = 1000;
    /** Entries up to this size are held in memory between reading and writing; larger ones in a temp file. */
    static final int IN_MEMORY = 4 << 20;

    private final ObjectStore bundle;
    private final Retry.Listener onRetry;
    private final Retry retry;
    private final Encryption key;

    private BundleReader(ObjectStore bundle, Retry retry, Progress progress, Encryption key) {
        this.key = key;
        this.onRetry = (what, attempt, cause) -> progress.retrying(what, cause.getMessage());
        this.retry = retry;
        this.bundle = bundle instanceof RetryingObjectStore ? bundle : new RetryingObjectStore(bundle, retry, onRetry);
    }

    /** A reader of the bundle at {@code bundle} (the store rooted at the bundle's location). */
    public static BundleReader open(ObjectStore bundle) {
        return open(bundle, Retry.DEFAULT, Progress.NONE);
    }

    public static BundleReader open(ObjectStore bundle, Retry retry, Progress progress) {
        return open(bundle, retry, progress, null);
    }

    /** A reader with the key of an encrypted bundle ({@code null} for an unencrypted one). */
    public static BundleReader open(ObjectStore bundle, Retry retry, Progress progress, Encryption key) {
        BundleReader r = new BundleReader(bundle, retry, progress, key);
        if (r.bundle.stat(BundleLayout.SUMS).isEmpty() && r.bundle.stat(BundleLayout.MANIFEST).isEmpty()) {
            throw MigratorException.notFound("no bundle at " + bundle.displayUri() + " (no " + BundleLayout.MANIFEST
                    + " or " + BundleLayout.SUMS + "); give the location 'migrator bundle create' printed");
        }
        return r;
    }

    public String displayUri() {
        return bundle.displayUri();
    }

    /** The manifest's header: sources, parts, sizes, created-at. Reads no data part. */
    public Manifest.Header inspect() {
        try (ManifestReader m = new ManifestReader(bundle)) {
            return m.header();
        }
    }

    BundleRef ref(int resumed, double seconds) {
        Manifest.Header h = inspect();
        return new BundleRef(bundle.displayUri(), h.sources().size(), h.entries(), h.bytes(), h.parts().size(), h.storedBytes(),
                resumed, 0, seconds);
    }

    // ---------------------------------------------------------------- verify

    /**
     * Reads every part and checks every checksum: {@code SHA256SUMS} against the manifest and the parts,
     * each part's size and SHA-256, each entry's name, size and SHA-256. Never throws for damage: every
     * damaged file or entry is in the report.
     */
    public BundleCheck verify(Progress progress) {
        long start = System.nanoTime();
        Report report = new Report();
        Map<String, String> sums = readSums(report);
        String manifestSha = sha256Of(BundleLayout.MANIFEST, report);
        if (sums != null && manifestSha != null && !manifestSha.equals(sums.get(BundleLayout.MANIFEST))) {
            report.add(BundleLayout.MANIFEST, "SHA-256 is " + manifestSha + " but " + BundleLayout.SUMS + " says "
                    + sums.get(BundleLayout.MANIFEST) + ": the manifest (or " + BundleLayout.SUMS + ") is damaged");
        }
        ManifestReader manifest = null;
        try {
            manifest = new ManifestReader(bundle);
        } catch (MigratorException e) {
            if (manifestSha != null) {
                report.add(BundleLayout.MANIFEST, "unreadable: " + e.getMessage());
            }
        }
        int parts = 0;
        try {
            List<Manifest.Part> list;
            if (manifest != null) {
                requireKey(manifest.header());
                // What restore would refuse, so that "intact" means restore takes every entry.
                checkManifest(manifest.header(), problem -> report.add(BundleLayout.MANIFEST, problem.getMessage()));
                list = manifest.header().parts();
                if (sums != null) {
                    for (Manifest.Part p : list) {
                        if (!sums.containsKey(p.name())) {
                            report.add(p.name(), "not listed in " + BundleLayout.SUMS);
                        } else if (!sums.get(p.name()).equals(p.sha256())) {
                            report.add(p.name(), "the manifest and " + BundleLayout.SUMS + " disagree on its SHA-256");
                        }
                    }
                }
                manifest.header().parts().forEach(p -> progress.listed(new ObjectInfo(p.name(), p.size(), null, null, null, null)));
            } else if (sums != null) {
                // Without a readable manifest the parts can still be checked against SHA256SUMS.
                list = sums.entrySet().stream().filter(e -> !e.getKey().equals(BundleLayout.MANIFEST))
                        .map(e -> new Manifest.Part(e.getKey(), null, -1, e.getValue(), -1,
                                e.getKey().endsWith(BundleLayout.ENCRYPTED_SUFFIX))).toList();
            } else {
                list = List.of();
            }
            progress.listingDone();
            boolean manifestInSync = manifest != null;
            for (Manifest.Part part : list) {
                parts++;
                manifestInSync = checkPart(part, manifestInSync ? manifest : null, sums, report, progress) && manifestInSync;
            }
        } finally {
            if (manifest != null) {
                manifest.close();
            }
        }
        return new BundleCheck(parts, report.entries, report.bytes, report.count, report.list, (System.nanoTime() - start) / 1e9);
    }

    /** Checks one part; returns whether the manifest cursor is still in step with the parts. */
    private boolean checkPart(Manifest.Part part, ManifestReader manifest, Map<String, String> sums, Report report, Progress progress) {
        ObjectInfo asListed = new ObjectInfo(part.name(), Math.max(0, part.size()), null, null, null, null);
        long expected = manifest == null ? 0 : part.entries();
        long seen = 0;
        boolean inSync = true;
        HashingStream raw;
        try {
            raw = new HashingStream(bundle.open(part.name(), 0, -1));
        } catch (MigratorException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            report.add(part.name(), "missing: the part is not in the bundle (" + Math.max(0, part.entries()) + " entries are lost with it)");
            progress.finished(asListed, Progress.Outcome.FAILED);
            return skipEntries(manifest, expected, report);
        }
        boolean good = true;
        boolean stopped = false; // an entry larger than the manifest says: the rest of the part is not expanded
        String current = null;
        try (raw; ZstdCompressorInputStream zstd = new ZstdCompressorInputStream(plain(part, raw));
             TarArchiveInputStream tar = new TarArchiveInputStream(zstd, StandardCharsets.UTF_8.name())) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                try {
                    requireRegular(e, part.name());
                } catch (MigratorException refused) {
                    report.add(part.name(), refused.getMessage());
                    good = false;
                }
                Manifest.Entry m = null;
                if (manifest != null) {
                    if (seen >= expected) {
                        report.add(part.name(), "holds more entries than the manifest lists (" + expected + "), e.g. '" + e.getName() + "'");
                        good = false;
                        break;
                    }
                    try {
                        m = manifest.next();
                    } catch (IOException bad) {
                        report.add(BundleLayout.MANIFEST, "unreadable: " + bad.getMessage());
                        inSync = false;
                        manifest = null;
                    }
                    seen++;
                }
                current = m == null ? e.getName() : m.key();
                if (m != null && e.getSize() != m.size()) {
                    // Read no further than declared: an entry that expands beyond it is damage (or a decompression bomb).
                    report.add(part.name() + ": " + m.key(), "damaged: the archive holds " + e.getSize() + " bytes where the manifest says "
                            + m.size() + "; the rest of the part was not read");
                    good = false;
                    stopped = true;
                    break;
                }
                Hashed h = hash(tar, null, e.getSize());
                if (m == null || !m.isPiece() || m.piece().equals(m.pieces())) {
                    report.entries++; // objects, not pieces
                }
                report.bytes += h.size;
                progress.transferred(h.size);
                if (m == null) {
                    continue;
                }
                if (!e.getName().equals(m.path())) {
                    report.add(part.name() + ": " + m.key(), "the archive has '" + e.getName() + "' where the manifest lists '" + m.path() + "'");
                    good = false;
                } else if (h.size != m.size() || !h.sha256.equals(m.sha256())) {
                    report.add(part.name() + ": " + m.key(), "damaged: " + h.size + " bytes with SHA-256 " + h.sha256
                            + ", the manifest says " + m.size() + " bytes, " + m.sha256());
                    good = false;
                }
            }
            if (manifest != null && seen < expected) {
                if (!stopped) {
                    report.add(part.name(), (expected - seen) + " entries listed in the manifest are not in the archive");
                    good = false;
                }
                inSync = skipEntries(manifest, expected - seen, report);
            }
            if (!stopped) {
                zstd.transferTo(OutputStream.nullOutputStream()); // the frame's own checksum is checked at its end
            }
            raw.transferTo(OutputStream.nullOutputStream()); // the stored bytes, for the part's SHA-256
        } catch (IOException | RuntimeException e) {
            report.add(part.name(), "unreadable after " + raw.count + " bytes" + (current == null ? "" : " (in or after '" + current + "')")
                    + ": " + e.getMessage() + " (truncated or corrupt)");
            good = false;
            if (manifest != null && seen < expected) {
                inSync = skipEntries(manifest, expected - seen, report) && inSync;
            }
        }
        String sha = raw.digest();
        if (part.size() >= 0 && raw.count != part.size()) {
            report.add(part.name(), "is " + raw.count + " bytes, the manifest says " + part.size() + (raw.count < part.size() ? " (truncated)" : ""));
            good = false;
        } else if (!sha.equals(part.sha256()) || (sums != null && sums.containsKey(part.name()) && !sha.equals(sums.get(part.name())))) {
            report.add(part.name(), "SHA-256 is " + sha + ", expected " + part.sha256());
            good = false;
        }
        progress.finished(asListed, good ? Progress.Outcome.COPIED : Progress.Outcome.FAILED);
        return inSync;
    }

    /** The part's tar.zst bytes: decrypted when the part is encrypted. */
    private InputStream plain(Manifest.Part part, InputStream raw) throws IOException {
        if (!part.encrypted()) {
            return raw;
        }
        if (key == null) {
            throw MigratorException.badInput(part.name() + " is encrypted; give its key (--key-file FILE or " + Encryption.KEY_ENV + ")");
        }
        // A zstd reader may stop short of the end; the rest of the ciphertext is drained through raw.
        return key.decrypt(raw, part.name());
    }

    /** An encrypted bundle needs its key, and the right one: a wrong key is bad input, not damage. */
    private void requireKey(Manifest.Header header) {
        Manifest.EncryptionInfo info = header.encryption();
        if (info == null) {
            return;
        }
        if (key == null) {
            throw MigratorException.badInput(bundle.displayUri() + " is encrypted (" + info.scheme() + "); give its key with"
                    + " --key-file FILE or the environment variable " + Encryption.KEY_ENV);
        }
        if (!key.keyCheck().equals(info.keyCheck())) {
            throw MigratorException.badInput("the key given is not the key of " + bundle.displayUri() + " (its key check is "
                    + info.keyCheck() + ", the given key's is " + key.keyCheck() + ")");
        }
    }

    private static boolean skipEntries(ManifestReader manifest, long n, Report report) {
        if (manifest == null) {
            return false;
        }
        try {
            for (long i = 0; i < n; i++) {
                manifest.next();
            }
            return true;
        } catch (IOException e) {
            report.add(BundleLayout.MANIFEST, "unreadable: " + e.getMessage());
            return false;
        }
    }

    private Map<String, String> readSums(Report report) {
        Map<String, String> sums = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(bundle.open(BundleLayout.SUMS, 0, -1), StandardCharsets.UTF_8))) {
            int n = 0;
            for (String line; (line = r.readLine()) != null; ) {
                n++;
                int sep = line.indexOf("  ");
                if (sep != 64 || !line.substring(0, 64).matches("[0-9a-f]{64}")) {
                    report.add(BundleLayout.SUMS, "line " + n + " is not '<sha256>  <name>'");
                    continue;
                }
                sums.put(line.substring(sep + 2), line.substring(0, sep));
            }
        } catch (MigratorException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            report.add(BundleLayout.SUMS, "missing: the bundle is incomplete (its creation did not finish) or damaged");
            return null;
        } catch (IOException e) {
            report.add(BundleLayout.SUMS, "unreadable: " + e.getMessage());
            return null;
        }
        if (!sums.containsKey(BundleLayout.MANIFEST)) {
            report.add(BundleLayout.SUMS, "does not list " + BundleLayout.MANIFEST);
        }
        return sums;
    }

    private String sha256Of(String name, Report report) {
        try (HashingStream in = new HashingStream(bundle.open(name, 0, -1))) {
            in.transferTo(OutputStream.nullOutputStream());
            return in.digest();
        } catch (MigratorException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            report.add(name, "missing");
            return null;
        } catch (IOException e) {
            report.add(name, "unreadable: " + e.getMessage());
            return null;
        }
    }

    // ---------------------------------------------------------------- restore

    /**
     * Restores the sources named in {@code targets} (source id to target). Before anything is written,
     * the manifest is checked against {@code SHA256SUMS} and every entry name in it is checked. Each
     * entry is then read, checked against its SHA-256 and only then written; an object the target
     * already holds identically is skipped (so running the same restore again resumes it), one it holds
     * differently is a conflict, left alone unless {@link RestoreOptions#overwrite}.
     */
    public RestoreSummary restore(Map<String, RestoreTarget> targets, RestoreOptions options, Progress progress) {
        long start = System.nanoTime();
        Manifest.Header header = inspect();
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
        }
        checkManifestAgainstSums();
        requireKey(header);
        checkManifest(header, problem -> {
            throw problem;
        });
        Restore run = new Restore(options, progress);
        try (ManifestReader manifest = new ManifestReader(bundle)) {
            for (Manifest.Source s : header.sources()) {
                RestoreTarget target = targets.get(s.id());
                List<Manifest.Part> parts = header.parts().stream().filter(p -> p.source().equals(s.id())).toList();
                if (target instanceof RestoreTarget.Objects o) {
                    ObjectStore store = new RetryingObjectStore(o.store(), options.retry(), onRetry);
                    for (Manifest.Part p : parts) {
                        run.part(p, manifest, (m, data) -> run.object(store, m, data));
                    }
                    run.checkComplete();
                    run.awaitWrites();
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
                List.copyOf(run.problems), (System.nanoTime() - start) / 1e9);
    }

    private void checkManifestAgainstSums() {
        Report report = new Report();
        Map<String, String> sums = readSums(report);
        String sha = sha256Of(BundleLayout.MANIFEST, report);
        if (sums == null || sha == null || !sha.equals(sums.get(BundleLayout.MANIFEST))) {
            throw new MigratorException(ErrorCode.INTEGRITY, "cannot trust the bundle at " + bundle.displayUri() + ": "
                    + (report.list.isEmpty() ? BundleLayout.MANIFEST + " does not match " + BundleLayout.SUMS : report.list.get(0))
                    + "; nothing was restored; run 'migrator bundle verify' for details");
        }
    }

    /**
     * Everything restore refuses in the manifest, in one place: restore runs it before the first byte is
     * written and stops at the first problem ({@code problem} throws); verify runs it and reports each, so
     * that a bundle verify calls intact is one restore takes whole. Checked: every part and entry name is
     * safe, each part belongs to a source of the header, each entry lies in the part and source the header
     * says, keys are valid, no entry names a part the header does not list (restore would skip it), and
     * each source holds the number of entries the header gives it.
     */
    private void checkManifest(Manifest.Header header, java.util.function.Consumer<MigratorException> problem) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        header.sources().forEach(s -> ids.add(s.id()));
        for (Manifest.Part p : header.parts()) {
            try {
                BundleLayout.requireSafe(p.name(), BundleLayout.MANIFEST);
                if (!ids.contains(p.source())) {
                    throw MigratorException.badInput("refusing part " + p.name() + " in " + BundleLayout.MANIFEST + ": it belongs to source '"
                            + p.source() + "', which the header does not list (restore would skip it); the bundle was tampered with");
                }
            } catch (MigratorException e) {
                problem.accept(e);
            }
        }
        Map<String, Long> objects = new LinkedHashMap<>();
        try (ManifestReader m = new ManifestReader(bundle)) {
            for (Manifest.Part p : header.parts()) {
                for (long i = 0; i < p.entries(); i++) {
                    Manifest.Entry e = m.next();
                    if (!e.isPiece() || e.piece().equals(e.pieces())) {
                        objects.merge(p.source(), 1L, Long::sum); // objects, not pieces
                    }
                    try {
                        BundleLayout.requireSafe(e.path(), BundleLayout.MANIFEST);
                        if (!p.name().equals(e.part()) || !e.path().startsWith(p.source() + "/")) {
                            throw MigratorException.badInput("refusing entry '" + e.path() + "' on line " + m.line() + " of " + BundleLayout.MANIFEST
                                    + ": it is listed under part " + p.name() + " of source " + p.source() + "; the bundle was tampered with");
                        }
                        Keys.requireValid(e.key());
                        if (Manifest.Source.DATABASE.equals(kindOf(header, p.source()))) {
                            BundleLayout.requireSafe(e.key(), BundleLayout.MANIFEST); // dump files become local files
                        }
                    } catch (MigratorException x) {
                        problem.accept(x);
                    }
                }
            }
            for (Manifest.Entry e; (e = m.nextIfAny()) != null; ) {
                problem.accept(MigratorException.badInput("refusing entry '" + e.path() + "' on line " + m.line() + " of "
                        + BundleLayout.MANIFEST + ": it names part " + e.part() + ", which the header does not list (restore would"
                        + " skip it); the bundle was tampered with or damaged"));
            }
        } catch (IOException e) {
            problem.accept(ManifestReader.failure(bundle, e));
            return;
        }
        for (Manifest.Source s : header.sources()) {
            long held = objects.getOrDefault(s.id(), 0L);
            if (held != s.entries()) {
                problem.accept(MigratorException.badInput("refusing source " + s.id() + " in " + BundleLayout.MANIFEST + ": the header says it has "
                        + s.entries() + " entries, its parts hold " + held + "; the bundle was tampered with or damaged"));
            }
        }
    }

    /**
     * Throws {@code BAD_INPUT} unless the tar entry is a regular file with a safe name: links, directories,
     * FIFOs and devices are refused (a bundle holds only regular files). Restore and verify both use it.
     */
    private static void requireRegular(TarArchiveEntry e, String where) {
        byte type = e.getLinkFlag();
        if (type != TarConstants.LF_NORMAL && type != TarConstants.LF_OLDNORM || e.getName().endsWith("/")) {
            String kind = e.isSymbolicLink() ? "symbolic link" : e.isLink() ? "hard link" : e.isDirectory() ? "directory"
                    : e.isFIFO() ? "FIFO" : e.isCharacterDevice() || e.isBlockDevice() ? "device" : "special file (tar type '" + (char) type + "')";
            throw MigratorException.badInput("refusing entry '" + e.getName() + "' in " + where + ": it is a " + kind
                    + "; a bundle holds only regular files, so this one was not written by migrator or was tampered with");
        }
        BundleLayout.requireSafe(e.getName(), where);
    }

    private static String kindOf(Manifest.Header header, String sourceId) {
        return header.sources().stream().filter(s -> s.id().equals(sourceId)).map(Manifest.Source::kind).findFirst().orElse("");
    }

    /** Verified bytes of one entry, replayable for retries. */
    interface EntrySink {
        void accept(Manifest.Entry entry, Verified data) throws IOException;
    }

    /** An entry's bytes, checked against the manifest, with their MD5 (to compare with what a store reports). */
    record Verified(Content content, String md5, Path spooled) {
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

        /** Reads one part, checks each entry and hands it to {@code sink}. */
        void part(Manifest.Part part, ManifestReader manifest, EntrySink sink) {
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
            try (raw; ZstdCompressorInputStream zstd = new ZstdCompressorInputStream(plain(part, raw));
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
                        piece(tar, m, where, sink);
                        continue;
                    }
                    progress.listed(info(m));
                    Verified data = read(tar, m, where);
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
        private void piece(InputStream tar, Manifest.Entry m, String where, EntrySink sink) throws IOException {
            if (m.piece() == 1) {
                unfinishedPieces();
                assembly = spoolFile("object-");
                assemblyOut = Files.newOutputStream(assembly);
                assemblyFirst = m;
                nextPiece = 1;
                assemblySize = 0;
                assemblySha = Digests.sha256();
                assemblyMd5 = Digests.md5();
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
                assemblyMd5.update(buf, 0, n);
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
                        m.objectSha256(), m.lastModified(), m.metadata());
                Path file = assembly;
                assembly = null;
                assemblyFirst = null;
                progress.listed(info(whole));
                failIfFailed();
                sink.accept(whole, new Verified(Content.movable(file), Digests.hex(assemblyMd5.digest()), file));
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

        private Verified read(InputStream tar, Manifest.Entry m, String where) throws IOException {
            Hashed h;
            Content content;
            Path spooled = null;
            if (m.size() <= IN_MEMORY) {
                java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream((int) m.size());
                h = hash(tar, buf, m.size());
                byte[] bytes = buf.toByteArray();
                content = Content.of(bytes);
            } else {
                spooled = spoolFile("entry-");
                try (OutputStream out = Files.newOutputStream(spooled)) {
                    h = hash(tar, out, m.size());
                }
                content = Content.movable(spooled);
            }
            if (h.size != m.size() || !h.sha256.equals(m.sha256())) {
                if (spooled != null) {
                    Files.deleteIfExists(spooled);
                }
                throw new MigratorException(ErrorCode.INTEGRITY, "entry '" + m.key() + "' in " + where + " is damaged (" + h.size
                        + " bytes, SHA-256 " + h.sha256 + "; the manifest says " + m.size() + ", " + m.sha256()
                        + "); it was not written; run 'migrator bundle verify'");
            }
            return new Verified(content, h.md5, spooled);
        }

        /**
         * A new spool file with the default permissions (not createTempFile's owner-only ones): a local
         * target may rename it into place, and then it must look like any file the store writes.
         */
        private Path spoolFile(String prefix) throws IOException {
            return Files.createFile(spoolDir.resolve(prefix + java.util.UUID.randomUUID() + ".tmp"));
        }

        /** Writes one verified object on a writer thread. */
        void object(ObjectStore target, Manifest.Entry m, Verified data) {
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted", e);
            }
            writers.execute(() -> {
                try {
                    writeObject(target, m, data);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    data.discard();
                    inFlight.release();
                }
            });
        }

        private void writeObject(ObjectStore target, Manifest.Entry m, Verified data) {
            ObjectMetadata metadata = m.metadata() == null ? ObjectMetadata.EMPTY : m.metadata().toObjectMetadata();
            Optional<ObjectInfo> there = target.stat(m.key());
            if (there.isPresent()) {
                String difference = difference(target, there.get(), m, data.md5(), metadata);
                if (difference == null) {
                    skipped.incrementAndGet();
                    progress.finished(info(m), Progress.Outcome.SKIPPED);
                    return;
                }
                if (!options.overwrite()) {
                    conflicts.incrementAndGet();
                    if (problems.size() < MAX_REPORTED) {
                        problems.add("CONFLICT " + m.key() + ": " + target.displayUri() + " holds a different object (" + difference
                                + "); left alone (use --overwrite to replace it)");
                    }
                    progress.finished(info(m), Progress.Outcome.FAILED);
                    return;
                }
            }
            options.retry().call("write " + m.key(), () -> {
                ObjectInfo stored = target.put(m.key(), data.content(), metadata);
                if (stored.size() != m.size() || (stored.checksums().md5() != null && !stored.checksums().md5().equals(data.md5()))) {
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
                    theirs = hash(in, null, Long.MAX_VALUE).md5;
                } catch (IOException e) {
                    throw new MigratorException(ErrorCode.FAILED, "reading '" + m.key() + "' from " + target.displayUri() + ": " + e.getMessage(), e);
                }
            }
            if (!theirs.equals(md5)) {
                return "md5 " + theirs + " vs " + md5;
            }
            ObjectMetadata existing = there.metadata() == null ? ObjectMetadata.EMPTY : there.metadata();
            return existing.sameAs(metadata) ? null : "metadata differs";
        }

        void database(Manifest.Source s, List<Manifest.Part> parts, ManifestReader manifest, RestoreTarget.Db target) {
            Path dir = spoolDir.resolve("dump-" + s.id());
            try {
                Files.createDirectories(dir);
                for (Manifest.Part p : parts) {
                    part(p, manifest, (m, data) -> {
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

    private static ObjectInfo info(Manifest.Entry m) {
        return new ObjectInfo(m.key(), m.size(), m.lastModified() == null ? null : Instant.parse(m.lastModified()), null, null, null);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files
        }
    }

    // ---------------------------------------------------------------- hashing helpers

    private record Hashed(long size, String sha256, String md5) {
    }

    /**
     * Reads {@code in} to its end but never past {@code limit} bytes (copying to {@code out} if not null),
     * hashing SHA-256 and MD5; a stream longer than {@code limit} is reported as {@code limit + 1} bytes.
     */
    private static Hashed hash(InputStream in, OutputStream out, long limit) throws IOException {
        MessageDigest sha = Digests.sha256();
        MessageDigest md5 = Digests.md5();
        byte[] buf = new byte[256 * 1024];
        long size = 0;
        for (int n; size <= limit && (n = in.read(buf, 0, limit - size >= buf.length ? buf.length : (int) (limit - size) + 1)) > 0; ) {
            sha.update(buf, 0, n);
            md5.update(buf, 0, n);
            if (out != null) {
                out.write(buf, 0, n);
            }
            size += n;
        }
        return new Hashed(size, Digests.hex(sha.digest()), Digests.hex(md5.digest()));
    }

    /** Counts and SHA-256-hashes the raw bytes of a part as they are read. */
    private static final class HashingStream extends FilterInputStream {
        private final MessageDigest sha = Digests.sha256();
        long count;

        HashingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                sha.update((byte) b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                sha.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[8192];
            long done = 0;
            while (done < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        String digest() {
            return Digests.hex(sha.digest());
        }
    }

    /** Damage found by verify, the first {@link #MAX_REPORTED} kept. */
    private static final class Report {
        final List<Damage> list = new ArrayList<>();
        long count;
        long entries;
        long bytes;

        void add(String what, String detail) {
            count++;
            if (list.size() < MAX_REPORTED) {
                list.add(new Damage(what, detail));
            }
        }
    }
}
