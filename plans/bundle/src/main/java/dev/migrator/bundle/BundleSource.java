package dev.migrator.bundle;

import dev.migrator.provider.Database;
import dev.migrator.provider.ObjectStore;

/** Something a bundle snapshots: every object of a store, or a database through its dump tool. */
public sealed interface BundleSource {

    /** The source's URI with credentials removed, as written in the manifest. */
    String displayUri();

    /** Every object of {@code store}, with its metadata. The caller keeps ownership of the store. */
    record Objects(ObjectStore store) implements BundleSource {
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
