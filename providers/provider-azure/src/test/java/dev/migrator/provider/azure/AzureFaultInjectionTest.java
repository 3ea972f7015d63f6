package dev.migrator.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.ObjectStoreContract;
import dev.migrator.testkit.azure.Azurite;
import dev.migrator.testkit.fault.Fault;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The adapter through {@link FaultProxy} in front of Azurite: every injected fault is classified retryable,
 * in one line without a Java name or the key; under {@link Retry} puts, staged-block uploads, listings and
 * reads complete with the exact bytes.
 */
class AzureFaultInjectionTest {
    private static final long PART = ObjectStoreContract.PART_SIZE;
    private static final Retry FAST = new Retry(8, Duration.ofMillis(1), Duration.ofMillis(20));
    /** A Java exception class name, which an operator must never be shown. */
    static final Pattern JAVA_NAME = Pattern.compile("[A-Za-z]+Exception\\b|java\\.|reactor\\.|io\\.netty");
    private static final Fault[] BREAKING = {Fault.SLOW_DOWN_503, Fault.TOO_MANY_REQUESTS_429, Fault.INTERNAL_ERROR_500,
            Fault.RESET, Fault.TRUNCATE_BODY, Fault.CLOSE_BEFORE_STATUS};
    private static Azurite azurite;
    private FaultProxy proxy;

    @BeforeAll
    static void start() {
        azurite = Azurite.shared();
    }

