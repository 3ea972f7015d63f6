package dev.migrator.provider;

import java.io.InputStream;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The base of every store wrapper (retry, fault injection, counting): forwards every method of
 * {@link ObjectStore} to the wrapped store, so a wrapper overrides only what it changes and a method
 * added to the interface later is forwarded too, instead of silently falling back to its default
 * (a test checks by reflection that this class overrides every method). {@link #unwrap()} returns
 * the wrapped store, so capability checks see through wrappers.
 */
public abstract class ForwardingObjectStore implements ObjectStore {
    protected final ObjectStore delegate;

    protected ForwardingObjectStore(ObjectStore delegate) {
        if (delegate == null) {
            throw new NullPointerException("delegate");
        }
        this.delegate = delegate;
    }

    @Override
    public ObjectStore unwrap() {
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
    public Capabilities capabilities() {
        return delegate.capabilities();
    }

    /**
     * One listing method to override: this one is {@code list(prefix, null)}, final, so a wrapper that changes
     * listings cannot change one of the two and be bypassed through the other.
     */
    @Override
    public final Stream<ObjectInfo> list(String prefix) {
        return list(prefix, null);
    }

    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) {
        return delegate.list(prefix, startAfter);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return delegate.stat(key);
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        return delegate.open(key, offset, length);
    }

    @Override
    public Opened openWithInfo(String key) {
        return delegate.openWithInfo(key);
    }

    @Override
    public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
        return delegate.put(key, content, metadata);
    }

    @Override
    public Optional<ObjectInfo> createIfAbsent(String key, Content content, ObjectMetadata metadata) {
        return delegate.createIfAbsent(key, content, metadata);
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
    }

    /** Forwarded with the source unwrapped to its adapter: an adapter recognises only its own class. */
    @Override
    public Optional<ServerSideCopy> serverSideCopyFrom(ObjectStore source) {
        return delegate.serverSideCopyFrom(ObjectStore.innermost(source));
    }

    // --- versions begin
    @Override
    public boolean keepsVersions() {
        return delegate.keepsVersions();
    }

    @Override
    public Stream<ObjectVersion> listVersions(String prefix) {
        return delegate.listVersions(prefix);
    }

    @Override
    public Optional<ObjectInfo> statVersion(String key, String versionId) {
        return delegate.statVersion(key, versionId);
    }

    @Override
    public InputStream openVersion(String key, String versionId, long offset, long length) {
        return delegate.openVersion(key, versionId, offset, length);
    }
    // --- versions end

    @Override
    public Optional<Archive> archive() {
        return delegate.archive();
    }

    @Override
    public Optional<BucketSettings.Access> bucketSettings() {
        return delegate.bucketSettings();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
