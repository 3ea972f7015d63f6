package dev.migrator.provider.gcs;

import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.testkit.ObjectStoreContract;
import dev.migrator.testkit.gcs.GcsTestServer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The conformance suite, through the real client's HTTP path against {@link GcsTestServer}. */
class GcsObjectStoreContractTest extends ObjectStoreContract {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static GcsTestServer server;

    @BeforeAll
    static void startServer() {
        server = GcsTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected long requestsSoFar() {
        return server.count("objects.list");
    }

    @Override
    protected ObjectStore newVersionedStore() {
        String bucket = "versioned-" + RUNS.incrementAndGet();
        server.enableVersioning(bucket);
        return Stores.openAdapter("gs://" + bucket + "?page-size=" + MAX_PAGE_SIZE + "&endpoint=" + server.endpoint(),
                new StoreOptions(PART_SIZE, 2, Retry.NONE));
    }

    @Override
    protected ObjectStore newStore() {
        // A fresh bucket per test (the suite's 1024-byte key leaves no room for a prefix); small pages so
        // listings take several requests; PART_SIZE chunks so the big object is uploaded in several.
        String bucket = "contract-" + RUNS.incrementAndGet();
        server.createBucket(bucket);
        return Stores.openAdapter("gs://" + bucket + "?page-size=" + MAX_PAGE_SIZE + "&endpoint=" + server.endpoint(),
                new StoreOptions(PART_SIZE, 2, Retry.NONE));
    }
}
