package dev.migrator.provider;

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
 * own. Beyond single calls it also survives failures in the middle of a listing (lists again from the
 * last key it returned, with {@link ObjectStore#list(String, String)}) and in the middle of a read
 * (reopens at the next byte).
 *
 * <p>It lives beside {@link Retry} so that {@link Stores} can wrap every store it opens in it, once,
 * where the store is opened; code that is handed a store uses {@link #around} instead of wrapping again.
 */
public final class RetryingObjectStore extends ForwardingObjectStore {
    private final Retry retry;
    private final Retry.Listener listener;
    /** Listeners of callers that were handed this layer under other wrappers ({@link #around}): they hear every retry too. */
    private final java.util.List<Retry.Listener> alsoTold = new java.util.concurrent.CopyOnWriteArrayList<>();

    public RetryingObjectStore(ObjectStore delegate, Retry retry, Retry.Listener listener) {
        super(delegate);
        this.retry = retry;
        Retry.Listener own = listener;
        this.listener = (what, attempt, cause) -> {
            own.retrying(what, attempt, cause);
            alsoTold.forEach(l -> l.retrying(what, attempt, cause));
        };
    }

    /**
     * {@code store} retried with {@code retry}, reporting to {@code listener}, and never retried twice (which
     * would multiply the attempts): a store whose outermost layer already retries is re-wrapped around the
     * same delegate with this policy and listener; a store with a retrying layer further in (under a metrics or
     * bandwidth wrapper) is used as it is, with {@code listener} told of that layer's retries from now on, so the
     * caller still counts retries and sees throttling; any other store is wrapped.
     */
    public static ObjectStore around(ObjectStore store, Retry retry, Retry.Listener listener) {
        if (store instanceof RetryingObjectStore r) {
            return new RetryingObjectStore(r.delegate, retry, listener);
        }
        Optional<RetryingObjectStore> inner = ObjectStore.find(store, RetryingObjectStore.class);
        if (inner.isPresent()) {
            if (!inner.get().alsoTold.contains(listener)) {
                inner.get().alsoTold.add(listener);
            }
            return store;
        }
        return new RetryingObjectStore(store, retry, listener);
    }

    /** The store this one retries. */
    public ObjectStore delegate() {
        return delegate;
    }

    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) {
        return new ResumingListing<>(prefix, startAfter, delegate::list, ObjectInfo::key).stream();
    }

    /**
     * The archive capability retried like the store: its listing resumes after the last key it returned (its
     * listing has no start key, so the rest is read past that key), its calls are retried.
     */
    @Override
    public Optional<Archive> archive() {
        return delegate.archive().map(a -> new Archive() {
            @Override
            public StorageClasses.Family family() {
                return a.family();
            }

            @Override
            public Stream<Listed> listWithClasses(String prefix) {
                return new ResumingListing<Listed>(prefix, null, (p, after) -> after == null ? a.listWithClasses(p)
                        : a.listWithClasses(p).dropWhile(l -> Keys.ORDER.compare(l.info().key(), after) <= 0),
                        l -> l.info().key()).stream();
            }

            @Override
            public State state(String key) {
                return retry.call("restore state of " + key, () -> a.state(key), listener);
            }

            @Override
            public void requestRestore(String key, int days, Speed speed) {
                retry.call("restore " + key, () -> {
                    a.requestRestore(key, days, speed);
                    return null;
                }, listener);
            }
        });
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

    /** Retried like put: a retry after a lost response returns empty, which the contract tells callers to expect. */
    @Override
    public Optional<ObjectInfo> createIfAbsent(String key, Content content, ObjectMetadata metadata) {
        return retry.call("create " + key, () -> delegate.createIfAbsent(key, content, metadata), listener);
    }

    @Override
    public void delete(String key) {
        retry.call("delete " + key, () -> {
            delegate.delete(key);
            return null;
        }, listener);
    }

    // --- versions begin
    @Override
    public boolean keepsVersions() {
        return retry.call("versioning of " + displayUri(), delegate::keepsVersions, listener);
    }

    @Override
    public Optional<ObjectInfo> statVersion(String key, String versionId) {
        return retry.call("stat " + key + " version " + versionId, () -> delegate.statVersion(key, versionId), listener);
    }

    @Override
    public InputStream openVersion(String key, String versionId, long offset, long length) {
        return retry.call("open " + key + " version " + versionId, () -> delegate.openVersion(key, versionId, offset, length), listener);
    }
    // --- versions end

    @Override
    public Optional<ServerSideCopy> serverSideCopyFrom(ObjectStore source) {
        return super.serverSideCopyFrom(source).map(copy -> (sourceKey, targetKey, metadata) ->
                retry.call("copy " + sourceKey, () -> copy.copy(sourceKey, targetKey, metadata), listener));
    }

    /**
     * A listing that, after a retryable failure, lists again after the last key it returned (the order is
     * guaranteed, so everything up to it is known), starting there on the server where the store can.
     */
    private final class ResumingListing<T> implements Iterator<T> {
        private final String prefix;
        private final java.util.function.BiFunction<String, String, Stream<T>> open;
        private final java.util.function.Function<T, String> keyOf;
        private Stream<T> stream;
        private Iterator<T> it;
        private String lastKey;
        private int attempt = 1;

        /** {@code open} lists {@code prefix} after a key (null: from the start), in key order. */
        ResumingListing(String prefix, String startAfter, java.util.function.BiFunction<String, String, Stream<T>> open,
                        java.util.function.Function<T, String> keyOf) {
            this.prefix = prefix;
            this.lastKey = startAfter;
            this.open = open;
            this.keyOf = keyOf;
        }

        Stream<T> stream() {
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
                    .onClose(this::close);
        }

        @Override
        public boolean hasNext() {
            while (true) {
                try {
                    if (it == null) {
                        stream = open.apply(prefix, lastKey);
                        it = stream.iterator();
                    }
                    return it.hasNext();
                } catch (MigratorException e) {
                    onFailure(e);
                }
            }
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            T o = it.next();
            lastKey = keyOf.apply(o);
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
