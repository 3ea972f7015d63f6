package dev.migrator.bundle;

import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * Writes one data part into a local spool file: a tar of whole entries, compressed with
 * multithreaded zstd, hashed (SHA-256) as it is written; and the part's manifest entries into a
 * second spool file. Entries are hashed while they are copied in, and checked against the MD5 the
 * source reported, if it reported one.
 */
final class PartBuilder implements AutoCloseable {
    private final String name;
    private final String sourceId;
    private final Path file;
    private final Path entriesFile;
    private final MessageDigest partDigest = Digests.sha256();
    private final MessageDigest partMd5 = Digests.md5();
    /** Each entry's SHA-256, one instance reused (digest() resets it): a lookup per entry costs more than a small entry's hashing. */
    private final MessageDigest entryDigest = Digests.sha256();
    private final SpoolWriter spool;
    private final Counter stored;
    private final OutputStream compressor;
    private final TarArchiveOutputStream tar;
    private final Manifest.LineWriter entries;
    private final byte[] buffer = new byte[256 * 1024];
    private final long flushEvery;
    private long entryCount;
    private long bytes;
    private long unflushed;
    private String lastKey;

    PartBuilder(String name, String sourceId, Path file, Path entriesFile, BundleOptions options) throws IOException {
        this.name = name;
        this.sourceId = sourceId;
        this.file = file;
        this.entriesFile = entriesFile;
        // Multithreaded zstd holds jobs of several MiB before it emits anything; flushing every eighth
        // of a part keeps the stored count (and so the part's size) close to the truth at little cost.
        this.flushEvery = Math.max(64 * 1024, options.partSize() / 8);
        // The spool file is written and hashed on a thread of its own (SpoolWriter says why).
        spool = new SpoolWriter(file, partMd5, partDigest);
        OutputStream hashed = spool;
        // Checksums are of the stored bytes (ciphertext, when encrypted), so sha256sum checks them by hand.
        stored = new Counter(options.encryption() == null ? hashed : options.encryption().encrypt(hashed, name));
        OutputStream zstd = ZstdCompressorOutputStream.builder().setOutputStream(stored)
                .setLevel(options.level()).setWorkers(options.workers()).setChecksum(true).get();
        compressor = new BufferedOutputStream(zstd, 1 << 20);
        tar = new TarArchiveOutputStream(compressor, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        entries = new Manifest.LineWriter(Files.newOutputStream(entriesFile));
    }

    String name() {
        return name;
    }

    /** Stored bytes so far (what the compressor has emitted; it lags by its buffered input). */
    long storedSoFar() {
        return stored.count;
    }

    long entryCount() {
        return entryCount;
    }

    /**
     * Appends one entry of exactly {@code size} bytes read from {@code in} (which this does not close),
     * updating {@code alsoHash} (null or digests of the whole object) with them. {@code piece} is null for a
     * whole entry; for a piece, {@code whole} is the running SHA-256 of the whole object, finished on the last.
     */
    Manifest.Entry add(String key, long size, Instant lastModified, ObjectMetadata metadata, InputStream in,
                       int[] piece, MessageDigest whole, MessageDigest alsoHash) throws IOException {
        return add(key, null, size, lastModified, metadata, in, piece, whole, alsoHash);
    }

    /** {@link #add} of one entry of a key's history; {@code version} null for a source bundled without its history. */
    Manifest.Entry add(String key, Manifest.Version version, long size, Instant lastModified, ObjectMetadata metadata, InputStream in,
                       int[] piece, MessageDigest whole, MessageDigest alsoHash) throws IOException {
        String path = piece == null ? BundleLayout.entryPath(sourceId, key, version)
                : BundleLayout.piecePath(BundleLayout.entryPath(sourceId, key, version), piece[0]);
        begin(path, size, lastModified);
        // A whole entry read ahead is hashed by its reader thread (ReadAhead); a piece's own hash is made here.
        ReadAhead hashedAhead = piece == null && in instanceof ReadAhead r ? r : null;
        MessageDigest sha = entryDigest;
        sha.reset(); // an entry that failed half-way may have left bytes in it
        long copied = 0;
        for (int n; copied < size && (n = in.read(buffer, 0, (int) Math.min(buffer.length, size - copied))) > 0; ) {
            tar.write(buffer, 0, n);
            if (hashedAhead == null) {
                sha.update(buffer, 0, n);
            }
            if (whole != null) {
                whole.update(buffer, 0, n);
            }
            if (alsoHash != null) {
                alsoHash.update(buffer, 0, n);
            }
            copied += n;
        }
        if (copied != size) {
            throw MigratorException.retryable("'" + key + "' changed size while it was read (expected more bytes);"
                    + " run the same command again", null);
        }
        boolean lastPiece = piece != null && piece[0] == piece[1];
        String sha256 = hashedAhead == null ? Digests.hex(sha.digest()) : hashedAhead.sha256();
        if (sha256 == null) {
            throw new IllegalStateException("no SHA-256 of '" + key + "' from its read-ahead after " + copied + " bytes");
        }
        return end(key, version, path, size, sha256, piece, lastPiece ? Digests.hex(whole.digest()) : null,
                lastModified, metadata);
    }

    /**
     * {@link #add} of a whole entry whose bytes a reader thread read and hashed ({@link Prefetcher.Whole}): here they are
     * only copied into the archive. The manifest's SHA-256 is of these very bytes, so restore and verify check the same.
     */
    Manifest.Entry add(String key, Manifest.Version version, Instant lastModified, ObjectMetadata metadata, Prefetcher.Whole read)
            throws IOException {
        String path = BundleLayout.entryPath(sourceId, key, version);
        begin(path, read.length(), lastModified);
        tar.write(read.bytes(), 0, read.length());
        return end(key, version, path, read.length(), read.sha256(), null, null, lastModified, metadata);
    }

    private void begin(String path, long size, Instant lastModified) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(path);
        e.setSize(size);
        e.setMode(0100644);
        // Whole seconds, as ustar holds them: a sub-second mtime would cost a pax header per entry (about a seventh of
        // the archive's work on small files); the manifest's lastModified keeps the exact time, and restore uses it.
        e.setModTime(Date.from((lastModified == null ? Instant.now() : lastModified).truncatedTo(ChronoUnit.SECONDS)));
        tar.putArchiveEntry(e);
    }

