package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code migrator inventory} against S3Proxy and the GCS test server; {@code copy --bucket-settings} between GCS buckets. */
class BucketSettingsCliTest {
    @TempDir
    Path dir;

    @Test
    void inventoryShowsClassesArchivedObjectsAndWhatTheServerCannotSay() {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("media");
            try (ObjectStore store = Stores.open(s3.s3Uri("media", ""), StoreOptions.DEFAULTS)) {
                store.put("a", Content.of(new byte[10]), ObjectMetadata.EMPTY);
                store.put("b", Content.of(new byte[20]), ObjectMetadata.EMPTY.withStorageClass("DEEP_ARCHIVE"));
            }
            CliRun r = CliRun.of("inventory", s3.s3Uri("media", ""));
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(r.out()).contains("2 objects, 30 B")
                    .containsPattern("DEEP_ARCHIVE +1 objects, 20 B +archived: restore before reading")
                    .containsPattern("STANDARD +1 objects, 10 B\n")
                    .contains("versioning:     unknown").contains("note: ").contains("CORS (501 NotImplemented)");
            CliRun json = CliRun.of("inventory", s3.s3Uri("media", ""), "--json");
            assertThat(json.exit()).as(json.all()).isZero();
            assertThat(json.out()).contains("\"archivedObjects\" : 1").contains("\"archivedBytes\" : 20");
        }
    }

    @Test
    void copyWithBucketSettingsCarriesCorsWebsiteLifecycleAndVersioningAndPrintsTheRest() {
        try (GcsTestServer gcs = GcsTestServer.start()) {
            gcs.createBucket("old");
            gcs.createBucket("new");
            String old = "gs://old?endpoint=" + gcs.endpoint();
            String fresh = "gs://new?endpoint=" + gcs.endpoint();
            try (ObjectStore store = Stores.open(old, StoreOptions.DEFAULTS)) {
                store.put("index.html", Content.of("<h1>hi</h1>".getBytes()), new ObjectMetadata("text/html", null, null, null, Map.of()));
                store.bucketSettings().orElseThrow().apply(new BucketSettings(
                        List.of(new BucketSettings.Cors(List.of("https://app.example"), List.of("PUT"), List.of(), List.of("ETag"), 300)),
                        List.of(new BucketSettings.Lifecycle("tmp", true, "tmp/", 2, null, null, null)),
                        new BucketSettings.Website("index.html", "404.html"), BucketSettings.Versioning.ENABLED, Map.of(), null, List.of()));
            }
            CliRun inv = CliRun.of("inventory", old, "--json");
            assertThat(inv.exit()).as(inv.all()).isZero();
            assertThat(inv.out()).contains("\"https://app.example\"").contains("\"indexDocument\" : \"index.html\"");

            CliRun copy = CliRun.of("copy", old, fresh, "--bucket-settings", "--state", dir.resolve("state").toString());
            assertThat(copy.exit()).as(copy.all()).isZero();
            assertThat(copy.out()).contains("Bucket settings: applied what").contains("ACTION not read from the source: the bucket's IAM policy");
            try (ObjectStore target = Stores.open(fresh, StoreOptions.DEFAULTS)) {
                BucketSettings now = target.bucketSettings().orElseThrow().read();
                assertThat(now.cors()).singleElement().satisfies(c -> assertThat(c.origins()).containsExactly("https://app.example"));
                assertThat(now.website().errorDocument()).isEqualTo("404.html");
                assertThat(now.versioning()).isEqualTo(BucketSettings.Versioning.ENABLED);
                assertThat(now.lifecycle()).singleElement().satisfies(l -> assertThat(l.expireDays()).isEqualTo(2));
                assertThat(target.stat("index.html")).isPresent();
            }
            CliRun local = CliRun.of("copy", old, dir.resolve("disk").toString(), "--bucket-settings", "--state", dir.resolve("s2").toString());
            assertThat(local.exit()).as(local.all()).isEqualTo(2);
            assertThat(local.err()).contains("has no bucket settings to set; drop the option").doesNotContain("Exception");
        }
    }

    @Test
    void aPlanMoveWithBucketSettingsAppliesThemAfterItsPreCopy() throws Exception {
        try (GcsTestServer gcs = GcsTestServer.start()) {
            gcs.createBucket("old");
            gcs.createBucket("new");
            String old = "gs://old?endpoint=" + gcs.endpoint();
            String fresh = "gs://new?endpoint=" + gcs.endpoint();
            try (ObjectStore store = Stores.open(old, StoreOptions.DEFAULTS)) {
                store.put("a.txt", Content.of("a".getBytes()), ObjectMetadata.EMPTY);
                store.bucketSettings().orElseThrow().apply(new BucketSettings(
                        List.of(new BucketSettings.Cors(List.of("*"), List.of("GET"), List.of(), List.of(), null)),
                        List.of(), null, BucketSettings.Versioning.OFF, Map.of(), null, List.of()));
            }
            Path plan = dir.resolve("exit.yaml");
            java.nio.file.Files.writeString(plan, """
                    name: settings
                    sources: {media: '%s'}
                    targets: {new-media: '%s'}
                    moves: [{name: media, from: media, to: new-media, bucket-settings: true}]
                    """.formatted(old, fresh));
            CliRun shown = CliRun.of("plan", plan.toString());
            assertThat(shown.exit()).as(shown.all()).isZero();
            assertThat(shown.out()).contains("presync/media/bucket-settings");
            CliRun run = CliRun.of("run", plan.toString(), "--skip-preflight", "--state", dir.resolve("state").toString());
            assertThat(run.exit()).as(run.all()).isZero();
            try (ObjectStore target = Stores.open(fresh, StoreOptions.DEFAULTS)) {
                assertThat(target.bucketSettings().orElseThrow().read().cors()).singleElement()
                        .satisfies(c -> assertThat(c.methods()).containsExactly("GET"));
            }
        }
    }
}
