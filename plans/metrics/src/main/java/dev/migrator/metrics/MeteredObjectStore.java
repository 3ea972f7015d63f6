package dev.migrator.metrics;

import dev.migrator.provider.Content;
import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts the objects and bytes read, written and deleted through a store, for its endpoint's metrics. */
final class MeteredObjectStore extends ForwardingObjectStore {
    private final Metrics.Endpoint metrics;

    MeteredObjectStore(ObjectStore delegate, Metrics.Endpoint metrics) {
        super(delegate);
        this.metrics = metrics;
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        InputStream in = delegate.open(key, offset, length);
        metrics.objectsRead.increment();
        return new Counting(in);
    }

    @Override
    public Opened openWithInfo(String key) {
        Opened o = delegate.openWithInfo(key);
        metrics.objectsRead.increment();
        return new Opened(o.info(), new Counting(o.stream()));
    }

    @Override
    public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
        ObjectInfo stored = delegate.put(key, content, metadata);
        metrics.objectsWritten.increment();
        metrics.bytesWritten.increment(stored.size());
        return stored;
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
        metrics.objectsDeleted.increment();
    }

    /** Counts bytes as they are read, so a long read shows on the dashboard while it runs. */
    private final class Counting extends FilterInputStream {
        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                metrics.bytesRead.increment();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                metrics.bytesRead.increment(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            return super.skip(n); // skipped bytes were not read
        }
    }
}
