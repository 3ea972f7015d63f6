package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.provider.ThrottledException;
import dev.migrator.testkit.ObjectStoreContract;
import dev.migrator.testkit.fault.Fault;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lean request path ({@link S3Wire}) against the SDK's, on a real server (S3Proxy): what one path writes the
 * other reads back identically, both report the same {@link ObjectInfo}, and failures become the same kinds.
 */
class S3WireTest {
    private static final StoreOptions OPTIONS = new StoreOptions(ObjectStoreContract.PART_SIZE, 3, Retry.NONE);
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    /** Keys whose encoding differs between naive encoders: spaces, unicode, {@code //}, {@code +}, {@code %}, {@code ?}. */
    private static final List<String> KEYS = List.of("with space/and  two", "café/naïve ☃ 😀.txt", "double//slash///x",
            "/leading", "a+b=c&d.txt", "100%/%2F%zz", "question?hash#.bin", "~tilde/[b] {c} 'q\" <lt>*!$(),;:@",
            "dots/./and/../x", "dir/");
    private static EmbeddedS3Server server;

    @BeforeAll
    static void start() {
        server = EmbeddedS3Server.inMemory();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A store opened with {@code -Dmigrator.s3.wire=sdk}: the SDK sends every request. */
    static ObjectStore onSdkPath(Supplier<ObjectStore> open) {
        String before = System.getProperty(S3Wire.PROPERTY);
        System.setProperty(S3Wire.PROPERTY, "sdk");
        try {
            return open.get();
        } finally {
            if (before == null) {
                System.clearProperty(S3Wire.PROPERTY);
            } else {
                System.setProperty(S3Wire.PROPERTY, before);
            }
        }
    }

    private static String newBucket() {
        String bucket = "wire-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket);
        return bucket;
    }

    private static S3ObjectStore lean(String uri) {
        S3ObjectStore s = (S3ObjectStore) Stores.openAdapter(uri, OPTIONS);
        assertThat(s.wire).as("lean path for %s", uri).isNotNull();
        return s;
    }

    private static S3ObjectStore sdk(String uri) {
        S3ObjectStore s = (S3ObjectStore) onSdkPath(() -> Stores.openAdapter(uri, OPTIONS));
        assertThat(s.wire).isNull();
        return s;
    }

    @Test
    void theLeanPathIsChosenOnlyWhereItsAddressingIsTheSdks() {
        String uri = server.s3Uri(newBucket(), "");
        try (S3ObjectStore pathStyle = lean(uri)) {
            assertThat(pathStyle.wire.path("a b/c")).isEqualTo("/" + pathStyle.location.bucket() + "/a%20b/c");
        }
        try (S3ObjectStore virtual = (S3ObjectStore) Stores.openAdapter(uri.replace("path-style=true", "path-style=false"), OPTIONS)) {
            assertThat(virtual.wire).isNull();
        }
        try (S3ObjectStore aws = (S3ObjectStore) Stores.openAdapter("s3://bucket/?region=us-east-1&access-key=a&secret-key=b",
                OPTIONS)) {
            assertThat(aws.wire).isNull();
        }
        System.setProperty(S3Wire.PROPERTY, "fast");
        try {
            assertThatThrownBy(() -> Stores.openAdapter(uri, OPTIONS)).isInstanceOfSatisfying(MigratorException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT));
        } finally {
            System.clearProperty(S3Wire.PROPERTY);
        }
    }

    /** Each key written by one path is found, stat-ed and read by the other under the same key, with the same info. */
    @Test
    void awkwardKeysRoundTripBetweenThePaths() throws IOException {
        String uri = server.s3Uri(newBucket(), "root%20x/");
        try (S3ObjectStore lean = lean(uri); S3ObjectStore sdk = sdk(uri)) {
            for (int i = 0; i < KEYS.size(); i++) {
                String key = KEYS.get(i);
                S3ObjectStore writer = i % 2 == 0 ? lean : sdk;
                byte[] data = (key + " #" + i).getBytes(StandardCharsets.UTF_8);
                writer.put(key, Content.of(data), ObjectMetadata.EMPTY);
                assertSameInfo(lean, sdk, key);
                for (S3ObjectStore reader : List.of(lean, sdk)) {
                    try (InputStream in = reader.open(key, 0, -1)) {
                        assertThat(in.readAllBytes()).as(key).isEqualTo(data);
                    }
                    try (InputStream in = reader.open(key, 2, 3)) {
                        assertThat(in.readAllBytes()).as(key).isEqualTo(java.util.Arrays.copyOfRange(data, 2, 5));
                    }
                }
            }
            List<String> listed = new ArrayList<>(lean.list("").map(ObjectInfo::key).toList());
            assertThat(listed).containsExactlyInAnyOrderElementsOf(KEYS);
        }
    }

