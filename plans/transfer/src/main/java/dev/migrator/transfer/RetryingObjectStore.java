package dev.migrator.transfer;

import dev.migrator.provider.Content;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Retries every operation of a store with one {@link Retry} policy, so adapters never retry on their
 * own. Beyond single calls it also survives failures in the middle of a listing (resumes after the
 * last key it returned) and in the middle of a read (reopens at the next byte).
 */
public final class RetryingObjectStore implements ObjectStore {
    private final ObjectStore delegate;
    private final Retry retry;
    private final Retry.Listener listener;

    public RetryingObjectStore(ObjectStore delegate, Retry retry, Retry.Listener listener) {
        this.delegate = delegate;
        this.retry = retry;
        this.listener = listener;
    }

    public ObjectStore delegate() {
        return delegate;
    }

    @Override
    public String displayUri() {
        return delegate.displayUri();
    }

    @Override
    public String location() {
        return delegate.location();
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        ResumingListing listing = new ResumingListing(prefix);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(listing, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(listing::close);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return retry.call("stat " + key, () -> delegate.stat(key), listener);
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        return new ResumingInputStream(key, offset, length);
    }

    @Override
    public Opened openWithInfo(String key) {
        Opened opened = retry.call("open " + key, () -> delegate.openWithInfo(key), listener);
        return new Opened(opened.info(), new ResumingInputStream(key, 0, -1, opened.stream()));
    }

    @Override
    public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
        return retry.call("put " + key, () -> delegate.put(key, content, metadata), listener);
    }

    @Override
    public void delete(String key) {
        retry.call("delete " + key, () -> {
            delegate.delete(key);
            return null;
        }, listener);
    }

    @Override
    public Optional<ServerSideCopy> serverSideCopyFrom(ObjectStore source) {
        ObjectStore unwrapped = source instanceof RetryingObjectStore r ? r.delegate : source;
        return delegate.serverSideCopyFrom(unwrapped).map(copy -> (sourceKey, targetKey, metadata) ->
                retry.call("copy " + sourceKey, () -> copy.copy(sourceKey, targetKey, metadata), listener));
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** A listing that, after a retryable failure, lists again and skips what it already returned. */
    private final class ResumingListing implements Iterator<ObjectInfo> {
        private final String prefix;
        private Stream<ObjectInfo> stream;
        private Iterator<ObjectInfo> it;
        private String lastKey;
        private int attempt = 1;

        ResumingListing(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public boolean hasNext() {
            while (true) {
                try {
                    if (it == null) {
                        stream = delegate.list(prefix);
                        it = stream.iterator();
                        if (lastKey != null) {
                            skipThrough(lastKey);
                        }
                    }
                    return it.hasNext();
                } catch (MigratorException e) {
                    onFailure(e);
                }
            }
        }

        private void skipThrough(String key) {
            // The order is guaranteed, so everything up to and including the last returned key is known.
            while (it.hasNext()) {
                ObjectInfo o = it.next();
                if (Keys.ORDER.compare(o.key(), key) > 0) {
                    it = prepend(o, it);
                    return;
                }
            }
        }

        @Override
        public ObjectInfo next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ObjectInfo o = it.next();
            lastKey = o.key();
            attempt = 1;
            return o;
        }

        private void onFailure(MigratorException e) {
            close();
            if (!e.retryable()) {
                throw e;
            }
            if (attempt >= retry.attempts()) {
                throw Retry.exhausted(e, attempt);
            }
            listener.retrying("list " + prefix, attempt, e);
            retry.backoff(attempt++);
        }

        void close() {
            if (stream != null) {
                stream.close();
            }
            stream = null;
            it = null;
        }
    }

    private static <T> Iterator<T> prepend(T first, Iterator<T> rest) {
        return new Iterator<>() {
            boolean taken;

            @Override
            public boolean hasNext() {
                return !taken || rest.hasNext();
            }

            @Override
            public T next() {
                if (!taken) {
                    taken = true;
                    return first;
                }
                return rest.next();
            }
        };
    }

    /** A read that reopens at the next unread byte after a failure mid-stream. */
    private final class ResumingInputStream extends InputStream {
        private final String key;
        private final long length;
        private long position;
        private long consumed;
        private InputStream in;
        private int failures;

        ResumingInputStream(String key, long offset, long length) {
            // Open eagerly so that "not found" surfaces from open(), as the contract says.
            this(key, offset, length, retry.call("open " + key, () -> delegate.open(key, offset, length), listener));
        }

        ResumingInputStream(String key, long offset, long length, InputStream opened) {
            this.key = key;
            this.position = offset;
            this.length = length;
            this.in = opened;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                try {
                    if (in == null) {
                        long remaining = length < 0 ? -1 : length - consumed;
                        in = retry.call("open " + key, () -> delegate.open(key, position, remaining), listener);
                    }
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        position += n;
                        consumed += n;
                        failures = 0; // progress was made: only consecutive failures count
                    }
                    return n;
                } catch (IOException e) {
                    MigratorException wrapped = MigratorException.retryable("reading '" + key + "' from "
                            + delegate.displayUri() + " failed at byte " + position + ": " + e.getMessage(), e);
                    closeQuietly();
                    if (++failures >= retry.attempts()) {
                        throw new IOException(Retry.exhausted(wrapped, failures).getMessage(), e);
                    }
                    listener.retrying("read " + key, failures, wrapped);
                    retry.backoff(failures);
                }
            }
        }

        private void closeQuietly() {
            try {
                if (in != null) {
                    in.close();
                }
            } catch (IOException ignored) {
                // the stream already failed
            }
            in = null;
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
                in = null;
            }
        }
    }
}
