package dev.migrator.provider;

import java.net.URI;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider found through ServiceLoader in this module's tests, as a new provider would be: its
 * {@code vault-test://} stores are local folders, and its URIs carry an {@code account-key=}, a name
 * the built-in list of secret names does not know.
 */
public final class VaultTestProvider implements ProviderFactory {
    static final AtomicInteger CREATED = new AtomicInteger();

    public VaultTestProvider() {
        CREATED.incrementAndGet();
    }

    @Override
    public Set<String> schemes() {
        return Set.of("vault-test");
    }

    @Override
    public String usage() {
        return "vault-test://NAME?account-key=K  (tests only)";
    }

    @Override
    public Set<String> secretParameters() {
        return Set.of("account-key");
    }

    @Override
    public ObjectStore objectStore(URI uri, StoreOptions options) {
        String shown = Redaction.uri(uri.toString());
        return new ForwardingObjectStore(new Empty(shown)) { };
    }

    /** A store with no objects; enough to see what wraps it. */
    private record Empty(String displayUri) implements ObjectStore {
        @Override
        public java.util.stream.Stream<ObjectInfo> list(String prefix) {
            return java.util.stream.Stream.empty();
        }

        @Override
        public java.util.Optional<ObjectInfo> stat(String key) {
            return java.util.Optional.empty();
        }

        @Override
        public java.io.InputStream open(String key, long offset, long length) {
            throw MigratorException.notFound("no object '" + key + "'");
        }

        @Override
        public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
            throw new MigratorException(ErrorCode.FAILED, "read-only");
        }

        @Override
        public void delete(String key) {
        }

        @Override
        public void close() {
        }
    }
}
