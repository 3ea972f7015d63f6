package dev.migrator.transfer;

import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * A store whose object bytes pass at most at a {@link Bandwidth}: what is read from it ({@code open},
 * {@code openWithInfo}), and with {@code writes} also what is put into it. Stores that share one
 * {@code Bandwidth} share its rate: {@code --bwlimit} wraps every store a command opens, counting reads (each
 * byte a copy or a bundle moves is read once); a plan's per-endpoint {@code bandwidth:} wraps the stores of
 * that endpoint, counting both directions. Listings, stats and server-side copies (whose bytes do not pass
 * through this process) are not limited.
 */
public final class BandwidthLimitedStore extends ForwardingObjectStore {
    private final Bandwidth bandwidth;
    private final boolean writes;

    public BandwidthLimitedStore(ObjectStore delegate, Bandwidth bandwidth, boolean writes) {
        super(delegate);
        this.bandwidth = bandwidth;
        this.writes = writes;
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        return new Limited(delegate.open(key, offset, length), bandwidth);
    }

    @Override
    public Opened openWithInfo(String key) {
        Opened o = delegate.openWithInfo(key);
        return new Opened(o.info(), new Limited(o.stream(), bandwidth));
    }

    @Override
    public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
        if (!writes) {
            return delegate.put(key, content, metadata);
        }
        return delegate.put(key, new LimitedContent(content, bandwidth), metadata);
    }

    /**
     * {@code content} read at the limit. Not movable: a rename would put the bytes in place without them passing the
     * limit. Everything else is forwarded: the stream yields the same bytes, so the source's checksums still let the
     * target's server check them on arrival ({@link Content#known()}), the hashes taken while streaming still hold,
     * and a write that checks by parts may still spare the whole-object MD5.
     */
    record LimitedContent(Content content, Bandwidth bandwidth) implements Content {
        @Override
        public long size() {
            return content.size();
        }

        @Override
        public InputStream open() throws IOException {
            return new Limited(content.open(), bandwidth);
        }

        @Override
        public Checksums known() {
            return content.known();
        }

        @Override
        public Checksums streamed() {
            return content.streamed();
        }

        @Override
        public void storeHashesParts() {
            content.storeHashesParts();
        }
    }

    /** Reads in chunks of {@link Bandwidth#chunk()} and pays for each before handing it out. */
    static final class Limited extends FilterInputStream {
        private final Bandwidth bandwidth;

        Limited(InputStream in, Bandwidth bandwidth) {
            super(in);
            this.bandwidth = bandwidth;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                pay(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, Math.min(len, bandwidth.chunk()));
            if (n > 0) {
                pay(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            return super.skip(n); // skipped bytes of a local file are not transferred
        }

        private void pay(int n) throws IOException {
            try {
                bandwidth.take(n);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the bandwidth limit");
            }
        }
    }

    /** For callers that show the limit: {@code "10.0 MiB/s"}. */
    public Bandwidth bandwidth() {
        return bandwidth;
    }
}
