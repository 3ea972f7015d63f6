package dev.migrator.provider.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.migrator.testkit.gcs.GcsTestServer;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the conformance suite does not cover: GCS specifics, observed on the test server. */
class GcsObjectStoreTest {
    private static final long PART = 5L * 1024 * 1024;
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static GcsTestServer server;

    private String bucket;
    private ObjectStore store;

    @BeforeAll
    static void startServer() {
        server = GcsTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void openStore() {
        bucket = "bucket-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket);
        store = open("gs://" + bucket);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static ObjectStore open(String uri) {
        String sep = uri.contains("?") ? "&" : "?";
        return Stores.openAdapter(uri + sep + "endpoint=" + server.endpoint(), new StoreOptions(PART, 2, Retry.NONE));
    }

    @Test
    void smallObjectsTakeOneRequestAndLargeOnesSeveralResumableChunks() {
        long multipart = server.count("objects.insert.multipart");
        long sessions = server.count("objects.insert.resumable");
        long chunks = server.count("objects.insert.resumable.chunk");
        long finalized = server.count("objects.insert.resumable.finalized");

        store.put("small", Content.of(random(1000, 1)), ObjectMetadata.EMPTY);
        assertThat(server.count("objects.insert.multipart")).isEqualTo(multipart + 1);
        assertThat(server.count("objects.insert.resumable")).isEqualTo(sessions);

        byte[] big = random((int) (2 * PART + 12345), 2);
        store.put("big", Content.of(big), ObjectMetadata.EMPTY);
        assertThat(server.count("objects.insert.resumable")).isEqualTo(sessions + 1);
        assertThat(server.count("objects.insert.resumable.chunk")).isEqualTo(chunks + 3);
        assertThat(server.count("objects.insert.resumable.finalized")).isEqualTo(finalized + 1);
        assertThat(read(store.open("big", 0, -1))).isEqualTo(big);
    }

    @Test
    void putStatAndListReportTheChecksumsOfTheData() {
        for (byte[] data : List.of(new byte[0], random(70_000, 3), random((int) PART + 1, 4))) {
            String key = "sum-" + data.length;
            ObjectInfo put = store.put(key, Content.of(data), ObjectMetadata.EMPTY);
            assertThat(put.checksums().md5()).as(key).isEqualTo(md5Hex(data));
            assertThat(put.checksums().crc32c()).as(key).isEqualTo(crc32cHex(data)).hasSize(8);
            assertThat(put.size()).isEqualTo(data.length);
            assertThat(put.etag()).isNotBlank();
            assertThat(store.stat(key).orElseThrow().checksums()).isEqualTo(put.checksums());
        }
        try (Stream<ObjectInfo> listed = store.list("sum-")) {
            listed.forEach(o -> assertThat(o.checksums().md5()).isNotNull().hasSize(32));
        }
    }

    @Test
    void listingsCarryTheMetadata() {
        ObjectMetadata meta = new ObjectMetadata("image/png", null, "no-cache", "inline", Map.of("owner", "7"));
        store.put("img/a.png", Content.of(random(10, 5)), meta);
        try (Stream<ObjectInfo> listed = store.list("img/")) {
            assertThat(listed.map(ObjectInfo::metadata).toList()).containsExactly(meta);
        }
    }

    @Test
    void gzipEncodedObjectsAreReadAsStored() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
            gz.write("compressible text, ".repeat(1000).getBytes(StandardCharsets.UTF_8));
        }
        byte[] stored = buf.toByteArray();
        ObjectMetadata meta = new ObjectMetadata("text/plain", "gzip", null, null, Map.of());
        ObjectInfo put = store.put("page.html.gz", Content.of(stored), meta);

        assertThat(put.checksums().md5()).isEqualTo(md5Hex(stored));
        assertThat(read(store.open("page.html.gz", 0, -1))).isEqualTo(stored);
        assertThat(read(store.open("page.html.gz", 3, 20))).isEqualTo(Arrays.copyOfRange(stored, 3, 23));
        assertThat(store.stat("page.html.gz").orElseThrow().metadata()).isEqualTo(meta);
    }

