package dev.migrator.bundle;

import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A bundle on a store as {@link BundleVerifier} and {@link BundleRestorer} both read it: its files'
 * streams (decrypted with the bundle's key), and the checks the two share, so that a bundle verify
 * calls intact is one restore takes whole: {@link #checkManifest} (everything restore refuses in the
 * manifest), {@link #requireRegular} (an archive entry is a regular file with a safe name),
 * {@link #requireKey}, and {@code SHA256SUMS} against the manifest.
 */
final class BundleArchive {
    private final ObjectStore bundle;
    private final Encryption key;

    /** {@code bundle}: the store rooted at the bundle's location, already retrying. */
    BundleArchive(ObjectStore bundle, Encryption key) {
        this.bundle = bundle;
        this.key = key;
    }

    ObjectStore store() {
        return bundle;
    }

    /** The manifest's header. */
    Manifest.Header header() {
        try (ManifestReader m = new ManifestReader(bundle)) {
            return m.header();
        }
    }

    /** The part's tar.zst bytes: decrypted when the part is encrypted. */
    InputStream plain(Manifest.Part part, InputStream raw) throws IOException {
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
    void requireKey(Manifest.Header header) {
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

    static boolean skipEntries(ManifestReader manifest, long n, Report report) {
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

    Map<String, String> readSums(Report report) {
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

    String sha256Of(String name, Report report) {
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

    /** Throws {@code INTEGRITY} unless {@code SHA256SUMS} is readable and lists the manifest's SHA-256. */
    void checkManifestAgainstSums() {
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
    void checkManifest(Manifest.Header header, java.util.function.Consumer<MigratorException> problem) {
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
        Map<String, HistoryCheck> histories = new LinkedHashMap<>();
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
                        histories.computeIfAbsent(p.source(), id -> new HistoryCheck(sourceOf(header, id))).next(e, m.line());
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
        for (HistoryCheck h : histories.values()) {
            try {
                h.end();
            } catch (MigratorException x) {
                problem.accept(x);
            }
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
    static void requireRegular(TarArchiveEntry e, String where) {
        byte type = e.getLinkFlag();
        if (type != TarConstants.LF_NORMAL && type != TarConstants.LF_OLDNORM || e.getName().endsWith("/")) {
            String kind = e.isSymbolicLink() ? "symbolic link" : e.isLink() ? "hard link" : e.isDirectory() ? "directory"
                    : e.isFIFO() ? "FIFO" : e.isCharacterDevice() || e.isBlockDevice() ? "device" : "special file (tar type '" + (char) type + "')";
            throw MigratorException.badInput("refusing entry '" + e.getName() + "' in " + where + ": it is a " + kind
                    + "; a bundle holds only regular files, so this one was not written by migrator or was tampered with");
        }
        BundleLayout.requireSafe(e.getName(), where);
    }

    static Manifest.Source sourceOf(Manifest.Header header, String sourceId) {
        return header.sources().stream().filter(s -> s.id().equals(sourceId)).findFirst().orElse(null);
    }

    /**
     * The version lists of one source, entry by entry: in a source bundled with its history, each key's entries are
     * consecutive (keys in increasing order), the last of them and only it is {@code latest}, and a history does not
     * start with a delete marker (restore would delete nothing); a source without history has no version fields.
     */
    private static final class HistoryCheck {
        private final Manifest.Source source;
        private String key;
        private boolean latestSeen;
        private long keyLine;

        HistoryCheck(Manifest.Source source) {
            this.source = source;
        }

        void next(Manifest.Entry e, long line) {
            boolean history = source != null && source.hasHistory();
            String at = "entry '" + e.path() + "' on line " + line + " of " + BundleLayout.MANIFEST;
            if (!history) {
                if (e.versionId() != null || e.latest() != null || e.deleteMarker() != null) {
                    throw MigratorException.badInput("refusing " + at + ": it has version fields, but its source was bundled without"
                            + " its history; the bundle was tampered with");
                }
                return;
            }
            if (e.isPiece() && e.piece() > 1) {
                return; // the first piece stood for the object
            }
            boolean sameKey = e.key().equals(key);
            if (!sameKey) {
                end();
                if (key != null && Keys.ORDER.compare(e.key(), key) < 0) {
                    throw MigratorException.badInput("refusing " + at + ": its key comes before the previous history's ('" + key
                            + "'); a history's entries must be together, in key order; the bundle was tampered with");
                }
                if (e.isDeleteMarker()) {
                    throw MigratorException.badInput("refusing " + at + ": the history of '" + e.key() + "' starts with a delete"
                            + " marker; the bundle was tampered with");
                }
                key = e.key();
                keyLine = line;
                latestSeen = false;
            } else if (latestSeen) {
                throw MigratorException.badInput("refusing " + at + ": it follows the latest version of '" + key + "' (line "
                        + keyLine + " starts that history); the bundle was tampered with");
            }
            latestSeen = e.isLatest();
        }

        void end() {
            if (key != null && !latestSeen) {
                throw MigratorException.badInput("refusing the history of '" + key + "' (from line " + keyLine + " of "
                        + BundleLayout.MANIFEST + "): no entry of it is marked latest; the bundle was tampered with or damaged");
            }
            key = null;
        }
    }

    static String kindOf(Manifest.Header header, String sourceId) {
        return header.sources().stream().filter(s -> s.id().equals(sourceId)).map(Manifest.Source::kind).findFirst().orElse("");
    }

    // ---------------------------------------------------------------- hashing helpers

    record Hashed(long size, String sha256, String md5) {
    }

    /**
     * Reads {@code in} to its end but never past {@code limit} bytes (copying to {@code out} if not null),
     * hashing SHA-256 and MD5; a stream longer than {@code limit} is reported as {@code limit + 1} bytes.
     */
    static Hashed hash(InputStream in, OutputStream out, long limit) throws IOException {
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
    static final class HashingStream extends FilterInputStream {
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

    /** Damage found by verify, the first {@link BundleReader#MAX_REPORTED} kept. */
    static final class Report {
        final List<Damage> list = new ArrayList<>();
        long count;
        long entries;
        long bytes;

        void add(String what, String detail) {
            count++;
            if (list.size() < BundleReader.MAX_REPORTED) {
                list.add(new Damage(what, detail));
            }
        }
    }
}
