package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.testkit.s3.S3MockServer;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import dev.migrator.transfer.Progress;
import dev.migrator.transfer.Verifier;
import dev.migrator.transfer.VerifyReport;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Checksums end to end between GCS ({@link GcsTestServer}, the real Google client) and S3 (Adobe S3Mock 4.12 through
 * the real SDK, {@code checksums=when-supported}): {@code copy} carries the source's CRC32C into S3, and {@code verify}
 * decides from the CRC32C both sides store, without reading a body, and still finds a changed byte.
 */
class ChecksumCliTest {
    private static final String KMS_KEY_ID = "valid-test-key-id";
    private static final String KMS_KEY = "arn:aws:kms:us-east-1:1234567890:key/" + KMS_KEY_ID;
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    @TempDir
    static Path root;
    private static S3MockServer s3mock;
    private static URI endpoint;
    private static GcsTestServer gcs;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        s3mock = S3MockServer.start(root, Map.of("com.adobe.testing.s3mock.store.validKmsKeys", KMS_KEY));
        endpoint = s3mock.endpoint();
        gcs = GcsTestServer.start();
    }

    @AfterAll
    static void stop() {
        gcs.close();
        s3mock.close();
    }

    private static S3Client admin() {
        return s3mock.admin();
    }

    private static String s3(String bucket) {
        return "s3://" + bucket + "/?endpoint=" + endpoint + "&region=us-east-1&access-key=s3mock-access"
                + "&secret-key=s3mock-secret&checksums=when-supported";
    }

    private static String gs(String bucket) {
        return "gs://" + bucket + "?endpoint=" + gcs.endpoint();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static VerifyReport verify(ObjectStore a, ObjectStore b) {
        return new Verifier(a, b, 2, Retry.NONE, Progress.NONE).run();
    }

    /**
     * GCS to S3: every S3 object keeps the GCS object's CRC32C (sent with the PUT, checked by the server). The small
     * ones also share an MD5, the stronger value, which then decides. The multipart-sized one would be decided by
     * CRC32C on AWS (FULL_OBJECT); S3Mock keeps it COMPOSITE, so here S3 reports no value for it and its bytes are
     * read on the S3 side against the GCS MD5: the safe fallback.
     */
    @Test
    void gcsToS3CarriesTheSourcesCrc32cAndVerifyFindsAChangedByte() throws Exception {
        int n = BUCKETS.incrementAndGet();
        String src = "gsrc-" + n;
        String dst = "sdst-" + n;
        gcs.createBucket(src);
        try (S3Client admin = admin()) {
            admin.createBucket(b -> b.bucket(dst));
        }
        byte[] big = random((5 << 20) + 1000, 1);
        try (ObjectStore g = Stores.open(gs(src), StoreOptions.DEFAULTS)) {
            for (int i = 0; i < 3; i++) {
                g.put("k" + i, Content.of(random(2000 + i, 10 + i)), ObjectMetadata.EMPTY);
            }
            g.put("big", Content.of(big), ObjectMetadata.EMPTY);
        }
        CliRun copy = CliRun.of("copy", gs(src), s3(dst), "--part-size", "5M", "--state", dir.resolve("state").toString());
        assertThat(copy.exit()).as(copy.all()).isZero();

        try (ObjectStore g = Stores.open(gs(src), StoreOptions.DEFAULTS); S3Client admin = admin()) {
            for (int i = 0; i < 3; i++) {
                String key = "k" + i;
                HeadObjectResponse head = admin.headObject(b -> b.bucket(dst).key(key).checksumMode(ChecksumMode.ENABLED));
                assertThat(Checksums.hexOfBase64(head.checksumCRC32C())).as(key)
                        .isEqualTo(g.stat(key).orElseThrow().checksums().crc32c());
            }
        }

        CliRun same = CliRun.of("verify", gs(src), s3(dst));
        assertThat(same.exit()).as(same.all()).isZero();
        assertThat(same.out()).contains("stored MD5: 3").contains("read one side, MD5: 1");

        // One byte changed at the target, same size: found from the stored values, without reading.
        byte[] changed = random(2001, 11);
        changed[100] ^= 1;
        try (S3Client admin = admin()) {
            admin.putObject(b -> b.bucket(dst).key("k1").checksumAlgorithm(ChecksumAlgorithm.CRC32_C), RequestBody.fromBytes(changed));
        }
        CliRun differs = CliRun.of("verify", gs(src), s3(dst));
        assertThat(differs.exit()).as(differs.all()).isEqualTo(3);
        assertThat(differs.all()).contains("k1");
    }

    /**
     * S3 to GCS with SSE-KMS objects on S3: their ETags are not MD5s, so CRC32C is the one value both sides store,
     * and verify is decided by it alone: no body read on either side, no GCS media download; a changed byte at the
     * target is found the same way.
     */
    @Test
    void s3KmsToGcsIsVerifiedFromStoredCrc32cWithoutReadingAndFindsAChangedByte() {
        int n = BUCKETS.incrementAndGet();
        String src = "ssrc-" + n;
        String dst = "gdst-" + n;
        gcs.createBucket(dst);
        byte[] big = random((5 << 20) + 1000, 2);
        try (S3Client admin = admin()) {
            admin.createBucket(b -> b.bucket(src));
            for (int i = 0; i < 3; i++) {
                byte[] data = i == 2 ? big : random(3000 + i, 20 + i);
                String key = "k" + i;
                admin.putObject(b -> b.bucket(src).key(key).checksumAlgorithm(ChecksumAlgorithm.CRC32_C)
                        .serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(KMS_KEY_ID), RequestBody.fromBytes(data));
            }
            HeadObjectResponse head = admin.headObject(b -> b.bucket(src).key("k0"));
            assertThat(head.serverSideEncryption()).as("S3Mock reports the encryption").isEqualTo(ServerSideEncryption.AWS_KMS);
        }
        CliRun copy = CliRun.of("copy", s3(src), gs(dst), "--state", dir.resolve("state").toString());
        assertThat(copy.exit()).as(copy.all()).isZero();

        try (VerifyFromChecksumsTest.CountingReads a = new VerifyFromChecksumsTest.CountingReads(Stores.open(s3(src), StoreOptions.DEFAULTS));
             VerifyFromChecksumsTest.CountingReads b = new VerifyFromChecksumsTest.CountingReads(Stores.open(gs(dst), StoreOptions.DEFAULTS))) {
            ObjectInfo kms = a.stat("k0").orElseThrow();
            assertThat(kms.checksums().md5()).as("an SSE-KMS ETag is no MD5").isNull();
            long downloads = gcs.count("objects.get.media");
            VerifyReport report = verify(a, b);
            assertThat(report.identical()).as(report.differences().toString()).isTrue();
            assertThat(report.verifiedBy()).containsExactly(Map.entry("stored CRC32C", 3L));
            assertThat(a.reads.get() + b.reads.get()).as("bodies read").isZero();
            assertThat(gcs.count("objects.get.media")).isEqualTo(downloads);

            byte[] changed = random(3001, 21);
            changed[7] ^= 1;
            b.put("k1", Content.of(changed), ObjectMetadata.EMPTY);
            VerifyReport differs = verify(a, b);
            assertThat(differs.differences()).singleElement().satisfies(d -> {
                assertThat(d.key()).isEqualTo("k1");
                assertThat(d.detail()).startsWith("crc32c ");
            });
            assertThat(a.reads.get() + b.reads.get()).isZero();
        }
        CliRun cli = CliRun.of("verify", s3(src), gs(dst));
        assertThat(cli.exit()).as(cli.all()).isEqualTo(3);
    }

    /**
     * S3 to S3 on one endpoint (a server-side copy) of SSE-KMS objects, which have no MD5: the copy asks for the
     * source's CRC32C, and the value S3 keeps for the copy is the source's; verify then decides from it.
     */
    @Test
    void aServerSideCopyOfKmsObjectsKeepsTheSourcesCrc32c() {
        int n = BUCKETS.incrementAndGet();
        String src = "kms-" + n;
        String dst = "copy-" + n;
        byte[] data = random(7000, 30);
        try (S3Client admin = admin()) {
            admin.createBucket(b -> b.bucket(src));
            admin.createBucket(b -> b.bucket(dst));
            admin.putObject(b -> b.bucket(src).key("k").checksumAlgorithm(ChecksumAlgorithm.CRC32_C)
                    .serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(KMS_KEY_ID), RequestBody.fromBytes(data));
        }
        CliRun copy = CliRun.of("copy", s3(src), s3(dst), "--state", dir.resolve("state").toString());
        assertThat(copy.exit()).as(copy.all()).isZero();
        try (S3Client admin = admin()) {
            HeadObjectResponse a = admin.headObject(b -> b.bucket(src).key("k").checksumMode(ChecksumMode.ENABLED));
            HeadObjectResponse b = admin.headObject(r -> r.bucket(dst).key("k").checksumMode(ChecksumMode.ENABLED));
            assertThat(b.checksumCRC32C()).isNotNull().isEqualTo(a.checksumCRC32C());
        }
        CliRun verify = CliRun.of("verify", s3(src), s3(dst));
        assertThat(verify.exit()).as(verify.all()).isZero();
        assertThat(verify.out()).contains("stored CRC32C: 1");
    }
}