    @Test
    void openWithInfoReturnsTheInfoOfTheBytesItReads() throws IOException {
        ObjectMetadata meta = new ObjectMetadata("text/csv", null, null, null, Map.of("rows", "3"));
        byte[] first = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
        store.put("t.csv", Content.of(first), meta);
        ObjectStore.Opened opened = store.openWithInfo("t.csv");
        try (InputStream in = opened.stream()) {
            byte[] got = in.readAllBytes();
            assertThat(got).isEqualTo(first);
            assertThat(opened.info().checksums().md5()).isEqualTo(md5Hex(got));
        }
        assertThat(opened.info().metadata()).isEqualTo(meta);
        assertThatThrownBy(() -> store.openWithInfo("nope"))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void aSourceThatFailsOrLiesLeavesNoObject() {
        long finalized = server.count("objects.insert.resumable.finalized");
        byte[] data = random((int) (2 * PART + 1), 6);
        Content breaking = content(data.length, () -> new FilterInputStream(new java.io.ByteArrayInputStream(data)) {
            private long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read > PART + PART / 2) {
                    throw new IOException("disk went away");
                }
                int n = super.read(b, off, len);
                read += Math.max(n, 0);
                return n;
            }
        });
        assertThatThrownBy(() -> store.put("broken", breaking, ObjectMetadata.EMPTY))
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage()).contains("'broken'", "disk went away");
                });
        assertThat(store.stat("broken")).isEmpty();

        Content shortBig = content(data.length + 10L, () -> new java.io.ByteArrayInputStream(data));
        assertThatThrownBy(() -> store.put("short-big", shortBig, ObjectMetadata.EMPTY))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY));
        assertThat(store.stat("short-big")).isEmpty();

        Content longSmall = content(5, () -> new java.io.ByteArrayInputStream(new byte[6]));
        assertThatThrownBy(() -> store.put("long-small", longSmall, ObjectMetadata.EMPTY))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY));
        assertThat(store.stat("long-small")).isEmpty();
        assertThat(server.count("objects.insert.resumable.finalized")).isEqualTo(finalized);
    }

    @Test
    void aMissingBucketIsBadInputFromEveryMethod() {
        try (ObjectStore missing = open("gs://no-such-bucket/some/prefix")) {
            List<Consumer<ObjectStore>> calls = List.of(
                    s -> s.list("").close(),
                    s -> s.stat("k"),
                    s -> read(s.open("k", 0, -1)),
                    s -> s.put("k", Content.of(new byte[1]), ObjectMetadata.EMPTY),
                    s -> s.put("k", Content.of(new byte[(int) PART + 1]), ObjectMetadata.EMPTY),
                    s -> s.delete("k"));
            for (Consumer<ObjectStore> call : calls) {
                assertThatThrownBy(() -> call.accept(missing))
                        .isInstanceOfSatisfying(MigratorException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                            assertThat(e.getMessage()).contains("bucket 'no-such-bucket' does not exist", "create it first");
                        });
            }
        }
    }

    @Test
    void anUnreachableEndpointIsBadInputNamingIt() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + port;
        try (ObjectStore nowhere = Stores.openAdapter("gs://bkt?endpoint=" + endpoint, StoreOptions.DEFAULTS)) {
            assertThatThrownBy(() -> nowhere.stat("k"))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.getMessage()).contains(endpoint, "'k'", "endpoint");
                    });
        }
    }

    @Test
    void throttlingAndServerErrorsAreRetryableAndTheClientDoesNotRetryThem() {
        store.put("k", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
        for (int status : new int[] {429, 500, 503}) {
            server.failNextRequests(1, status);
            assertThatThrownBy(() -> store.stat("k")).as("status %d", status)
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.retryable()).isTrue();
                        assertThat(e.getMessage()).contains("'k'");
                    });
            // One injected failure, one failed call: the client did not retry behind our back.
            assertThat(store.stat("k")).isPresent();
        }
        server.failNextRequests(2, 503);
        Retry quick = new Retry(3, Duration.ofMillis(1), Duration.ofMillis(5));
        assertThat(quick.call("stat k", () -> store.stat("k"))).isPresent();
    }

    @Test
    void rejectedCredentialsAreAuthWithAHint() {
        for (int status : new int[] {401, 403}) {
            server.failNextRequests(1, status);
            assertThatThrownBy(() -> store.stat("k")).as("status %d", status)
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.AUTH);
                        assertThat(e.retryable()).isFalse();
                        assertThat(e.getMessage()).contains("gcloud auth application-default login",
                                "GOOGLE_APPLICATION_CREDENTIALS", bucket);
                    });
        }
    }

    @Test
    void serverSideCopyLoopsUntilDoneAndAppliesMetadata() {
        String target = bucket + "-target";
        server.createBucket(target);
        byte[] data = random(3 * 1024 * 1024 + 5, 7);
        ObjectMetadata sourceMeta = new ObjectMetadata("video/mp4", null, null, null, Map.of("from", "src"));
        store.put("movie", Content.of(data), sourceMeta);

        try (ObjectStore to = open("gs://" + target + "/copies/")) {
            ObjectStore.ServerSideCopy copy = to.serverSideCopyFrom(store).orElseThrow();
            long rewrites = server.count("objects.rewrite");
            ObjectMetadata newMeta = new ObjectMetadata("video/webm", null, "private", null, Map.of("to", "dst"));
            ObjectInfo copied = copy.copy("movie", "a/movie", newMeta);
            // The server rewrites 1 MiB per call: a 3 MiB object takes 4 calls.
            assertThat(server.count("objects.rewrite") - rewrites).isEqualTo(4);
            assertThat(copied.key()).isEqualTo("a/movie");
            assertThat(copied.checksums().md5()).isEqualTo(md5Hex(data));
            assertThat(copied.metadata()).isEqualTo(newMeta);
            assertThat(read(to.open("a/movie", 0, -1))).isEqualTo(data);

            assertThat(copy.copy("movie", "same-meta", null).metadata()).isEqualTo(sourceMeta);
            assertThatThrownBy(() -> copy.copy("absent", "x", newMeta))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                        assertThat(e.getMessage()).contains("'absent'");
                    });
        }
        try (GcsTestServer other = GcsTestServer.start();
                ObjectStore elsewhere = Stores.openAdapter("gs://" + bucket + "?endpoint=" + other.endpoint(),
                        StoreOptions.DEFAULTS)) {
            assertThat(elsewhere.serverSideCopyFrom(store)).isEmpty();
        }
    }

    @Test
    void theRootPrefixIsBytesExact() {
        try (ObjectStore under = open("gs://" + bucket + "/dir%20one/a+b%25//")) {
            under.put("k//x/", Content.of(new byte[] {9}), ObjectMetadata.EMPTY);
            try (Stream<ObjectInfo> listed = under.list("")) {
                assertThat(listed.map(ObjectInfo::key)).containsExactly("k//x/");
            }
        }
        try (Stream<ObjectInfo> listed = store.list("")) {
            assertThat(listed.map(ObjectInfo::key)).containsExactly("dir one/a+b%//k//x/");
        }
    }

    @Test
    void badUrisAreBadInputAndNeverShowSecrets() {
        Map<String, String> cases = Map.of(
                "gs://ab", "not a valid GCS bucket name",
                "gs:///just/a/path", "names no bucket",
                "gs://Upper_Case", "not a valid GCS bucket name",
                "gs://user:hunter2@bucket/x", "takes no credentials in the URI",
                "gs://bucket:443/x", "not a valid GCS bucket name",
                "gs://bkt?color=red", "unknown option 'color'",
                "gs://bkt?page-size=0", "page-size '0'",
                "gs://bkt?page-size=many", "page-size 'many'",
                "gs://bkt?endpoint=ftp://host", "must look like http://HOST:PORT");
        cases.forEach((uri, message) -> assertThatThrownBy(() -> Stores.openAdapter(uri, StoreOptions.DEFAULTS))
                .as(uri)
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains(message).doesNotContain("hunter2");
                }));
    }

    @Test
    void theFactoryIsFoundBySchemeAndDocumentsItsOptions() {
        assertThat(Stores.factoryFor(java.net.URI.create("gs://b/p"))).isInstanceOf(GcsProviderFactory.class);
        assertThat(new GcsProviderFactory().usage())
                .contains("gs://", "project=", "page-size=", "endpoint=", "STORAGE_EMULATOR_HOST",
                        "gcloud auth application-default login", "GOOGLE_APPLICATION_CREDENTIALS");
        assertThat(store.displayUri()).isEqualTo("gs://" + bucket + "?endpoint=" + server.endpoint());
    }

    // ---------------------------------------------------------------- helpers

    private interface Source {
        InputStream open() throws IOException;
    }

    private static Content content(long size, Source source) {
        return new Content() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public InputStream open() throws IOException {
                return source.open();
            }
        };
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] read(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String md5Hex(byte[] data) {
        return Digests.hex(Digests.md5().digest(data));
    }

    private static String crc32cHex(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        return String.format("%08x", c.getValue());
    }
}