    @AfterEach
    void closeProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private ObjectStore storeThroughProxy(Retry blockRetry, String extra) {
        String container = AzureTestSupport.newContainer(azurite, "faults");
        proxy = FaultProxy.start(azurite.endpoint(), FaultPlan.none());
        return Stores.openAdapter(AzureTestSupport.uri(proxy.endpoint(), container, "") + extra,
                new StoreOptions(PART, 3, blockRetry));
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static String md5(byte[] data) {
        return Digests.hex(Digests.md5().digest(data));
    }

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
        try (ObjectStore store = storeThroughProxy(Retry.NONE, "")) {
            proxy.plan(FaultPlan.sequence(fault));
            assertThatThrownBy(() -> store.put("k", Content.of(new byte[] {1, 2, 3}), ObjectMetadata.EMPTY))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.retryable()).as(e.getMessage()).isTrue();
                        assertThat(e.code()).isEqualTo(ErrorCode.FAILED);
                        assertThat(e.getMessage()).contains("az://").contains("'k'").doesNotContain(Azurite.KEY)
                                .doesNotContainPattern(JAVA_NAME).doesNotContain("\n");
                    });
            assertThat(proxy.injectedCount(fault)).isEqualTo(1);
            assertThat(store.put("k", Content.of(new byte[] {1, 2, 3}), ObjectMetadata.EMPTY).size()).isEqualTo(3);
            proxy.plan(FaultPlan.sequence(fault));
            assertThatThrownBy(() -> store.stat("k")).isInstanceOfSatisfying(MigratorException.class,
                    e -> assertThat(e.retryable()).as(e.getMessage()).isTrue());
            assertThat(store.stat("k")).isPresent();
        }
    }

    /**
     * The Azure client resumes a download cut off mid-body from the byte it reached, pinned to the blob's ETag
     * (its "reliable download"), so a truncated body costs one more request and never yields other bytes.
     */
    @Test
    void aBodyCutOffMidwayIsResumedOnTheSameVersion() throws IOException {
        try (ObjectStore store = storeThroughProxy(Retry.NONE, "")) {
            byte[] data = random(200_000, 1);
            store.put("t", Content.of(data), ObjectMetadata.EMPTY);
            long before = proxy.requestCount();
            proxy.plan(FaultPlan.sequence(Fault.TRUNCATE_BODY, Fault.TRUNCATE_BODY));
            try (InputStream in = store.open("t", 0, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            assertThat(proxy.injectedCount(Fault.TRUNCATE_BODY)).isEqualTo(2);
            assertThat(proxy.requestCount() - before).isEqualTo(3);
            try (InputStream in = store.openWithInfo("t").stream()) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
    }

    @Test
    void stagedBlocksAreRetriedWithinOneUpload() {
        try (ObjectStore store = storeThroughProxy(FAST, "")) {
            byte[] data = random((int) (3 * PART + 99), 42);
            // Every block fails twice before it goes through; the block list and commit are untouched.
            proxy.plan(FaultPlan.sequence(Fault.SLOW_DOWN_503, Fault.RESET, Fault.INTERNAL_ERROR_500,
                            Fault.TOO_MANY_REQUESTS_429, Fault.RESET, Fault.SLOW_DOWN_503, Fault.RESET, Fault.RESET)
                    .only(r -> r.method().equals("PUT") && r.target().contains("comp=block&")));
            ObjectInfo put = store.put("big", Content.of(data), ObjectMetadata.EMPTY);
            assertThat(put.checksums().md5()).isEqualTo(md5(data));
            assertThat(proxy.injectedCount()).isEqualTo(8);
            proxy.plan(FaultPlan.none());
            assertThat(store.stat("big").orElseThrow().checksums().md5()).isEqualTo(md5(data));
            assertThat(md5(readWithRetry(store, "big"))).isEqualTo(md5(data));
        }
    }

    @Test
    void seededRandomFaultsOnEveryKindOfRequest() {
        try (ObjectStore store = storeThroughProxy(FAST, "&page-size=2")) {
            proxy.plan(FaultPlan.random(7, 0.25, BREAKING));
            byte[] large = random((int) (2 * PART + 5), 8);
            FAST.call("put large", () -> store.put("large", Content.of(large), ObjectMetadata.EMPTY));
            for (int i = 0; i < 6; i++) {
                byte[] data = random(50_000 + i, 100 + i);
                String key = "small-" + i;
                FAST.call("put " + key, () -> store.put(key, Content.of(data), ObjectMetadata.EMPTY));
                assertThat(readWithRetry(store, key)).isEqualTo(data);
            }
            assertThat(FAST.call("list", () -> {
                try (var s = store.list("small-")) {
                    return s.count();
                }
            })).isEqualTo(6);
            assertThat(md5(readWithRetry(store, "large"))).isEqualTo(md5(large));
            assertThat(proxy.injectedCount()).isPositive();
        }
    }

    @Test
    void listingCutInTheMiddleOfItsXmlIsRetryable() {
        try (ObjectStore store = storeThroughProxy(Retry.NONE, "&page-size=4")) {
            for (int i = 0; i < 10; i++) {
                store.put("posts/" + String.format("%05d", i) + ".json", Content.of(new byte[] {(byte) i}), ObjectMetadata.EMPTY);
            }
            proxy.plan(FaultPlan.sequence(Fault.TRUNCATE_BODY).only(r -> r.target().contains("comp=list")));
            assertThatThrownBy(() -> {
                try (var s = store.list("posts/")) {
                    s.count();
                }
            }).isInstanceOfSatisfying(MigratorException.class, e -> {
                assertThat(e.retryable()).as(e.getMessage()).isTrue();
                assertThat(e.getMessage()).contains("az://").doesNotContainPattern(JAVA_NAME).doesNotContain("\n");
            });
            assertThat(proxy.injectedCount()).isEqualTo(1);
        }
    }

    @Test
    void everyRequestClosedIsReportedInOneLineAfterTheRetries() {
        try (ObjectStore store = Stores.open(AzureTestSupport.uri(startProxy(), AzureTestSupport.newContainer(azurite,
                "closed"), ""), new StoreOptions(PART, 2, FAST))) {
            proxy.plan(r -> Fault.CLOSE_BEFORE_STATUS);
            assertThatThrownBy(() -> store.stat("posts/00015.json"))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.getMessage()).contains("az://").contains("posts/00015.json")
                                .endsWith("(retried 7 times)").doesNotContainPattern(JAVA_NAME).doesNotContain("\n");
                        assertThat(e.retryable()).isFalse();
                    });
            assertThat(proxy.injectedCount(Fault.CLOSE_BEFORE_STATUS)).isBetween(8L, 16L);
        }
    }

    private java.net.URI startProxy() {
        proxy = FaultProxy.start(azurite.endpoint(), FaultPlan.none());
        return proxy.endpoint();
    }
}
