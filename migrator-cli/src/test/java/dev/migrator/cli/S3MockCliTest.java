package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.testkit.s3.S3MockServer;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code copy/verify --versions all} and {@code --versions-at} end to end on S3: S3 to S3 through the real SDK
 * against Adobe S3Mock's versioned buckets (GetBucketVersioning, ListObjectVersions, GET/HEAD/DELETE by versionId),
 * as {@link VersionsCliTest} does on GCS. S3Mock gives a delete marker the time of the version it hides (S3 gives
 * it its own), so the point in time here lies before the second version, not between it and the deletion.
 * And verify from the checksums S3Mock stores, reading only what no stored checksum can judge.
 */
class S3MockCliTest {
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    @TempDir
    static Path root;
    private static S3MockServer s3mock;
    private static URI endpoint;

    @TempDir
    Path dir;
    private String src;
    private String dst;
    private String plain;
    /** Between a's first and second version. */
    private Instant afterFirst;

    @BeforeAll
    static void start() {
        s3mock = S3MockServer.start(root);
        endpoint = s3mock.endpoint();
    }

    @AfterAll
    static void stop() {
        s3mock.close();
    }

    @BeforeEach
    void history() throws InterruptedException {
        int n = BUCKETS.incrementAndGet();
        src = "src-" + n;
        dst = "dst-" + n;
        plain = "plain-" + n;
        try (S3Client admin = admin()) {
            for (String bucket : List.of(src, dst, plain)) {
                admin.createBucket(b -> b.bucket(bucket));
            }
            for (String bucket : List.of(src, dst)) {
                admin.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status("Enabled")));
            }
        }
        try (ObjectStore store = open(src)) {
            put(store, "a", "a-one");
            Thread.sleep(5);
            afterFirst = Instant.now();
            Thread.sleep(5);
            put(store, "a", "a-two!");
            Thread.sleep(5);
            store.delete("a");
            Thread.sleep(5);
            put(store, "b", "b-one");
            Thread.sleep(5);
            put(store, "a", "a-three");
        }
    }

    @Test
    void allRecreatesTheHistoryOnceAndVerifyNamesAMissingVersion() {
        String state = dir.resolve("state").toString();
        CliRun refused = CliRun.of("copy", uri(src), uri(plain), "--versions", "all", "--state", state);
        assertThat(refused.exit()).as(refused.all()).isEqualTo(2);
        assertThat(refused.err()).contains("does not keep object versions").contains("put-bucket-versioning")
                .doesNotContain("Exception").doesNotContain("s3mock-secret");
        try (ObjectStore store = open(plain); Stream<?> objects = store.list("")) {
            assertThat(objects.count()).as("nothing written before the refusal").isZero();
        }

        CliRun copy = CliRun.of("copy", uri(src), uri(dst), "--versions", "all", "--state", state);
        assertThat(copy.exit()).as(copy.all()).isZero();
        assertThat(history(dst)).containsExactly("a=a-one", "a=a-two!", "a deleted", "a=a-three", "b=b-one");

        CliRun again = CliRun.of("copy", uri(src), uri(dst), "--versions", "all", "--state", state);
        assertThat(again.exit()).as(again.all()).isZero();
        assertThat(again.out()).contains("Copied 0 objects").contains("skipped 5");
        assertThat(history(dst)).as("a second run adds no version").hasSize(5);

        CliRun same = CliRun.of("verify", uri(src), uri(dst), "--versions", "all");
        assertThat(same.exit()).as(same.all()).isZero();
        assertThat(same.out()).contains("Identical: 5 objects in the source");

        // Remove a's second version from the target's history (a DELETE by versionId, as an operator could).
        try (ObjectStore store = open(dst); Stream<ObjectVersion> versions = store.listVersions("a"); S3Client admin = admin()) {
            String second = versions.toList().get(1).versionId();
            admin.deleteObject(b -> b.bucket(dst).key("a").versionId(second));
        }
        assertThat(history(dst)).containsExactly("a=a-one", "a deleted", "a=a-three", "b=b-one");
        CliRun missing = CliRun.of("verify", uri(src), uri(dst), "--versions", "all");
        assertThat(missing.exit()).as(missing.all()).isEqualTo(3);
        assertThat(missing.out()).containsPattern("MISSING a: version 2 of 4, written \\S+, 6 bytes \\(source version id \\S+\\)");
    }

    @Test
    void versionsAtCopiesAndVerifiesThePastState() throws IOException {
        Path out = dir.resolve("then");
        CliRun copy = CliRun.of("copy", uri(src), out.toString(), "--versions-at", afterFirst.toString(),
                "--state", dir.resolve("state").toString());
        assertThat(copy.exit()).as(copy.all()).isZero();
        assertThat(Files.readString(out.resolve("a"))).isEqualTo("a-one");
        assertThat(out.resolve("b")).as("written after that time").doesNotExist();
        CliRun verify = CliRun.of("verify", uri(src), out.toString(), "--versions-at", afterFirst.toString());
        assertThat(verify.exit()).as(verify.all()).isZero();
        CliRun now = CliRun.of("verify", uri(src), out.toString());
        assertThat(now.exit()).as("today's state differs").isEqualTo(3);
    }

    @Test
    void verifyJudgesSinglePartObjectsFromStoredChecksumsAndReadsOnlyTheMultipartOne() {
        // A multipart object's CRC32 is COMPOSITE (of its parts), not of the whole object, and its ETag is no MD5:
        // nothing stored can judge it, so verify must read it on both sides, and only it.
        StoreOptions smallParts = new StoreOptions(5 << 20, 2, dev.migrator.provider.Retry.NONE);
        byte[] big = new byte[(5 << 20) + 1000];
        new java.util.Random(7).nextBytes(big);
        for (String bucket : List.of(plain, dst)) {
            try (ObjectStore store = Stores.open(uri(bucket), smallParts)) {
                for (int i = 0; i < 4; i++) {
                    put(store, "k" + i, ("object " + i).repeat(100 + i));
                }
                store.put("big", Content.of(big), ObjectMetadata.EMPTY);
            }
        }
        try (VerifyFromChecksumsTest.CountingReads source = new VerifyFromChecksumsTest.CountingReads(open(plain));
             VerifyFromChecksumsTest.CountingReads target = new VerifyFromChecksumsTest.CountingReads(open(dst))) {
            dev.migrator.transfer.VerifyReport report = new dev.migrator.transfer.Verifier(source, target, 2,
                    dev.migrator.provider.Retry.NONE, dev.migrator.transfer.Progress.NONE).run();
            assertThat(report.identical()).as(report.differences().toString()).isTrue();
            assertThat(report.verifiedBy()).containsExactlyInAnyOrderEntriesOf(Map.of("stored MD5", 4L, "read both sides, MD5", 1L));
            int readsOfBig = source.reads.get() + target.reads.get();
            assertThat(readsOfBig).as("only the multipart object is read, on each side").isBetween(2, 4);

            // The check is real: a changed object at the target is found from the checksums alone.
            put(target, "k3", "changed!".repeat(100));
            dev.migrator.transfer.VerifyReport changed = new dev.migrator.transfer.Verifier(source, target, 2,
                    dev.migrator.provider.Retry.NONE, dev.migrator.transfer.Progress.NONE).run();
            assertThat(changed.differences()).singleElement().satisfies(d -> assertThat(d.key()).isEqualTo("k3"));
            assertThat(source.reads.get() + target.reads.get()).as("again only the multipart object").isEqualTo(2 * readsOfBig);
        }
    }

    private static S3Client admin() {
        return s3mock.admin();
    }

    private static String uri(String bucket) {
        return s3mock.uri(bucket);
    }

    private static ObjectStore open(String bucket) {
        return Stores.open(uri(bucket), StoreOptions.DEFAULTS);
    }

    private static void put(ObjectStore store, String key, String text) {
        store.put(key, Content.of(text.getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
    }

    private static List<String> history(String bucket) {
        try (ObjectStore store = open(bucket)) {
            return dev.migrator.testkit.Histories.lines(store, "");
        }
    }
}
