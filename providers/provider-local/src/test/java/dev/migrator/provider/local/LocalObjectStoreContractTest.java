package dev.migrator.provider.local;

import dev.migrator.provider.ObjectStore;
import dev.migrator.testkit.ObjectStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class LocalObjectStoreContractTest extends ObjectStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ObjectStore newStore() {
        return new LocalObjectStore(dir.resolve("root"));
    }
}