    /** Page by page (three keys a page), under a prefix and after a key: the lean listing is the SDK's, field by field. */
    @Test
    void bothPathsListTheSameObjectsPageByPage() throws IOException {
        String bucket = newBucket();
        String uri = server.s3Uri(bucket, "");
        try (S3ObjectStore writer = lean(uri)) {
            for (String key : KEYS) {
                writer.put("p/" + key, Content.of(key.getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
            }
            writer.put("outside", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
        }
        String paged = server.s3Uri(bucket, "") + "&page-size=3";
        try (S3ObjectStore reader = lean(paged)) {
            // What a copy out of S3 asks of its source (listing, GET with the object's info): the SDK is never set up.
            assertThat(reader.list("").count()).isEqualTo(KEYS.size() + 1);
            try (InputStream in = reader.openWithInfo("outside").stream()) {
                assertThat(in.readAllBytes()).containsExactly(1);
            }
            assertThat(reader.sdkClientBuilt()).as("the SDK client was built for lean requests").isFalse();
        }
        try (S3ObjectStore lean = lean(paged); S3ObjectStore sdk = sdk(paged)) {
            List<ObjectInfo> all = lean.list("").toList();
            assertThat(all).hasSize(KEYS.size() + 1).isEqualTo(sdk.list("").toList());
            assertThat(all).allSatisfy(i -> assertThat(i.etag()).matches("[0-9a-f]{32}"));
            List<ObjectInfo> under = lean.list("p/").toList();
            assertThat(under).extracting(ObjectInfo::key)
                    .containsExactlyInAnyOrderElementsOf(KEYS.stream().map(k -> "p/" + k).toList());
            assertThat(under).isEqualTo(sdk.list("p/").toList());
            String after = under.get(4).key();
            assertThat(lean.list("p/", after).toList()).isEqualTo(under.subList(5, under.size()))
                    .isEqualTo(sdk.list("p/", after).toList());
        }
        try (S3ObjectStore scoped = lean(server.s3Uri(bucket, "p/") + "&page-size=2")) {
            assertThat(scoped.list("").map(ObjectInfo::key).toList()).containsExactlyInAnyOrderElementsOf(KEYS);
        }
    }

    @Test
    void bothPathsReportTheSameInfoForFullMetadata() {
        String uri = server.s3Uri(newBucket(), "");
        ObjectMetadata meta = new ObjectMetadata("text/html; charset=utf-8", "identity", "no-cache,  max-age=60",
                "attachment; filename=\"x y.html\"", Map.of("city", "Zürich – 東京 ☕", "plain", "a  b", "Mixed-Case", "v"),
                "de-CH", Instant.parse("2030-01-02T03:04:05Z"), null, Map.of()); // S3Proxy keeps no tags: S3MockContractTest has them
        try (S3ObjectStore lean = lean(uri); S3ObjectStore sdk = sdk(uri)) {
            ObjectInfo byLean = lean.put("m/lean", Content.of(new byte[] {1, 2, 3}), meta);
            ObjectInfo bySdk = sdk.put("m/sdk", Content.of(new byte[] {1, 2, 3}), meta);
            assertThat(byLean).isEqualTo(new ObjectInfo("m/lean", bySdk.size(), bySdk.lastModified(), bySdk.etag(),
                    bySdk.checksums(), bySdk.metadata()));
            for (String key : List.of("m/lean", "m/sdk")) {
                ObjectInfo info = assertSameInfo(lean, sdk, key);
                assertThat(info.metadata().sameAs(meta)).as("%s same as %s", info.metadata(), meta).isTrue();
                assertThat(info.checksums().md5()).isEqualTo("5289df737df57326fcdd22597afb1fac");
            }
        }
    }

    /** stat and openWithInfo of both paths, compared field by field (record equality); returns the info. */
    private static ObjectInfo assertSameInfo(S3ObjectStore lean, S3ObjectStore sdk, String key) throws RuntimeException {
        ObjectInfo a = lean.stat(key).orElseThrow();
        ObjectInfo b = sdk.stat(key).orElseThrow();
        assertThat(a).as(key).isEqualTo(b);
        assertThat(a.lastModified()).isNotNull();
        for (Function<S3ObjectStore, ObjectStore.Opened> open : List.<Function<S3ObjectStore, ObjectStore.Opened>>of(
                s -> s.openWithInfo(key))) {
            ObjectStore.Opened x = open.apply(lean);
            ObjectStore.Opened y = open.apply(sdk);
            try (InputStream i = x.stream(); InputStream j = y.stream()) {
                assertThat(x.info()).as(key).isEqualTo(y.info());
                assertThat(i.readAllBytes()).isEqualTo(j.readAllBytes());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return a;
    }

    @Test
    void failuresBecomeTheSameKindsOnBothPaths() throws IOException {
        String bucket = newBucket();
        String uri = server.s3Uri(bucket, "");
        try (S3ObjectStore lean = lean(uri); S3ObjectStore sdk = sdk(uri)) {
            for (S3ObjectStore s : List.of(lean, sdk)) {
                assertThat(s.stat("missing")).isEmpty();
                assertThatThrownBy(() -> s.open("missing", 0, -1)).isInstanceOfSatisfying(MigratorException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
                assertThatThrownBy(() -> s.openWithInfo("missing")).isInstanceOfSatisfying(MigratorException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
                s.put("three", Content.of(new byte[] {1, 2, 3}), ObjectMetadata.EMPTY);
                assertThat(read(s.open("three", 3, -1))).isEmpty(); // from exactly the end: 416, then an empty read
                assertThatThrownBy(() -> s.open("three", 9, -1)).isInstanceOfSatisfying(MigratorException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT));
            }
        }
        String wrongSecret = uri.replace(server.secretKey(), "not-the-secret");
        String noBucket = server.s3Uri("no-such-bucket-" + bucket, "");
        for (Function<String, S3ObjectStore> open : List.<Function<String, S3ObjectStore>>of(S3WireTest::lean, S3WireTest::sdk)) {
            try (S3ObjectStore s = open.apply(wrongSecret)) {
                for (Runnable call : List.<Runnable>of(() -> s.stat("k"), () -> s.openWithInfo("k"), () -> s.open("k", 0, -1),
                        () -> s.put("k", Content.of(new byte[] {1}), ObjectMetadata.EMPTY))) {
                    assertThatThrownBy(call::run).isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.AUTH);
                        assertThat(e.getMessage()).doesNotContain(server.secretKey()).doesNotContain("not-the-secret");
                    });
                }
            }
            try (S3ObjectStore s = open.apply(noBucket)) {
                for (Runnable call : List.<Runnable>of(() -> s.stat("k"), () -> s.openWithInfo("k"),
                        () -> s.put("k", Content.of(new byte[] {1}), ObjectMetadata.EMPTY))) {
                    assertThatThrownBy(call::run).isInstanceOfSatisfying(MigratorException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT));
                }
            }
        }
    }

    @Test
    void throttlingAndServerErrorsAreRetryableOnBothPaths() {
        String uri = server.s3Uri(newBucket(), "");
        try (FaultProxy proxy = FaultProxy.start(server.endpoint(), FaultPlan.none())) {
            String proxied = uri.replace(server.endpoint().toString(), proxy.endpoint().toString());
            for (Function<String, S3ObjectStore> open : List.<Function<String, S3ObjectStore>>of(S3WireTest::lean,
                    S3WireTest::sdk)) {
                try (S3ObjectStore s = open.apply(proxied)) {
                    s.put("k", Content.of(new byte[] {1, 2}), ObjectMetadata.EMPTY);
                    for (Fault fault : List.of(Fault.SLOW_DOWN_503, Fault.TOO_MANY_REQUESTS_429, Fault.INTERNAL_ERROR_500)) {
                        for (Runnable call : List.<Runnable>of(() -> s.stat("k"), () -> s.openWithInfo("k"),
                                () -> s.open("k", 0, -1), () -> s.put("k", Content.of(new byte[] {1}), ObjectMetadata.EMPTY))) {
                            proxy.plan(FaultPlan.sequence(fault));
                            assertThatThrownBy(call::run).isInstanceOfSatisfying(MigratorException.class, e -> {
                                assertThat(e.retryable()).as(e.getMessage()).isTrue();
                                assertThat(e instanceof ThrottledException).as(fault + ": " + e.getMessage())
                                        .isEqualTo(fault != Fault.INTERNAL_ERROR_500);
                            });
                        }
                    }
                }
            }
        }
    }

    /**
     * A whole-object checksum in a GET answer is checked against the bytes read (the SDK checks it too): a
     * server that sends other bytes than the checksum says fails the read. A plain HTTP server stands in for S3,
     * since no S3 server sends a wrong checksum on purpose.
     */
    @Test
    void aGetWhoseBytesDoNotMatchItsChecksumFailsTheRead() throws IOException {
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        String crc32cOfHello = Checksums.base64OfHex("9a71bb4c");
        AtomicInteger gets = new AtomicInteger();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            gets.incrementAndGet();
            ex.getResponseHeaders().add("x-amz-request-id", "test");
            ex.getResponseHeaders().add("ETag", "\"5d41402abc4b2a76b9719d911017c592\"");
            // The right CRC32C for "hello", then for "jello": the second answer's bytes are damaged.
            ex.getResponseHeaders().add("x-amz-checksum-crc32c", crc32cOfHello);
            byte[] out = gets.get() == 1 ? body : "jello".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        http.start();
        try (S3ObjectStore s = lean("s3://b/?endpoint=http://127.0.0.1:" + http.getAddress().getPort()
                + "&access-key=a&secret-key=b&checksums=when-supported")) {
            ObjectStore.Opened ok = s.openWithInfo("k");
            assertThat(ok.info().checksums().crc32c()).isEqualTo("9a71bb4c");
            assertThat(read(ok.stream())).isEqualTo(body);
            ObjectStore.Opened damaged = s.openWithInfo("k");
            assertThatThrownBy(() -> read(damaged.stream())).isInstanceOf(IOException.class).hasMessageContaining("CRC32C");
        } finally {
            http.stop(0);
        }
    }

    private static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
