package dev.migrator.plan.shared;

import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@link SharedState} in an object store opened through {@link Stores}: {@code file://} (a shared volume), {@code s3://},
 * {@code gs://}, or a plain path. Create-only writes are the store's {@link ObjectStore#createIfAbsent}; a store
 * without them is refused, and so is one that accepts them but overwrites anyway (an S3 clone ignoring
 * {@code If-None-Match}), found by a probe when the state is opened.
 */
public final class StoreState implements SharedState {
    private static final ObjectMetadata JSON = new ObjectMetadata("application/json", null, null, null, java.util.Map.of());
    private final ObjectStore store;

    private StoreState(ObjectStore store) {
        this.store = store;
    }

    /** Opens the state at {@code uri} ({@code s3://…}, {@code gs://…}, {@code file:///…} or a local path) and probes it. */
    public static StoreState open(String uri) {
        String u = uri.contains("://") ? uri : Path.of(uri).toAbsolutePath().toUri().toString();
        if (Stores.isDatabase(u)) {
            throw MigratorException.badInput("--state " + uri + ": a database cannot hold shared state; use file://, s3:// or gs://");
        }
        ObjectStore store = Stores.open(u, new StoreOptions(StoreOptions.DEFAULT_PART_SIZE, 4, Retry.DEFAULT));
        StoreState state = new StoreState(store);
        try {
            state.probe();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return state;
    }

    /** Two create-only writes of one fresh name: the second must be refused, or workers could both win a claim. */
    private void probe() {
        if (!store.capabilities().conditionalCreate()) {
            throw MigratorException.badInput("--state " + store.displayUri() + ": this store offers no create-only writes, so"
                    + " two workers could claim the same unit; use file:// (a shared volume), s3:// or gs://");
        }
        String name = "probe/" + UUID.randomUUID();
        try {
            if (!create(name, "1".getBytes(StandardCharsets.UTF_8))) {
                throw new MigratorException(ErrorCode.FAILED, "--state " + store.displayUri() + ": a create-only write of a new"
                        + " name was refused; check that nothing else writes there");
            }
            if (create(name, "2".getBytes(StandardCharsets.UTF_8))) {
                throw MigratorException.badInput("--state " + store.displayUri() + ": the store ignored a create-only write"
                        + " (S3 If-None-Match: *) and overwrote an object, so two workers could claim the same unit; use a store"
                        + " that honours conditional writes (AWS S3, GCS) or file:// on a shared volume");
            }
        } finally {
            store.delete(name);
        }
    }

    @Override
    public Optional<byte[]> read(String name) {
        try (InputStream in = store.open(name, 0, -1)) {
            return Optional.of(in.readAllBytes());
        } catch (MigratorException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot read " + name + " in the shared state " + describe() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public boolean create(String name, byte[] bytes) {
        Optional<ObjectInfo> created = store.createIfAbsent(name, Content.of(bytes), JSON);
        return created.isPresent();
    }

    @Override
    public void write(String name, byte[] bytes) {
        store.put(name, Content.of(bytes), JSON);
    }

    @Override
    public List<String> list(String prefix) {
        try (Stream<ObjectInfo> s = store.list(prefix)) {
            return s.map(o -> o.key().substring(prefix.length())).toList();
        } catch (MigratorException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return List.of(); // a local root the first write creates
            }
            throw e;
        }
    }

    @Override
    public void delete(String name) {
        store.delete(name);
    }

    @Override
    public String describe() {
        return store.displayUri();
    }

    @Override
    public void close() {
        store.close();
    }
}
