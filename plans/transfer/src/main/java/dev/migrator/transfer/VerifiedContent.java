package dev.migrator.transfer;

import dev.migrator.provider.Capabilities.ChecksumKind;
import dev.migrator.provider.ChecksumDigest;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.Set;

/**
 * An object's bytes read from the source store, replayable, hashing and counting every byte as it passes, so
 * the copy can compare what it read with what the source reported and what the target stored. It computes MD5
 * and every kind in {@code kinds} (the copy engine passes those the source knows and the target keeps). Each
 * {@link #open()} starts new digests; {@link #read()} is the result of the last stream read to its end.
 *
 * <p>MD5 is left out after {@link #storeHashesParts()} (a write that checks its bytes by part MD5s and keeps no
 * whole-object MD5, so the copy's check would compare this one with nothing) unless the source's MD5 is
 * {@link #known()}: then the bytes read are still held against it. {@link #read()} then lacks MD5.
 *
 * <p>{@link #known()} is the source's stored checksums, so a target whose server can check them on arrival
 * sends them with the write ({@link Content#known()}).
 */
final class VerifiedContent implements Content {
    private final ObjectStore source;
    private final String key;
    private final long size;
    private final Progress progress;
    private final Checksums known;
    private final Set<ChecksumKind> kinds;
    /** Whether MD5 is computed even for a store that hashes parts: the caller checks the bytes against one. */
    private final boolean md5Required;
    /** Set by {@link #storeHashesParts()}: the write keeps no whole-object MD5. */
    private volatile boolean storeHashesParts;
    private volatile Checksums read;
    private volatile long bytesRead;
    private InputStream firstStream;

    /** {@code firstStream}, if not null, is an already open stream the first {@link #open()} returns. */
    VerifiedContent(ObjectStore source, String key, long size, Progress progress, InputStream firstStream) {
        this(source, key, size, progress, firstStream, Checksums.NONE, Set.of(), true);
    }

    /** With the source's {@code known} checksums, computing MD5, their kinds and {@code kinds} while reading. */
    VerifiedContent(ObjectStore source, String key, long size, Progress progress, InputStream firstStream,
                    Checksums known, Set<ChecksumKind> kinds) {
        this(source, key, size, progress, firstStream, known, kinds, known.md5() != null);
    }

    /** {@code md5Required}: the caller holds the MD5 read against a value of its own, whatever the store does. */
    private VerifiedContent(ObjectStore source, String key, long size, Progress progress, InputStream firstStream,
                            Checksums known, Set<ChecksumKind> kinds, boolean md5Required) {
        this.md5Required = md5Required;
        this.source = source;
        this.key = key;
        this.size = size;
        this.progress = progress;
        this.firstStream = firstStream;
        this.known = known;
        EnumSet<ChecksumKind> all = EnumSet.of(ChecksumKind.MD5);
        all.addAll(known.kinds());
        all.addAll(kinds);
        this.kinds = Set.copyOf(all);
    }

    @Override
    public Checksums known() {
        return known;
    }

    @Override
    public void storeHashesParts() {
        storeHashesParts = true;
    }

    /** The kinds the next stream computes. */
    private Set<ChecksumKind> kindsToCompute() {
        if (!storeHashesParts || md5Required || !kinds.contains(ChecksumKind.MD5)) {
            return kinds;
        }
        EnumSet<ChecksumKind> less = EnumSet.copyOf(kinds);
        less.remove(ChecksumKind.MD5);
        return less;
    }

    private synchronized InputStream rawStream() {
        InputStream s = firstStream;
        firstStream = null;
        return s != null ? s : source.open(key, 0, -1);
    }

    /** Closes the pre-opened stream if {@link #open()} never took it. */
    synchronized void discard() {
        if (firstStream != null) {
            try {
                firstStream.close();
            } catch (IOException ignored) {
                // nothing was read from it
            }
            firstStream = null;
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream open() {
        read = null;
        ChecksumDigest digest = new ChecksumDigest(kindsToCompute());
        return new FilterInputStream(rawStream()) {
            private long count;
            private boolean done;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    count += n;
                    progress.transferred(n);
                    if (done) {
                        read = null; // more bytes than listed: the source changed under us
                        bytesRead = count;
                        return n;
                    }
                    digest.update(b, off, n);
                }
                // Adapters may stop reading at exactly size() bytes without seeing EOF.
                if (!done && (count == size || n < 0)) {
                    done = true;
                    bytesRead = count;
                    read = count == size ? digest.result() : null;
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                throw new IOException("skipping would leave bytes unhashed");
            }
        };
    }

    /** MD5 of the last stream once it yielded exactly {@link #size()} bytes, else null (also when not computed). */
    String md5() {
        Checksums r = read();
        return r == null ? null : r.md5();
    }

    /**
     * The checksums of the last stream once it yielded exactly {@link #size()} bytes, else null; for an empty
     * object, which a store may write without opening it, those of no bytes.
     */
    Checksums read() {
        Checksums r = read;
        return r == null && size == 0 ? ChecksumDigest.of(kinds, new byte[0]) : r;
    }

    /** What {@link #read()} is, for a store that buffers the stream and would otherwise hash the bytes again. */
    @Override
    public Checksums streamed() {
        Checksums r = read();
        return r == null ? Checksums.NONE : r;
    }

    /** Bytes the last stream yielded, as of its end or of reaching {@link #size()}. */
    long bytesRead() {
        return bytesRead;
    }
}
