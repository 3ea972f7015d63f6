package dev.migrator.bundle;

import dev.migrator.provider.Database;
import dev.migrator.provider.ObjectStore;

/** Something a bundle snapshots: every object of a store, or a database through its dump tool. */
public sealed interface BundleSource {

    /** The source's URI with credentials removed, as written in the manifest. */
    String displayUri();

    /**
     * Every object of {@code store}, with its metadata. The caller keeps ownership of the store.
     *
     * @param store          the objects
     * @param history        every version and delete marker of each key, in history order ({@code --versions all});
     *                       the store must keep versions. False: each key's current object
     * @param bucketSettings also the bucket's settings ({@code --bucket-settings}); the store must have them
     */
    record Objects(ObjectStore store, boolean history, boolean bucketSettings) implements BundleSource {
        /** Each key's current object, without bucket settings. */
        public Objects(ObjectStore store) {
            this(store, false, false);
        }

        @Override
        public String displayUri() {
            return store.displayUri();
        }
    }

    /** A consistent dump of {@code database}. The caller keeps ownership of the database. */
    record Db(Database database, Database.DumpOptions options) implements BundleSource {
        @Override
        public String displayUri() {
            return database.displayUri();
        }
    }
}
