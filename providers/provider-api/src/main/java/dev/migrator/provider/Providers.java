package dev.migrator.provider;

import java.net.URI;
import java.util.List;
import java.util.TreeMap;

/**
 * The old entry point, now a thin facade over {@link Stores} (which finds the providers once) for the
 * callers not yet moved to it. {@link #objectStore} returns the bare adapter, as it always did: those
 * callers wrap stores themselves. New code uses {@link Stores#open}.
 */
public final class Providers {
    private Providers() {
    }

    /** The bare adapter for {@code uri}; see {@link Stores#openAdapter}. */
    public static ObjectStore objectStore(String uri, StoreOptions options) {
        return Stores.openAdapter(uri, options);
    }

    public static Database database(String uri) {
        return Stores.database(uri);
    }

    /** Whether {@code uri} names a database (by its scheme's provider). */
    public static boolean isDatabase(String uri) {
        return Stores.isDatabase(uri);
    }

    public static ProviderFactory factoryFor(URI uri) {
        return Stores.factoryFor(uri);
    }

    /** Every installed provider by scheme, sorted. */
    public static TreeMap<String, ProviderFactory> all() {
        return new TreeMap<>(Stores.factories());
    }

    /** Usage lines of every installed provider. */
    public static List<String> usage() {
        return Stores.usage();
    }

    /** Parses a user-supplied URI; a local path without scheme is not guessed at. */
    public static URI parse(String uri) {
        return Stores.uri(uri);
    }
}
