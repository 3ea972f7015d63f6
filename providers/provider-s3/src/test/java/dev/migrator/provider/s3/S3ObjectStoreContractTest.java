package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.testkit.ObjectStoreContract;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The conformance suite against a real S3 server (S3Proxy, in-memory) through the real SDK client. */
class S3ObjectStoreContractTest extends ObjectStoreContract {
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static EmbeddedS3Server server;
    /** Forwards everything; there to count the requests the client makes. */
    private static FaultProxy counter;

    @BeforeAll
    static void startServer() {
        server = EmbeddedS3Server.inMemory();
        counter = FaultProxy.start(server.endpoint(), FaultPlan.none());
    }

    @AfterAll
    static void stopServer() {
        counter.close();
        server.close();
    }

    /** S3Proxy checks whether the key exists and then writes: simultaneous creates can all succeed there. */
    @Override
    protected boolean serverCreatesAtomically() {
        return false;
    }

    @Override
    protected long requestsSoFar() {
        return counter.requestCount();
    }

    @Override
    protected List<String> secretsInUri() {
        return List.of(server.accessKey(), server.secretKey());
    }

    @Override
    protected ObjectStore newStore() {
        // A fresh bucket per test: the 1024-byte key leaves no room for a per-test prefix.
        String bucket = "contract-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket);
        // Found through ServiceLoader, as the CLI finds it.
        return Stores.openAdapter(server.s3Uri(bucket, "").replace(server.endpoint().toString(), counter.endpoint().toString())
                        + "&page-size=" + MAX_PAGE_SIZE,
                new StoreOptions(PART_SIZE, 4, Retry.NONE));
    }

    /** The laziness check can fail: an adapter that reads every page before handing out the first object. */
    @Test
    void theLazinessCheckFailsForAnAdapterThatReadsEveryPageFirst() {
        for (int i = 0; i < 5 * MAX_PAGE_SIZE; i++) {
            store.put("lazy/" + (100 + i), Content.of(new byte[] {(byte) i}), ObjectMetadata.EMPTY);
        }
        ObjectStore eager = new ForwardingObjectStore(store) {
            @Override
            public Stream<ObjectInfo> list(String prefix, String startAfter) {
                return delegate.list(prefix, startAfter).toList().stream();
            }
        };
        assertThatThrownBy(() -> assertListingIsLazy(eager, this::requestsSoFar, 5))
                .isInstanceOf(AssertionError.class).hasMessageContaining("requests to take the first of 5 pages");
    }

    /** This suite runs on the lean path ({@link S3Wire}); its -Sdk subclass runs it on the SDK's. */
    @Test
    void runsOnTheRequestPathItIsFor() {
        org.assertj.core.api.Assertions.assertThat(((S3ObjectStore) store).wire).isNotNull();
    }
}
