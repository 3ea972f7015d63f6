package dev.migrator.bundle;

import dev.migrator.provider.Database;
import dev.migrator.provider.ObjectStore;

/** Where one source of a bundle is restored: an object store, or a database of the dump's engine. */
public sealed interface RestoreTarget {
    String displayUri();

    record Objects(ObjectStore store) implements RestoreTarget {
        @Override
        public String displayUri() {
            return store.displayUri();
        }
    }

    record Db(Database database, Database.RestoreOptions options) implements RestoreTarget {
        @Override
        public String displayUri() {
            return database.displayUri();
        }
    }
}
