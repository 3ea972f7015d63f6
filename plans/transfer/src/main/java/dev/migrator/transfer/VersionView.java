package dev.migrator.transfer;

import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import java.io.InputStream;
import java.util.Optional;

/**
 * One version of one key of a versioned store, seen as a store whose {@code stat}/{@code open} of that key read the
 * version, so the one definition of equal content ({@link Fidelity}) and the verified read ({@link VerifiedContent})
 * apply to versions unchanged. A view, not a transparent wrapper: it is its own {@link #unwrap()}, so no adapter
 * takes the store under it for a server-side copy of the key's latest content.
 */
final class VersionView extends ForwardingObjectStore {
    private final ObjectVersion version;

    VersionView(ObjectStore store, ObjectVersion version) {
        super(store);
        this.version = version;
    }

    @Override
    public ObjectStore unwrap() {
        return this;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return delegate.statVersion(checked(key), version.versionId());
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        return delegate.openVersion(checked(key), version.versionId(), offset, length);
    }

    @Override
    public Opened openWithInfo(String key) {
        ObjectInfo info = stat(key).orElseThrow(() -> MigratorException.notFound("version " + version.versionId() + " of '"
                + key + "' is no longer in " + displayUri()));
        return new Opened(info, open(key, 0, -1));
    }

    private String checked(String key) {
        if (!key.equals(version.key())) {
            throw new IllegalArgumentException("a view of '" + version.key() + "' asked for '" + key + "'");
        }
        return key;
    }
}