    private Manifest.Entry end(String key, Manifest.Version version, String path, long size, String sha256, int[] piece,
                               String wholeSha256, Instant lastModified, ObjectMetadata metadata) throws IOException {
        tar.closeArchiveEntry();
        unflushed += size + 512;
        if (unflushed >= flushEvery) {
            compressor.flush(); // the tar's own block buffer (10 KiB) stays; it does not matter here
            unflushed = 0;
        }
        Manifest.Entry entry = new Manifest.Entry(name, path, key, size, sha256,
                lastModified == null ? null : lastModified.toString(), Manifest.Metadata.of(metadata),
                piece == null ? null : piece[0], piece == null ? null : piece[1], wholeSha256,
                version == null ? null : version.versionId(), version != null && version.latest() ? Boolean.TRUE : null,
                version != null && version.deleteMarker() ? Boolean.TRUE : null);
        entries.write(entry);
        entryCount++;
        bytes += size;
        lastKey = key;
        return entry;
    }

    /** Ends the archive and returns the finished part (the spool files stay for the upload). */
    Finished finish() throws IOException {
        tar.finish();
        tar.close();
        entries.close();
        return new Finished(new Manifest.Part(name, sourceId, Files.size(file), Digests.hex(partDigest.digest()), entryCount,
                name.endsWith(BundleLayout.ENCRYPTED_SUFFIX)),
                Digests.hex(partMd5.digest()), file, entriesFile, bytes, lastKey);
    }

    @Override
    public void close() {
        try {
            tar.close();
        } catch (IOException | RuntimeException ignored) {
            // abandoning a failed part; its spool file is deleted by the caller
        }
        spool.abandon(); // when the close above failed before it reached the spool, its thread would wait forever
        try {
            entries.close();
        } catch (IOException ignored) {
            // same
        }
    }

    /** A part ready to upload: its manifest record, its MD5 (to check what the store received), spool files, content bytes and last key. */
    record Finished(Manifest.Part part, String md5, Path file, Path entriesFile, long bytes, String lastKey) {
    }

    private static final class Counter extends FilterOutputStream {
        volatile long count;

        Counter(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
