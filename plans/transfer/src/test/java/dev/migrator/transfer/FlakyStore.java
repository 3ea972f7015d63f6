package dev.migrator.transfer;

import dev.migrator.provider.Content;
import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Optional;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Fault injection around a real store: the first N calls of each kind fail the way remote stores
 * fail (retryable errors, streams that die mid-read, listings that die mid-page, flipped bytes).
 * Like S3, it reports each object's MD5 in listings and stats (computed from the real bytes: the wrapped
 * local store reports none), so the copier can check what it read against the source's own checksum.
 */
class FlakyStore extends ForwardingObjectStore {
    final ObjectStore real;
    final AtomicInteger statFailures = new AtomicInteger();
    final AtomicInteger putFailures = new AtomicInteger();
    final AtomicInteger readDeaths = new AtomicInteger();
    final AtomicInteger corruptReads = new AtomicInteger();
    final AtomicInteger listDeathAfter = new AtomicInteger(-1);
    final AtomicInteger injected = new AtomicInteger();
    /** List like S3 does: no metadata in listings, so the copier must get it from the read. */
    volatile boolean listWithoutMetadata;

    FlakyStore(ObjectStore real) {
        super(real);
        this.real = real;
    }

    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) {
        Stream<ObjectInfo> inner = real.list(prefix, startAfter);
        Iterator<ObjectInfo> it = inner.iterator();
        int dieAfter = listDeathAfter.getAndSet(-1);
        Iterator<ObjectInfo> flaky = new Iterator<>() {
            int returned;

            @Override
            public boolean hasNext() {
                if (dieAfter >= 0 && returned == dieAfter) {
                    injected.incrementAndGet();
                    throw MigratorException.retryable("listing page request failed: 503 SlowDown", null);
                }
                return it.hasNext();
            }

            @Override
            public ObjectInfo next() {
                returned++;
                ObjectInfo o = withMd5(it.next());
                return listWithoutMetadata ? o.withMetadata(null) : o;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(flaky, 0), false).onClose(inner::close);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        failStatIfPlanned(key);
        return real.stat(key).map(this::withMd5);
    }

    private void failStatIfPlanned(String key) {
        if (statFailures.getAndDecrement() > 0) {
            injected.incrementAndGet();
            throw MigratorException.retryable("HEAD " + key + ": 500 Internal Error", null);
        }
    }

    private ObjectInfo withMd5(ObjectInfo o) {
        if (o.checksums().md5() != null) {
            return o;
        }
        try (InputStream in = real.open(o.key(), 0, -1)) {
            String md5 = dev.migrator.provider.Digests.hex(dev.migrator.provider.Digests.md5().digest(in.readAllBytes()));
            return new ObjectInfo(o.key(), o.size(), o.lastModified(), o.etag(), dev.migrator.provider.Checksums.md5(md5), o.metadata());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        return flaky(real.open(key, offset, length));
    }

    private InputStream flaky(InputStream in) {
        boolean die = readDeaths.getAndDecrement() > 0;
        boolean corrupt = !die && corruptReads.getAndDecrement() > 0;
        if (die || corrupt) {
            injected.incrementAndGet();
        }
        return new FilterInputStream(in) {
            long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (die && read >= 10) {
                    throw new IOException("Connection reset");
                }
                int n = super.read(b, off, die ? Math.min(len, 10) : len);
                if (corrupt && n > 0 && read == 0) {
                    b[off] ^= 0x01;
                }
                read += Math.max(n, 0);
                return n;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }
        };
    }

    /** With the faults of a stat and of a read: it stands for both. */
    @Override
    public Opened openWithInfo(String key) {
        failStatIfPlanned(key);
        Opened opened = real.openWithInfo(key);
        return new Opened(withMd5(opened.info()), flaky(opened.stream()));
    }

    @Override
    public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
        if (putFailures.getAndDecrement() > 0) {
            injected.incrementAndGet();
            throw MigratorException.retryable("PUT " + key + ": 503 SlowDown", null);
        }
        return real.put(key, content, metadata);
    }
}
