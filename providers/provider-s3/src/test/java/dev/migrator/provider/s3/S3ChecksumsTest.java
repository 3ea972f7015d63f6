package dev.migrator.provider.s3;

import dev.migrator.testkit.s3.S3MockServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Capabilities.ChecksumKind;
import dev.migrator.provider.ChecksumDigest;
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
import java.io.InputStream;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The full-object checksum S3 writes carry ({@link WriteChecksum}), against Adobe S3Mock 4.12 through the real SDK
 * (what S3Mock stores is read back with a plain HEAD), and the SSE rules for ETags, which need headers S3Mock does
 * not send for every case (SSE-C, DSSE), as unit tests of the response parsing.
 */
class S3ChecksumsTest {
    private static final long PART = 5L << 20;
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    @TempDir
    static Path root;
    private static S3MockServer server;

    @BeforeAll
    static void startServer() {
        server = S3MockServer.start(root);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static String bucket() {
        String b = "sums-" + BUCKETS.incrementAndGet();
        server.createBucket(b, false);
        return b;
    }

    private static ObjectStore open(String bucket, String checksums) {
        return Stores.openAdapter(server.uri(bucket, "", "&checksums=" + checksums), new StoreOptions(PART, 2, Retry.NONE));
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Checksums all(byte[] data) {
        return ChecksumDigest.of(EnumSet.allOf(ChecksumKind.class), data);
    }

    private static Content claiming(byte[] data, Checksums known) {
        return new Content() {
            @Override
            public long size() {
                return data.length;
            }

            @Override
            public InputStream open() {
                return new java.io.ByteArrayInputStream(data);
            }

            @Override
            public Checksums known() {
                return known;
            }
        };
    }

    private static HeadObjectResponse head(String bucket, String key) {
        try (S3Client admin = server.admin()) {
            return admin.headObject(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
        }
    }

    @Test
    void aGcsObjectsCrc32cIsSentAndKeptInsteadOfTheSdksCrc32() {
        String bucket = bucket();
        byte[] data = random(4000, 1);
        Checksums gcs = new Checksums(all(data).md5(), all(data).crc32c());
        try (ObjectStore s3 = open(bucket, "when-supported")) {
            ObjectInfo put = s3.put("from-gcs", claiming(data, gcs), ObjectMetadata.EMPTY);
            assertThat(put.checksums().crc32c()).as("what the server answered").isEqualTo(gcs.crc32c());
            assertThat(s3.stat("from-gcs").orElseThrow().checksums()).isEqualTo(gcs);
        }
        HeadObjectResponse head = head(bucket, "from-gcs");
        assertThat(Checksums.hexOfBase64(head.checksumCRC32C())).isEqualTo(gcs.crc32c());
        assertThat(head.checksumCRC32()).as("one algorithm: the source's").isNull();
    }

    @Test
    void anS3SourcesCrc64nvmeStaysCrc64nvmeAndContentWithoutClaimsGetsCrc32c() {
        String bucket = bucket();
        byte[] data = random(3000, 2);
        try (ObjectStore s3 = open(bucket, "when-supported")) {
            s3.put("from-s3", claiming(data, Checksums.of(ChecksumKind.CRC64NVME, all(data).crc64nvme())), ObjectMetadata.EMPTY);
            s3.put("from-disk", Content.of(data), ObjectMetadata.EMPTY);
            assertThat(s3.stat("from-s3").orElseThrow().checksums())
                    .isEqualTo(Checksums.of(ChecksumKind.CRC64NVME, all(data).crc64nvme()).with(ChecksumKind.MD5, all(data).md5()));
            assertThat(s3.stat("from-disk").orElseThrow().checksums()).isEqualTo(new Checksums(all(data).md5(), all(data).crc32c()));
            assertThat(s3.capabilities().checksums()).containsExactlyInAnyOrder(ChecksumKind.MD5, ChecksumKind.CRC32C);
        }
    }

    @Test
    void withWhenRequiredNoChecksumHeaderIsSentAndOnlyMd5IsDeclared() {
        String bucket = bucket();
        byte[] data = random(3000, 3);
        try (ObjectStore s3 = open(bucket, "when-required")) {
            s3.put("plain", claiming(data, Checksums.of(ChecksumKind.CRC32C, all(data).crc32c())), ObjectMetadata.EMPTY);
            assertThat(s3.capabilities().checksums()).containsExactly(ChecksumKind.MD5);
        }
        HeadObjectResponse head = head(bucket, "plain");
        assertThat(head.checksumCRC32C()).isNull();
        assertThat(head.checksumCRC32()).isNull();
    }

    /**
     * The upload asks for CRC32C FULL_OBJECT and each part carries its CRC32C; S3Mock 4.12 keeps it as COMPOSITE
     * ({@code …-2}) and refuses the whole object's value at Complete, so the upload completes without it and the
     * composite value is reported as no full-object checksum at all (a read then decides, not a wrong match).
     */
    @Test
    void aMultipartUploadAsksForFullObjectAndFallsBackSafelyWhereTheServerKeepsComposite() {
        String bucket = bucket();
        byte[] data = random((int) PART + 1000, 4);
        try (ObjectStore s3 = open(bucket, "when-supported")) {
            ObjectInfo put = s3.put("big", claiming(data, Checksums.of(ChecksumKind.CRC32C, all(data).crc32c())), ObjectMetadata.EMPTY);
            assertThat(put.checksums().isEmpty()).as(put.checksums().toString()).isTrue();
            assertThat(s3.stat("big").orElseThrow().checksums().isEmpty()).isTrue();
            try (InputStream in = s3.open("big", 0, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        HeadObjectResponse head = head(bucket, "big");
        assertThat(head.checksumCRC32C()).as("S3Mock's composite value").endsWith("-2");
    }

    /**
     * A run killed mid-upload left a CRC32C upload with its first part; the next put continues it (the parts sent
     * now carry CRC32C values, the reused one gets its value from the bytes read: S3Mock refuses a Complete that lacks
     * one), and an upload created without an algorithm, which could not be completed with part values, is aborted.
     */
    @Test
    void anInterruptedUploadWithTheSameAlgorithmIsContinuedAndOneWithoutIsAborted() throws Exception {
        String bucket = bucket();
        byte[] data = random((int) (2 * PART) + 100, 8);
        try (S3Client admin = server.admin()) {
            String id = admin.createMultipartUpload(b -> b.bucket(bucket).key("big").contentType("application/octet-stream")
                    .checksumAlgorithm(software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.CRC32_C)
                    .checksumType(software.amazon.awssdk.services.s3.model.ChecksumType.FULL_OBJECT)).uploadId();
            admin.uploadPart(b -> b.bucket(bucket).key("big").uploadId(id).partNumber(1)
                    .checksumAlgorithm(software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.CRC32_C),
                    RequestBody.fromBytes(java.util.Arrays.copyOf(data, (int) PART)));
            // On another key: S3Mock's abort of one upload loses the parts of the key's other uploads (AWS keeps them).
            String plain = admin.createMultipartUpload(b -> b.bucket(bucket).key("other").contentType("application/octet-stream"))
                    .uploadId();
            admin.uploadPart(b -> b.bucket(bucket).key("other").uploadId(plain).partNumber(1),
                    RequestBody.fromBytes(java.util.Arrays.copyOf(data, (int) PART)));
            try (ObjectStore s3 = open(bucket, "when-supported")) {
                for (String key : new String[] {"big", "other"}) {
                    s3.put(key, Content.of(data), ObjectMetadata.EMPTY);
                    try (InputStream in = s3.open(key, 0, -1)) {
                        assertThat(in.readAllBytes()).as(key).isEqualTo(data);
                    }
                }
            }
            assertThat(admin.listMultipartUploads(b -> b.bucket(bucket)).uploads()).as("none left behind").isEmpty();
        }
    }

    /** A server-side copy asks for the source's algorithm, and S3's value for the copy is compared with the source's. */
    @Test
    void aServerSideCopyKeepsTheSourcesAlgorithmAndReportsTheCopysValue() {
        String from = bucket();
        String to = bucket();
        byte[] data = random(5000, 9);
        Checksums right = all(data);
        try (ObjectStore source = open(from, "when-supported"); ObjectStore target = open(to, "when-supported");
             S3Client admin = server.admin()) {
            // CRC64NVME, as AWS gives every object written without a checksum.
            admin.putObject(b -> b.bucket(from).key("k").checksumCRC64NVME(Checksums.base64OfHex(right.crc64nvme())),
                    RequestBody.fromBytes(data));
            ObjectInfo copied = target.serverSideCopyFrom(source).orElseThrow().copy("k", "k", null);
            assertThat(copied.checksums().md5()).isEqualTo(right.md5());
            assertThat(target.stat("k").orElseThrow().checksums())
                    .isEqualTo(Checksums.of(ChecksumKind.CRC64NVME, right.crc64nvme()).with(ChecksumKind.MD5, right.md5()));
        }
    }

    @Test
    void bytesThatDoNotHaveTheSourcesValueAreNotWrittenAndTheErrorNamesTheKey() {
        String bucket = bucket();
        byte[] data = random(2000, 5);
        byte[] big = random((int) PART + 10, 6);
        try (ObjectStore s3 = open(bucket, "when-supported")) {
            for (String key : new String[] {"small", "big"}) {
                byte[] bytes = key.equals("small") ? data : big;
                Checksums other = Checksums.of(ChecksumKind.CRC32C, all(random(10, 7)).crc32c());
                assertThatThrownBy(() -> s3.put("dir/" + key, claiming(bytes, other), ObjectMetadata.EMPTY))
                        .isInstanceOfSatisfying(MigratorException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                            assertThat(e.getMessage()).contains("dir/" + key).contains("CRC32C").contains("source reports")
                                    .doesNotContain("Exception");
                        });
                assertThat(s3.stat("dir/" + key)).isEmpty();
            }
        }
    }

    /** The server's own check: S3Mock refuses bytes with another CRC32C than the header, which is an integrity error. */
    @Test
    void theServersRefusalOfAChecksumIsAnIntegrityError() {
        String bucket = bucket();
        try (S3Client admin = server.admin()) {
            assertThatThrownBy(() -> admin.putObject(b -> b.bucket(bucket).key("k").checksumCRC32C("AAAAAA=="),
                    RequestBody.fromBytes("hello".getBytes())))
                    .isInstanceOfSatisfying(software.amazon.awssdk.services.s3.model.S3Exception.class, e -> {
                        MigratorException m = new S3Errors(S3Location.parse(java.net.URI.create(server.uri(bucket, "", ""))), () -> true)
                                .translate(e, "writing k");
                        assertThat(m.code()).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(m.getMessage()).startsWith("writing k: ");
                    });
        }
    }

    @Test
    void theAlgorithmIsTheSourcesStrongestThatS3KeepsFullObjectElseCrc32c() {
        Checksums gcs = new Checksums("9e107d9d372bb6826bd81d3542a419d6", "22620404");
        Checksums s3 = Checksums.of(ChecksumKind.CRC64NVME, "ae8b14860a799888")
                .with(ChecksumKind.SHA256, "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
        assertThat(WriteChecksum.choose(true, gcs, false)).contains(ChecksumKind.CRC32C);
        assertThat(WriteChecksum.choose(true, gcs, true)).contains(ChecksumKind.CRC32C);
        assertThat(WriteChecksum.choose(true, s3, false)).contains(ChecksumKind.SHA256);
        assertThat(WriteChecksum.choose(true, s3, true)).as("no FULL_OBJECT SHA-256 for multipart").contains(ChecksumKind.CRC64NVME);
        assertThat(WriteChecksum.choose(true, Checksums.md5("9e107d9d372bb6826bd81d3542a419d6"), false)).contains(ChecksumKind.CRC32C);
        assertThat(WriteChecksum.choose(true, Checksums.NONE, true)).contains(ChecksumKind.CRC32C);
        assertThat(WriteChecksum.choose(false, gcs, false)).isEmpty();
    }

    /** SSE-KMS, DSSE and SSE-C as HEAD reports them (headers built here): no such ETag is taken as an MD5. */
    @Test
    void anEncryptedObjectsEtagIsNeverAnMd5() {
        String md5 = all("x".getBytes()).md5();
        try (S3ObjectStore store = (S3ObjectStore) open(bucket(), "when-supported")) {
            HeadObjectResponse.Builder plain = HeadObjectResponse.builder().eTag("\"" + md5 + "\"").contentLength(1L);
            assertThat(store.info("k", plain.build()).checksums().md5()).isEqualTo(md5);
            assertThat(store.info("k", plain.serverSideEncryption(ServerSideEncryption.AES256).build()).checksums().md5())
                    .as("SSE-S3 keeps the MD5 ETag").isEqualTo(md5);
            for (ServerSideEncryption kms : new ServerSideEncryption[] {ServerSideEncryption.AWS_KMS, ServerSideEncryption.AWS_KMS_DSSE}) {
                assertThat(store.info("k", plain.serverSideEncryption(kms).build()).checksums().md5()).as(kms.toString()).isNull();
            }
            assertThat(store.info("k", HeadObjectResponse.builder().eTag("\"" + md5 + "\"").contentLength(1L)
                    .sseCustomerAlgorithm("AES256").build()).checksums().md5()).as("SSE-C").isNull();
            // A CRC stored alongside stays usable: it is computed over the plaintext.
            assertThat(store.info("k", plain.serverSideEncryption(ServerSideEncryption.AWS_KMS)
                    .checksumCRC32C(Checksums.base64OfHex("22620404")).build()).checksums())
                    .isEqualTo(Checksums.of(ChecksumKind.CRC32C, "22620404"));
        }
    }

    /** A listing cannot tell an SSE-KMS object: it reports the ETag but no checksum, whatever the object. */
    @Test
    void aListingReportsNoMd5ForAnyObject() {
        String bucket = bucket();
        try (ObjectStore s3 = open(bucket, "when-supported")) {
            s3.put("k", Content.of("hello".getBytes()), ObjectMetadata.EMPTY);
            try (var listed = s3.list("")) {
                ObjectInfo o = listed.findFirst().orElseThrow();
                assertThat(o.etag()).isEqualTo(all("hello".getBytes()).md5());
                assertThat(o.checksums().isEmpty()).isTrue();
            }
        }
    }
}
