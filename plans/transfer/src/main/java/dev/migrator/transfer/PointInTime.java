package dev.migrator.transfer;

import dev.migrator.provider.Content;
import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import java.io.InputStream;
import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A versioned store as it was at an instant ({@code --versions-at}), read-only: each key holds its newest version
 * written at or before that instant, and a key whose newest such entry is a delete marker (or that had no version
 * yet) is absent. Copy and verify read it like any store, so the one copy path serves a point in time too.
 *
 * <p>A view, not a transparent wrapper: it is its own {@link #unwrap()}, so a target adapter never recognises the
 * bucket under it and copies its latest objects server-side. Which version a listed key resolved to is remembered
 * for the last {@value #REMEMBERED} keys, so reading a listed object costs no extra request; others are looked up.
 */
public final class PointInTime extends ForwardingObjectStore {
    static final int REMEMBERED = 10_000;

    private final Instant at;
    private final Map<String, String> versionOf = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    });

    private PointInTime(ObjectStore store, Instant at) {
        super(store);
        this.at = at;
    }

    /**
     * {@code store} as it was at {@code at}; refused (exit 2) when the store does not keep versions, since its
     * past is then unknown.
     */
    public static PointInTime of(ObjectStore store, Instant at) {
        if (!store.capabilities().versions()) {
            throw MigratorException.badInput(store.displayUri() + " does not keep object versions, so its state at " + at
                    + " is unknown; --versions-at needs an s3:// or gs:// bucket with versioning");
        }
        return new PointInTime(store, at);
    }

    @Override
    public ObjectStore unwrap() {
        return this;
    }

    @Override
    public String displayUri() {
        return delegate.displayUri() + " at " + at;
    }

    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) {
        Stream<ObjectVersion> versions = delegate.listVersions(prefix);
        Iterator<History> histories = History.perKey(versions, Selection.ALL);
        Iterator<ObjectInfo> infos = new Iterator<>() {
            private ObjectInfo next;

            @Override
            public boolean hasNext() {
                while (next == null && histories.hasNext()) {
                    History h = histories.next();
                    if (startAfter != null && dev.migrator.provider.Keys.ORDER.compare(h.key(), startAfter) <= 0) {
                        continue;
                    }
                    current(h).ifPresent(v -> {
                        versionOf.put(v.key(), v.versionId());
                        next = v.info();
                    });
                }
                return next != null;
            }

            @Override
            public ObjectInfo next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                ObjectInfo o = next;
                next = null;
                return o;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(infos, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(versions::close);
    }

    /** The version {@code history} had at {@link #at}, empty when the key was absent or deleted then. */
    Optional<ObjectVersion> current(History history) {
        ObjectVersion last = null;
        for (ObjectVersion v : history.entries()) {
            if (v.info().lastModified() != null && !v.info().lastModified().isAfter(at)) {
                last = v;
            }
        }
        return last == null || last.deleteMarker() ? Optional.empty() : Optional.of(last);
    }

    private Optional<String> version(String key) {
        String id = versionOf.get(key);
        if (id != null) {
            return Optional.of(id);
        }
        return current(History.of(delegate, key)).map(ObjectVersion::versionId);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return version(key).flatMap(id -> delegate.statVersion(key, id));
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        String id = version(key).orElseThrow(() -> MigratorException.notFound("no object '" + key + "' in " + displayUri()));
        return delegate.openVersion(key, id, offset, length);
    }

    @Override
    public Opened openWithInfo(String key) {
        ObjectInfo info = stat(key).orElseThrow(() -> MigratorException.notFound("no object '" + key + "' in " + displayUri()));
        return new Opened(info, open(key, 0, -1));
    }

    @Override
    public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
        throw readOnly();
    }

    @Override
    public Optional<ObjectInfo> createIfAbsent(String key, Content content, ObjectMetadata metadata) {
        throw readOnly();
    }

    @Override
    public void delete(String key) {
        throw readOnly();
    }

    @Override
    public Optional<ServerSideCopy> serverSideCopyFrom(ObjectStore source) {
        return Optional.empty();
    }

    private MigratorException readOnly() {
        return MigratorException.badInput(displayUri() + " is a bucket's past state, read-only: it can only be a source");
    }
}
