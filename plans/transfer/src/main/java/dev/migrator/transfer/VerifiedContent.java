package dev.migrator.transfer;

import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ObjectStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * An object's bytes read from the source store, replayable, hashing (MD5) and counting every byte as
 * it passes, so the copy can compare what it read with what the target stored. Each {@link #open()}
 * starts a new digest; {@link #md5()} is the digest of the last stream read to its end.
 */
final class VerifiedContent implements Content {
    private final ObjectStore source;
    private final String key;
    private final long size;
    private final Progress progress;
    private volatile String md5;
    private volatile long bytesRead;
    private InputStream firstStream;

    /** {@code firstStream}, if not null, is an already open stream the first {@link #open()} returns. */
    VerifiedContent(ObjectStore source, String key, long size, Progress progress, InputStream firstStream) {
        this.source = source;
        this.key = key;
        this.size = size;
        this.progress = progress;
        this.firstStream = firstStream;
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
        md5 = null;
        MessageDigest digest = Digests.md5();
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
                        md5 = null; // more bytes than listed: the source changed under us
                        bytesRead = count;
                        return n;
                    }
                    digest.update(b, off, n);
                }
                // Adapters may stop reading at exactly size() bytes without seeing EOF.
                if (!done && (count == size || n < 0)) {
                    done = true;
                    bytesRead = count;
                    md5 = count == size ? Digests.hex(digest.digest()) : null;
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                throw new IOException("skipping would leave bytes unhashed");
            }
        };
    }

    /** MD5 of the last stream once it yielded exactly {@link #size()} bytes, else null. */
    String md5() {
        return md5;
    }

    /** Bytes the last stream yielded, as of its end or of reaching {@link #size()}. */
    long bytesRead() {
        return bytesRead;
    }
}
