package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

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
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** What the conformance suite does not cover: S3 specifics, error classification, URIs, copies. */
class S3ObjectStoreTest {
    private static final long PART = ObjectStoreContract.PART_SIZE;
    private static final StoreOptions OPTIONS = new StoreOptions(PART, 3, Retry.NONE);
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static EmbeddedS3Server server;

    @BeforeAll
    static void start() {
        server = EmbeddedS3Server.inMemory();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String newBucket() {
        String bucket = "extra-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket);
        return bucket;
    }

    private static ObjectStore open(String uri) {
        return Stores.openAdapter(uri, OPTIONS);
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static String md5(byte[] data) {
        return Digests.hex(Digests.md5().digest(data));
    }

    private static S3Client rawClient() {
        return S3Client.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKey(), server.secretKey())))
                .build();
    }

    @Test
    void metadataRoundTripsThroughPutStatAndOpenWithInfo() throws IOException {
        ObjectMetadata meta = new ObjectMetadata("text/csv; charset=utf-8", "gzip", "no-cache",
                "inline; filename=\"r.csv\"", Map.of("origin", "old-cloud", "Owner-Id", "42"));
        try (ObjectStore store = open(server.s3Uri(newBucket(), ""))) {
            byte[] data = random(1000, 1);
            ObjectInfo put = store.put("r.csv", Content.of(data), meta);
            assertThat(put.checksums().md5()).isEqualTo(md5(data));
            assertThat(store.stat("r.csv").orElseThrow().metadata()).isEqualTo(meta);
            ObjectStore.Opened opened = store.openWithInfo("r.csv");
            try (InputStream in = opened.stream()) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            assertThat(opened.info().metadata()).isEqualTo(meta);
            assertThat(opened.info().size()).isEqualTo(1000);
            assertThat(opened.info().checksums().md5()).isEqualTo(md5(data));
        }
    }

    @Test
    void rootPrefixScopesEveryOperation() {
        String bucket = newBucket();
        try (ObjectStore root = open(server.s3Uri(bucket, ""));
                ObjectStore scoped = open(server.s3Uri(bucket, "exports/2024"))) {
            root.put("outside", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
            scoped.put("a/b", Content.of(new byte[] {2}), ObjectMetadata.EMPTY);
            assertThat(root.stat("exports/2024/a/b")).isPresent();
            try (Stream<ObjectInfo> listed = scoped.list("")) {
                assertThat(listed.map(ObjectInfo::key)).containsExactly("a/b");
            }
            assertThat(scoped.displayUri()).startsWith("s3://" + bucket + "/exports/2024?");
        }
    }

    @Test
    void multipartUploadHasTheCompositeEtagAndNoMd5() {
        byte[] data = random((int) (2 * PART + 4321), 5);
        try (ObjectStore store = open(server.s3Uri(newBucket(), ""))) {
            ObjectInfo put = store.put("big", Content.of(data), ObjectMetadata.EMPTY);
            byte[][] parts = {
                Digests.md5().digest(Arrays.copyOfRange(data, 0, (int) PART)),
                Digests.md5().digest(Arrays.copyOfRange(data, (int) PART, (int) (2 * PART))),
                Digests.md5().digest(Arrays.copyOfRange(data, (int) (2 * PART), data.length))};
            String expected = MultipartUpload.compositeEtag(parts);
            assertThat(expected).endsWith("-3");
            assertThat(put.etag()).isEqualTo(expected);
            assertThat(put.checksums().md5()).isNull();
            ObjectInfo stat = store.stat("big").orElseThrow();
            assertThat(stat.etag()).isEqualTo(expected);
            assertThat(stat.checksums().md5()).as("a multipart ETag is not an MD5").isNull();
            try (Stream<ObjectInfo> listed = store.list("")) {
                assertThat(listed.findFirst().orElseThrow().checksums().md5()).isNull();
            }
        }
    }

    @Test
    void failedMultipartUploadIsAbortedAndRetryable() {
        String bucket = newBucket();
        byte[] data = random((int) (3 * PART), 9);
        Content failsInPartThree = new Content() {
            @Override
            public long size() {
                return data.length;
            }

            @Override
            public InputStream open() {
                return new java.io.FilterInputStream(new java.io.ByteArrayInputStream(data)) {
                    private long pos;

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (pos >= 2 * PART) {
                            throw new IOException("source connection reset");
                        }
                        int n = super.read(b, off, (int) Math.min(len, 2 * PART - pos));
                        pos += Math.max(n, 0);
                        return n;
                    }
                };
            }
        };
        try (ObjectStore store = open(server.s3Uri(bucket, "")); S3Client raw = rawClient()) {
            assertThatThrownBy(() -> store.put("partial", failsInPartThree, ObjectMetadata.EMPTY))
                    .hasMessageContaining("source connection reset");
            assertThat(raw.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
            assertThat(store.stat("partial")).isEmpty();

            Content lies = new Content() {
                @Override
                public long size() {
                    return data.length + 1;
                }

                @Override
                public InputStream open() {
                    return new java.io.ByteArrayInputStream(data);
                }
            };
            assertThatThrownBy(() -> store.put("short", lies, ObjectMetadata.EMPTY))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FAILED))
                    .hasMessageContaining("did not yield exactly its announced " + (data.length + 1) + " bytes");
            assertThat(raw.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
        }
    }

    @Test
    void readingFromTheEndIsEmptyAndBeyondIsBadInput() throws IOException {
        try (ObjectStore store = open(server.s3Uri(newBucket(), ""))) {
            store.put("k", Content.of(new byte[10]), ObjectMetadata.EMPTY);
            try (InputStream in = store.open("k", 10, -1)) {
                assertThat(in.readAllBytes()).isEmpty();
            }
            assertThatThrownBy(() -> store.open("k", 11, -1))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT));
        }
    }

    @Test
    void serverSideCopyReplacesMetadataAndCopiesLargeObjectsInParts() throws IOException {
        String bucket = newBucket();
        String other = newBucket();
        try (ObjectStore source = open(server.s3Uri(bucket, "src"));
                S3ObjectStore target = (S3ObjectStore) open(server.s3Uri(other, "dst"))) {
            byte[] small = random(2048, 2);
            source.put("s", Content.of(small), new ObjectMetadata("a/b", null, null, null, Map.of("x", "1")));
            ObjectStore.ServerSideCopy copy = target.serverSideCopyFrom(source).orElseThrow();
            ObjectMetadata replaced = new ObjectMetadata("c/d", null, "max-age=1", null, Map.of("y", "2"));
            ObjectInfo copied = copy.copy("s", "s2", replaced);
            assertThat(copied.checksums().md5()).isEqualTo(md5(small));
            assertThat(target.stat("s2").orElseThrow().metadata()).isEqualTo(replaced);
            try (InputStream in = target.open("s2", 0, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(small);
            }

            byte[] large = random((int) (PART + 777), 3);
            source.put("l", Content.of(large), ObjectMetadata.EMPTY);
            target.copyObjectLimit = 1024; // take the UploadPartCopy path without a 5 GiB object
            ObjectInfo big = copy.copy("l", "l2", null);
            assertThat(big.etag()).endsWith("-2");
            assertThat(big.size()).isEqualTo(large.length);
            try (InputStream in = target.open("l2", 0, -1)) {
                assertThat(md5(in.readAllBytes())).isEqualTo(md5(large));
            }

            assertThatThrownBy(() -> copy.copy("missing", "m", null))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                    .hasMessageContaining("missing");
        }
    }

    @Test
    void noServerSideCopyAcrossEndpointsOrCredentials() {
        String bucket = newBucket();
        try (EmbeddedS3Server elsewhere = EmbeddedS3Server.inMemory();
                ObjectStore here = open(server.s3Uri(bucket, ""));
                ObjectStore there = open(elsewhere.s3Uri("b12", ""));
                ObjectStore otherKey = open("s3://" + bucket + "/?endpoint=" + server.endpoint()
                        + "&access-key=someone-else&secret-key=x")) {
            assertThat(here.serverSideCopyFrom(there)).isEmpty();
            assertThat(here.serverSideCopyFrom(otherKey)).isEmpty();
            assertThat(here.serverSideCopyFrom(here)).isPresent();
        }
    }

    private static void assertFails(ThrowingCallable call, ErrorCode code, String... fragments) {
        assertThatThrownBy(call).isInstanceOfSatisfying(MigratorException.class, e -> {
            assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
            assertThat(e.retryable()).as(e.getMessage()).isFalse();
            assertThat(e.getMessage()).contains(fragments).doesNotContain(server.secretKey(), "wrong-secret-value");
        });
    }

    @Test
    void missingBucketIsBadInputNamingBucketAndEndpoint() {
        try (ObjectStore store = open(server.s3Uri("no-such-bucket", ""))) {
            String[] names = {"bucket 'no-such-bucket' does not exist at " + server.endpoint(), "create it first"};
            assertFails(() -> store.stat("k"), ErrorCode.BAD_INPUT, names);
            assertFails(() -> store.open("k", 0, -1), ErrorCode.BAD_INPUT, names);
            assertFails(() -> store.put("k", Content.of(new byte[1]), ObjectMetadata.EMPTY), ErrorCode.BAD_INPUT, names);
            assertFails(() -> store.list("").toList(), ErrorCode.BAD_INPUT, names);
            assertFails(() -> store.delete("k"), ErrorCode.BAD_INPUT, names);
        }
    }

    @Test
    void wrongSecretIsAuthWithoutTheSecret() {
        String bucket = newBucket();
        String uri = "s3://" + bucket + "/p?endpoint=" + server.endpoint() + "&access-key=" + server.accessKey()
                + "&secret-key=wrong-secret-value";
        try (ObjectStore store = open(uri)) {
            assertThat(store.displayUri()).doesNotContain("wrong-secret-value").doesNotContain("secret");
            String[] names = {"credentials rejected by " + server.endpoint(), "bucket '" + bucket + "'", "AWS_PROFILE"};
            assertFails(() -> store.put("k", Content.of(new byte[1]), ObjectMetadata.EMPTY), ErrorCode.AUTH, names);
            assertFails(() -> store.stat("k"), ErrorCode.AUTH, names);
            assertFails(() -> store.list("").toList(), ErrorCode.AUTH, names);
        }
    }

    @Test
    void unreachableEndpointIsBadInputNamingIt() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + port;
        try (ObjectStore store = open("s3://b12/?endpoint=" + endpoint + "&access-key=a&secret-key=wrong-secret-value")) {
            // Bad input, but retryable: a server that is restarting refuses connections for a while too.
            assertThatThrownBy(() -> store.stat("k")).isInstanceOfSatisfying(MigratorException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage()).contains("cannot connect to " + endpoint, "?endpoint=")
                        .doesNotContain("wrong-secret-value");
            });
        }
        try (ObjectStore store = open("s3://b12/?endpoint=http://no-such-host.invalid:9000&access-key=a&secret-key=s")) {
            assertFails(() -> store.stat("k"), ErrorCode.BAD_INPUT, "no-such-host.invalid");
        }
    }

    @Test
    void malformedUrisAreBadInputWithoutSecrets() {
        String base = "s3://bucket/p?endpoint=" + server.endpoint();
        assertFails(() -> open(base + "&page-size=0"), ErrorCode.BAD_INPUT, "page-size=0", "1 to 1000");
        assertFails(() -> open(base + "&colour=blue&secret-key=wrong-secret-value&access-key=a"), ErrorCode.BAD_INPUT,
                "unknown option(s) colour");
        assertFails(() -> open(base + "&secret-key=wrong-secret-value"), ErrorCode.BAD_INPUT, "both access-key= and secret-key=");
        assertFails(() -> open(base + "&checksums=sometimes"), ErrorCode.BAD_INPUT, "when-required");
        assertFails(() -> open("s3:///nobucket"), ErrorCode.BAD_INPUT, "names no bucket");
        assertFails(() -> open("s3://key:wrong-secret-value@bucket/"), ErrorCode.BAD_INPUT, "must not carry credentials");
        assertFails(() -> open("s3://bucket/?endpoint=ftp://x"), ErrorCode.BAD_INPUT, "http(s)://host");
    }

    @Test
    void uriOptionsParse() {
        S3Location aws = S3Location.parse(URI.create("s3://media/avatars/?profile=prod&page-size=50"));
        assertThat(aws.endpoint()).isNull();
        assertThat(aws.pathStyle()).isFalse();
        assertThat(aws.checksumsWhenRequired()).isFalse();
        assertThat(aws.rootPrefix()).isEqualTo("avatars/");
        assertThat(aws.pageSize()).isEqualTo(50);
        assertThat(aws.profile()).isEqualTo("prod");

        S3Location minio = S3Location.parse(URI.create(
                "s3://b/x%20y?endpoint=https://minio:9000&access-key=AK&secret-key=a%2Fb+c"));
        assertThat(minio.pathStyle()).isTrue();
        assertThat(minio.checksumsWhenRequired()).isTrue();
        assertThat(minio.region()).isEqualTo("us-east-1");
        assertThat(minio.rootPrefix()).isEqualTo("x y/");
        assertThat(minio.secretKey()).as("+ stays a plus in secrets").isEqualTo("a/b+c");
        assertThat(minio.displayUri()).isEqualTo("s3://b/x%20y?endpoint=https://minio:9000");
        assertThat(minio.toString()).doesNotContain("a/b+c");

        S3Location explicit = S3Location.parse(URI.create(
                "s3://b?endpoint=http://h:1&path-style=false&checksums=when-supported&region=eu-west-1"));
        assertThat(explicit.pathStyle()).isFalse();
        assertThat(explicit.checksumsWhenRequired()).isFalse();
        assertThat(explicit.region()).isEqualTo("eu-west-1");
    }

    @Test
    void factoryIsRegisteredForS3() {
        assertThat(Stores.factories()).containsKey("s3");
        assertThat(Stores.factories().get("s3").usage()).contains("s3://BUCKET", "endpoint=", "profile=", "checksums=");
    }
}
