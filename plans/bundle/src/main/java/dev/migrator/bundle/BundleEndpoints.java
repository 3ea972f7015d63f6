package dev.migrator.bundle;

import dev.migrator.provider.Database;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves what a bundle snapshots and where it restores from URIs, by the URI's provider: a database
 * URI ({@code postgresql://}, {@code mysql://}, ...) is dumped or restored through its engine's tools,
 * any other URI is an object store. The CLI's bundle commands and the plan's bundle steps both resolve
 * through it, so a bundle may hold databases and buckets whoever creates it.
 *
 * <p>Owns what it opens: {@link #close} closes every store and database it returned, last opened first.
 * Not thread-safe.
 */
public final class BundleEndpoints implements AutoCloseable {
    private final StoreOptions storeOptions;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** {@code storeOptions}: how object stores are opened (part size, part concurrency, retries). */
    public BundleEndpoints(StoreOptions storeOptions) {
        this.storeOptions = storeOptions;
    }

    /** Whether {@code uri} names a database (by its scheme's provider). */
    public static boolean isDatabase(String uri) {
        return Stores.isDatabase(uri);
    }

    /**
     * An object store, e.g. the bundle's own location, opened through {@link Stores} (so already retried; the
     * writer and reader only attach their progress to that retry layer).
     */
    public ObjectStore store(String uri) {
        return keep(Stores.open(uri, storeOptions));
    }

    /** A source for {@link BundleWriter#create}: a database with the default dump options, or every object of a store. */
    public BundleSource source(String uri) {
        return source(uri, Database.DumpOptions.defaults());
    }

    /** A source for {@link BundleWriter#create}; {@code dump} applies when {@code uri} is a database. */
    public BundleSource source(String uri, Database.DumpOptions dump) {
        if (isDatabase(uri)) {
            return new BundleSource.Db(keep(Stores.database(uri)), dump);
        }
        return new BundleSource.Objects(store(uri));
    }

    /**
     * A target for {@link BundleReader#restore}: an object store, or a database restored without owners
     * and grants (roles the new host may not have). {@code overwrite} lets a database that already holds
     * objects take the dump; an object store's conflicts are governed by {@link RestoreOptions#overwrite}.
     */
    public RestoreTarget target(String uri, boolean overwrite) {
        if (isDatabase(uri)) {
            Database.RestoreOptions d = Database.RestoreOptions.defaults();
            return new RestoreTarget.Db(keep(Stores.database(uri)),
                    new Database.RestoreOptions(d.jobs(), d.noOwner(), d.noPrivileges(), overwrite));
        }
        return new RestoreTarget.Objects(store(uri));
    }

    private <T extends AutoCloseable> T keep(T opened) {
        this.opened.push(opened);
        return opened;
    }

    /** Closes everything opened here; a failure to close one does not keep the others open. */
    @Override
    public void close() {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception ignored) {
                // closing a store or a database connection: nothing is left to lose
            }
        }
    }
}
