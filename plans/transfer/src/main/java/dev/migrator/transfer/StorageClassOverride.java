package dev.migrator.transfer;

import dev.migrator.provider.Content;
import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StorageClasses;
import java.util.Optional;

/**
 * A target whose objects are all written in one storage class ({@code --storage-class}), whatever the
 * source's class. Copy and verify find it through the wrappers ({@link #of}) and expect that class, so a
 * copy does not rewrite what it already wrote and verify does not report the chosen class as a difference.
 */
public final class StorageClassOverride extends ForwardingObjectStore {
    private final String storageClass;

    private StorageClassOverride(ObjectStore target, String storageClass) {
        super(target);
        this.storageClass = storageClass;
    }

    /**
     * {@code target} writing every object in {@code storageClass}, or {@code target} itself when it is null.
     *
     * @throws dev.migrator.provider.MigratorException BAD_INPUT when the target's provider has no such class
     */
    public static ObjectStore around(ObjectStore target, String storageClass) {
        if (storageClass == null) {
            return target;
        }
        StorageClasses.checkOverride(storageClass, target.capabilities().storageClasses(), target.displayUri());
        return new StorageClassOverride(target, storageClass);
    }

    /** The class {@code store} (or a wrapper in it) writes every object in, if one was chosen. */
    static Optional<String> of(ObjectStore store) {
        return ObjectStore.find(store, StorageClassOverride.class).map(o -> o.storageClass);
    }

    private ObjectMetadata rewrite(ObjectMetadata m) {
        return (m == null ? ObjectMetadata.EMPTY : m).withStorageClass(storageClass);
    }

    @Override
    public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
        return delegate.put(key, content, rewrite(metadata));
    }

    @Override
    public Optional<ServerSideCopy> serverSideCopyFrom(ObjectStore source) {
        return super.serverSideCopyFrom(source).map(copy -> (s, t, m) -> copy.copy(s, t, rewrite(m)));
    }
}
