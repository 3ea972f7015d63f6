package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.testkit.ObjectStoreContract;
import dev.migrator.testkit.fault.Fault;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The adapter through {@link FaultProxy} in front of S3Proxy: every injected fault is classified
 * retryable, and under {@link Retry} puts and gets of single-part and multipart objects complete with
 * the exact bytes.
 */
class S3FaultInjectionTest {
    private static final long PART = ObjectStoreContract.PART_SIZE;
    private static final Retry FAST = new Retry(8, Duration.ofMillis(1), Duration.ofMillis(20));
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    /** A Java exception class name, which an operator must never be shown. */
    static final java.util.regex.Pattern JAVA_NAME = java.util.regex.Pattern.compile("[A-Za-z]+Exception\\b|java\\.");
    /** The faults that end in an answer or a broken connection (NO_ANSWER waits for the read timeout). */
    private static final Fault[] BREAKING = {Fault.SLOW_DOWN_503, Fault.TOO_MANY_REQUESTS_429, Fault.INTERNAL_ERROR_500,
            Fault.RESET, Fault.TRUNCATE_BODY, Fault.CLOSE_BEFORE_STATUS};
    private static EmbeddedS3Server server;
    private FaultProxy proxy;

    @BeforeAll
    static void start() {
        server = EmbeddedS3Server.inMemory();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    /** A store whose requests go through a fresh proxy (forwarding everything until given a plan). */
    private ObjectStore storeThroughProxy(Retry partRetry) {
        String bucket = "faults-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket);
        proxy = FaultProxy.start(server.endpoint(), FaultPlan.none());
        String uri = server.s3Uri(bucket, "").replace(server.endpoint().toString(), proxy.endpoint().toString());
        return Stores.openAdapter(uri, new StoreOptions(PART, 3, partRetry));
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static String md5(byte[] data) {
        return Digests.hex(Digests.md5().digest(data));
    }

    /** What a caller does: retry the whole read, including a failure in the middle of the body. */
    private static byte[] readWithRetry(ObjectStore store, String key) {
        return FAST.call("reading " + key, () -> {
            try (InputStream in = store.open(key, 0, -1)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw MigratorException.retryable("reading " + key + ": " + e.getMessage(), e);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"SLOW_DOWN_503", "TOO_MANY_REQUESTS_429", "INTERNAL_ERROR_500", "RESET",
            "CLOSE_BEFORE_STATUS"})
    void eachFaultIsClassifiedRetryable(Fault fault) {
        try (ObjectStore store = storeThroughProxy(Retry.NONE)) {
            // PUT: the JDK client never resends a request with a streamed body on its own.
            proxy.plan(FaultPlan.sequence(fault));
            assertThatThrownBy(() -> store.put("k", Content.of(new byte[] {1, 2, 3}), ObjectMetadata.EMPTY))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.retryable()).as(e.getMessage()).isTrue();
                        assertThat(e.code()).isEqualTo(ErrorCode.FAILED);
                        assertThat(e.getMessage()).contains("s3://").doesNotContain(server.secretKey())
                                .doesNotContainPattern(JAVA_NAME);
                    });
            assertThat(proxy.injectedCount(fault)).isEqualTo(1);
            assertThat(store.put("k", Content.of(new byte[] {1, 2, 3}), ObjectMetadata.EMPTY).size()).isEqualTo(3);
        }
    }

    @Test
    void truncatedBodyFailsTheReadWithAnIOException() throws IOException {
        try (ObjectStore store = storeThroughProxy(Retry.NONE)) {
            byte[] data = random(200_000, 1);
            store.put("t", Content.of(data), ObjectMetadata.EMPTY);
            proxy.plan(FaultPlan.sequence(Fault.TRUNCATE_BODY));
            try (InputStream in = store.open("t", 0, -1)) {
                assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("ended after");
            }
            assertThat(proxy.injectedCount(Fault.TRUNCATE_BODY)).isEqualTo(1);
            proxy.plan(FaultPlan.sequence(Fault.TRUNCATE_BODY));
            assertThat(readWithRetry(store, "t")).isEqualTo(data);
            assertThat(proxy.injectedCount(Fault.TRUNCATE_BODY)).isEqualTo(2);
        }
    }

    @Test
    void singlePartPutsAndGetsCompleteUnderRetry() {
        try (ObjectStore store = storeThroughProxy(Retry.NONE)) {
            proxy.plan(FaultPlan.everyNth(2, Fault.SLOW_DOWN_503));
            for (int i = 0; i < 5; i++) {
                byte[] data = random(10_000 + i, i);
                String key = "obj-" + i;
                ObjectInfo put = FAST.call("put " + key, () -> store.put(key, Content.of(data), ObjectMetadata.EMPTY));
                assertThat(put.checksums().md5()).isEqualTo(md5(data));
                assertThat(readWithRetry(store, key)).isEqualTo(data);
            }
            assertThat(proxy.injectedCount(Fault.SLOW_DOWN_503)).isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void multipartPartsAreRetriedWithinOneUpload() {
        try (ObjectStore store = storeThroughProxy(FAST)) {
            byte[] data = random((int) (3 * PART + 99), 42);
            // Every part upload fails twice before it goes through; create/complete are untouched.
            proxy.plan(FaultPlan.sequence(Fault.SLOW_DOWN_503, Fault.RESET, Fault.INTERNAL_ERROR_500,
                            Fault.TOO_MANY_REQUESTS_429, Fault.RESET, Fault.SLOW_DOWN_503, Fault.RESET, Fault.RESET)
                    .only(r -> r.method().equals("PUT") && r.target().contains("partNumber=")));
            ObjectInfo put = store.put("big", Content.of(data), ObjectMetadata.EMPTY);
            assertThat(put.etag()).endsWith("-4");
            assertThat(proxy.injectedCount()).isEqualTo(8);
            proxy.plan(FaultPlan.none());
            assertThat(md5(readWithRetry(store, "big"))).isEqualTo(md5(data));
        }
    }

    @Test
    void seededRandomFaultsOnEveryKindOfRequest() {
        try (ObjectStore store = storeThroughProxy(FAST)) {
            proxy.plan(FaultPlan.random(7, 0.25, BREAKING));
            byte[] large = random((int) (2 * PART + 5), 8);
            FAST.call("put large", () -> store.put("large", Content.of(large), ObjectMetadata.EMPTY));
            for (int i = 0; i < 6; i++) {
                byte[] data = random(50_000 + i, 100 + i);
                String key = "small-" + i;
                FAST.call("put " + key, () -> store.put(key, Content.of(data), ObjectMetadata.EMPTY));
                assertThat(readWithRetry(store, key)).isEqualTo(data);
            }
            assertThat(md5(readWithRetry(store, "large"))).isEqualTo(md5(large));
            assertThat(proxy.injectedCount()).isPositive();
            assertThat(proxy.requestCount()).isGreaterThan(proxy.injectedCount());
        }
    }

    @Test
    void listingCutInTheMiddleOfItsXmlIsRetried() {
        try (ObjectStore store = storeThroughProxy(Retry.NONE)) {
            for (int i = 0; i < 40; i++) {
                store.put("posts/" + String.format("%05d", i) + ".json", Content.of(new byte[] {(byte) i}), ObjectMetadata.EMPTY);
            }
            proxy.plan(FaultPlan.sequence(Fault.TRUNCATE_BODY).only(FaultPlan.methods("GET")));
            assertThatThrownBy(() -> store.list("posts/").count())
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.retryable()).as(e.getMessage()).isTrue();
                        assertThat(e.getMessage()).startsWith("listing s3://").contains("cut off")
                                .doesNotContainPattern(JAVA_NAME);
                    });
            proxy.plan(FaultPlan.sequence(Fault.TRUNCATE_BODY, Fault.CLOSE_BEFORE_STATUS, Fault.TRUNCATE_BODY)
                    .only(FaultPlan.methods("GET")));
            assertThat(FAST.call("list", () -> store.list("posts/").count())).isEqualTo(40);
            assertThat(proxy.injectedCount()).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void connectionClosedBeforeTheStatusLineIsRetriedThenReportedInOneLine() {
        try (ObjectStore store = storeThroughProxy(Retry.NONE)) {
            store.put("posts/00015.json", Content.of(new byte[] {1, 2, 3}), ObjectMetadata.EMPTY);
            // Two closes, then the answer: the read succeeds under retry.
            proxy.plan(FaultPlan.sequence(Fault.CLOSE_BEFORE_STATUS, Fault.CLOSE_BEFORE_STATUS));
            assertThat(readWithRetry(store, "posts/00015.json")).containsExactly(1, 2, 3);
            // Every request closed: one line naming the object and how often it was tried.
            proxy.plan(r -> Fault.CLOSE_BEFORE_STATUS);
            assertThatThrownBy(() -> FAST.call("stat", () -> store.stat("posts/00015.json")))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.getMessage()).contains("s3://").contains("posts/00015.json")
                                .contains("connection closed by the endpoint").endsWith("(retried 7 times)")
                                .doesNotContainPattern(JAVA_NAME).doesNotContain("\n");
                        assertThat(e.retryable()).isFalse();
                    });
            // The JDK client itself tries an idempotent request once more on such a close, so up to twice as many.
            assertThat(proxy.injectedCount(Fault.CLOSE_BEFORE_STATUS)).isBetween(2L + 8, 2L + 16);
        }
    }
}
