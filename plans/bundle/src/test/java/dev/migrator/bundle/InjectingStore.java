package dev.migrator.bundle;

import dev.migrator.provider.Content;
import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A real store with injected failures on chosen puts, counting every put by key. Every other method is
 * forwarded (checked by {@link WrappersForwardEveryMethodTest}).
 */
final class InjectingStore extends ForwardingObjectStore {
    private final BiFunction<String, Integer, MigratorException> failure;
    final Map<String, AtomicInteger> puts = new ConcurrentHashMap<>();
    /** The local files puts were offered to move into place ({@link Content#movableFile()}), e.g. restore's staged entries. */
    final List<Path> staged = Collections.synchronizedList(new ArrayList<>());

    /** {@code failure(key, attempt)} returns the exception to throw on that put attempt (1-based), or null. */
    InjectingStore(ObjectStore delegate, BiFunction<String, Integer, MigratorException> failure) {
        super(delegate);
        this.failure = failure;
    }

    int puts(String key) {
        AtomicInteger n = puts.get(key);
        return n == null ? 0 : n.get();
    }

    @Override
    public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
        int attempt = puts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        if (content.movableFile() != null) {
            staged.add(content.movableFile());
        }
        MigratorException e = failure.apply(key, attempt);
        if (e != null) {
            throw e;
        }
        return delegate.put(key, content, metadata);
    }
}
