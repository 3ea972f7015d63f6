package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.testkit.s3.S3MockServer;
import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code bundle create --versions all} and {@code bundle restore} of an S3 history end to end through the CLI, against
 * Adobe S3Mock's versioned buckets (ListObjectVersions, GET/HEAD/DELETE by versionId), as {@link S3MockCliTest} starts it.
 */
class BundleVersionsCliTest {
    @TempDir
    static Path root;
    private static S3MockServer s3mock;
    private static URI endpoint;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        s3mock = S3MockServer.start(root);
        endpoint = s3mock.endpoint();
    }

    @AfterAll
    static void stop() {
        s3mock.close();
    }

    @Test
    void aBundledHistoryIsRestoredOnceOntoAVersionedBucketAndRefusedOnAPlainOne() throws InterruptedException {
        try (S3Client admin = admin()) {
            for (String bucket : List.of("src", "dst", "plain")) {
                admin.createBucket(b -> b.bucket(bucket));
            }
            for (String bucket : List.of("src", "dst")) {
                admin.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status("Enabled")));
            }
        }
        try (ObjectStore store = open("src")) {
            put(store, "a", "a-one");
            Thread.sleep(5);
            put(store, "a", "a-two!");
            Thread.sleep(5);
            store.delete("a");
            Thread.sleep(5);
            put(store, "b", "b-one");
            Thread.sleep(5);
            put(store, "a", "a-three");
        }
        String bundle = dir.resolve("bundle").toString();
        CliRun create = CliRun.of("bundle", "create", uri("src"), "--to", bundle, "--versions", "all", "--state", dir.resolve("s").toString());
        assertThat(create.exit()).as(create.all()).isZero();
        CliRun inspect = CliRun.of("bundle", "inspect", bundle);
        assertThat(inspect.out()).contains("v3").contains("version history: every version and delete marker");

        CliRun refused = CliRun.of("bundle", "restore", bundle, "--to", uri("plain"), "--state", dir.resolve("s").toString());
        assertThat(refused.exit()).as(refused.all()).isEqualTo(2);
        assertThat(refused.err()).contains("target s3://plain/").contains("does not keep object versions")
                .contains("put-bucket-versioning").contains("--versions latest").doesNotContain("Exception").doesNotContain("s3mock-secret");
        try (ObjectStore store = open("plain"); Stream<?> objects = store.list("")) {
            assertThat(objects.count()).as("nothing written before the refusal").isZero();
        }

        CliRun restore = CliRun.of("bundle", "restore", bundle, "--to", uri("dst"), "--state", dir.resolve("s").toString());
        assertThat(restore.exit()).as(restore.all()).isZero();
        assertThat(history("dst")).containsExactly("a=a-one", "a=a-two!", "a deleted", "a=a-three", "b=b-one");
        CliRun again = CliRun.of("bundle", "restore", bundle, "--to", uri("dst"), "--state", dir.resolve("s").toString());
        assertThat(again.exit()).as(again.all()).isZero();
        assertThat(again.out()).contains("Restored 0 objects").contains("skipped 5");
        CliRun verify = CliRun.of("verify", uri("src"), uri("dst"), "--versions", "all");
        assertThat(verify.exit()).as(verify.all()).isZero();

        CliRun latest = CliRun.of("bundle", "restore", bundle, "--to", uri("plain"), "--versions", "latest", "--state", dir.resolve("s").toString());
        assertThat(latest.exit()).as(latest.all()).isZero();
        assertThat(history("plain")).containsExactly("a=a-three", "b=b-one");
    }

    @Test
    void bucketSettingsTravelInTheBundleAndRestoreApplyPrintsTheActionsLeft() {
        try (GcsTestServer gcs = GcsTestServer.start()) {
            gcs.createBucket("old");
            gcs.createBucket("new");
            String old = "gs://old?endpoint=" + gcs.endpoint();
            String fresh = "gs://new?endpoint=" + gcs.endpoint();
            try (ObjectStore store = Stores.open(old, StoreOptions.DEFAULTS)) {
                put(store, "index.html", "<h1>hi</h1>");
                store.bucketSettings().orElseThrow().apply(new BucketSettings(
                        List.of(new BucketSettings.Cors(List.of("https://app.example"), List.of("PUT"), List.of(), List.of("ETag"), 300)),
                        List.of(), new BucketSettings.Website("index.html", "404.html"), BucketSettings.Versioning.OFF, Map.of(), null, List.of()));
            }
            String bundle = dir.resolve("bundle").toString();
            CliRun create = CliRun.of("bundle", "create", old, "--to", bundle, "--bucket-settings", "--state", dir.resolve("s").toString());
            assertThat(create.exit()).as(create.all()).isZero();
            CliRun inspect = CliRun.of("bundle", "inspect", bundle);
            assertThat(inspect.out()).contains("v3").contains("bucket settings: ").contains("https://app.example");

            CliRun restore = CliRun.of("bundle", "restore", bundle, "--to", fresh, "--bucket-settings", "--state", dir.resolve("s").toString());
            assertThat(restore.exit()).as(restore.all()).isZero();
            assertThat(restore.out()).contains("Bucket settings: applied what the target has an equivalent for")
                    .contains("ACTION not read from the source: the bucket's IAM policy");
            try (ObjectStore target = Stores.open(fresh, StoreOptions.DEFAULTS)) {
                BucketSettings now = target.bucketSettings().orElseThrow().read();
                assertThat(now.cors()).singleElement().satisfies(c -> assertThat(c.origins()).containsExactly("https://app.example"));
                assertThat(now.website().indexDocument()).isEqualTo("index.html");
                assertThat(target.stat("index.html")).isPresent();
            }
            CliRun local = CliRun.of("bundle", "create", dir.resolve("disk-src").toString(), "--to", dir.resolve("b2").toString(),
                    "--versions", "all", "--state", dir.resolve("s").toString());
            assertThat(local.exit()).as(local.all()).isEqualTo(2);
            assertThat(local.err()).contains("does not keep object versions, so there is no history to bundle; drop --versions all");
            assertThat(dir.resolve("b2")).as("nothing written").doesNotExist();
            CliRun disk = CliRun.of("bundle", "restore", bundle, "--to", dir.resolve("disk").toString(), "--bucket-settings",
                    "--state", dir.resolve("s").toString());
            assertThat(disk.exit()).as(disk.all()).isEqualTo(2);
            assertThat(disk.err()).contains("has no bucket settings to set; drop the option").doesNotContain("Exception");
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
