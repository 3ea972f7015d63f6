package dev.migrator.provider.s3;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Providers;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.testkit.ObjectStoreContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The conformance suite against a real S3 server (S3Proxy, in-memory) through the real SDK client. */
class S3ObjectStoreContractTest extends ObjectStoreContract {
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static EmbeddedS3Server server;

    @BeforeAll
    static void startServer() {
        server = EmbeddedS3Server.inMemory();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected ObjectStore newStore() {
        // A fresh bucket per test: the 1024-byte key leaves no room for a per-test prefix.
        String bucket = "contract-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket);
        // Found through ServiceLoader, as the CLI finds it.
        return Providers.objectStore(server.s3Uri(bucket, "") + "&page-size=" + MAX_PAGE_SIZE,
                new StoreOptions(PART_SIZE, 4, Retry.NONE));
    }
}
