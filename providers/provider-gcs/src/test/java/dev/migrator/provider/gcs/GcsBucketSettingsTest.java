package dev.migrator.provider.gcs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.BucketSettings.Cors;
import dev.migrator.provider.BucketSettings.Lifecycle;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bucket settings through the real Google client against the testkit's GCS server (buckets.get and buckets.patch):
 * an S3 bucket's settings, as the S3 adapter reads them, applied and read back.
 */
class GcsBucketSettingsTest {

    @Test
    void settingsFromS3AreAppliedWhereGcsHasTheirEquivalentAndTheRestAreActions() {
        try (GcsTestServer server = GcsTestServer.start()) {
            server.createBucket("web");
            try (ObjectStore store = Stores.openAdapter("gs://web?endpoint=" + server.endpoint(), StoreOptions.DEFAULTS)) {
                BucketSettings.Access access = store.bucketSettings().orElseThrow();
                BucketSettings fresh = access.read();
                assertThat(fresh.cors()).isEmpty();
                assertThat(fresh.lifecycle()).isEmpty();
                assertThat(fresh.website()).isNull();
                assertThat(fresh.versioning()).isEqualTo(BucketSettings.Versioning.OFF);

                BucketSettings fromS3 = new BucketSettings(
                        List.of(new Cors(List.of("https://app.example"), List.of("GET", "PUT"), List.of("x-upload-token"), List.of("ETag"), 600)),
                        List.of(new Lifecycle("exports", true, "exports/", 30, 7, "STANDARD_IA", null),
                                new Lifecycle("tagged", true, "tmp/", 1, null, null, "filter tag=scratch")),
                        new BucketSettings.Website("index.html", "404.html"), BucketSettings.Versioning.ENABLED,
                        Map.of("BlockPublicAcls", "false"), "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\"}]}", List.of());
                List<String> actions = access.apply(fromS3);

                BucketSettings now = access.read();
                assertThat(now.cors()).singleElement().satisfies(c -> {
                    assertThat(c.origins()).containsExactly("https://app.example");
                    assertThat(c.methods()).containsExactly("GET", "PUT");
                    assertThat(c.exposeHeaders()).containsExactly("ETag");
                    assertThat(c.maxAgeSeconds()).isEqualTo(600);
                });
                assertThat(now.website()).isEqualTo(new BucketSettings.Website("index.html", "404.html"));
                assertThat(now.versioning()).isEqualTo(BucketSettings.Versioning.ENABLED);
                // One action per GCS rule: the S3 rule that expires and transitions is two, its class mapped by tier.
                // --- s3set begin: the tag-filtered rule is not set (without its tag it would expire all of tmp/)
                assertThat(now.lifecycle()).extracting(l -> l.prefix() + " " + l.expireDays() + " " + l.transitionDays() + " " + l.transitionClass())
                        .containsExactly("exports/ 30 null null", "exports/ null 7 NEARLINE");
                // --- s3set end
                assertThat(server.count("buckets.patch")).isEqualTo(1);

                assertThat(actions).anyMatch(a -> a.contains("x-upload-token"))
                        .anyMatch(a -> a.contains("'tagged' also has filter tag=scratch") && a.contains("not set at all"))
                        .anyMatch(a -> a.contains("public access") && a.contains("never loosens"))
                        .anyMatch(a -> a.contains("bucket policy") && a.contains("IAM bindings"));
            }
        }
    }

    private static BucketSettings settings(String origin, String prefix, int days, String index) {
        return new BucketSettings(List.of(new Cors(List.of(origin), List.of("GET"), List.of(), List.of("ETag"), 60)),
                List.of(new Lifecycle("r", true, prefix, days, null, null, null)),
                new BucketSettings.Website(index, "404.html"), BucketSettings.Versioning.OFF, Map.of(), null, List.of());
    }

    @Test
    void aTargetsOwnDifferentSettingsAreKeptAndNamedAsActions() {
        try (GcsTestServer server = GcsTestServer.start()) {
            server.createBucket("web");
            try (ObjectStore store = Stores.openAdapter("gs://web?endpoint=" + server.endpoint(), StoreOptions.DEFAULTS)) {
                BucketSettings.Access access = store.bucketSettings().orElseThrow();
                assertThat(access.apply(settings("https://old.example", "logs/", 90, "home.html"))).isEmpty();
                BucketSettings before = access.read();
                assertThat(before.website()).isEqualTo(new BucketSettings.Website("home.html", "404.html"));
                long patches = server.count("buckets.patch");

                List<String> actions = access.apply(settings("https://new.example", "tmp/", 1, "index.html"));

                assertThat(access.read()).as("the target keeps what it held").isEqualTo(before);
                assertThat(server.count("buckets.patch")).as("nothing patched").isEqualTo(patches);
                assertThat(actions).hasSize(3)
                        .anyMatch(a -> a.startsWith("the CORS of bucket 'web'") && a.contains("old.example") && a.contains("new.example")
                                && a.contains("does not replace it"))
                        .anyMatch(a -> a.startsWith("the lifecycle rules of bucket 'web'") && a.contains("logs/") && a.contains("tmp/"))
                        .anyMatch(a -> a.startsWith("the website of bucket 'web'") && a.contains("home.html") && a.contains("index.html"));
            }
        }
    }

    @Test
    void aRerunFindsItsOwnSettingsEqualAndChangesNothing() {
        try (GcsTestServer server = GcsTestServer.start()) {
            server.createBucket("web");
            try (ObjectStore store = Stores.openAdapter("gs://web?endpoint=" + server.endpoint(), StoreOptions.DEFAULTS)) {
                BucketSettings.Access access = store.bucketSettings().orElseThrow();
                // As the S3 adapter reads a bucket: allowed headers "*" (GCS has none), a rule that expires and transitions.
                BucketSettings fromS3 = new BucketSettings(
                        List.of(new Cors(List.of("https://app.example"), List.of("GET", "PUT"), List.of("*"), List.of("ETag"), 600)),
                        List.of(new Lifecycle("exports", true, "exports/", 30, 7, "STANDARD_IA", null)),
                        new BucketSettings.Website("index.html", null), BucketSettings.Versioning.ENABLED, Map.of(), null, List.of());
                assertThat(access.apply(fromS3)).isEmpty();
                BucketSettings first = access.read();
                long patches = server.count("buckets.patch");
                assertThat(patches).isEqualTo(1);

                assertThat(access.apply(fromS3)).as("a rerun has nothing to do").isEmpty();
                assertThat(server.count("buckets.patch")).isEqualTo(patches);
                assertThat(access.read()).isEqualTo(first);
            }
        }
    }

    @Test
    void aSettingThePatchDidNotKeepIsAnAction() {
        try (GcsTestServer server = GcsTestServer.start()) {
            server.createBucket("web");
            server.dropPatchesOf("website");
            try (ObjectStore store = Stores.openAdapter("gs://web?endpoint=" + server.endpoint(), StoreOptions.DEFAULTS)) {
                BucketSettings.Access access = store.bucketSettings().orElseThrow();
                List<String> actions = access.apply(settings("https://app.example", "tmp/", 1, "index.html"));
                assertThat(actions).singleElement().satisfies(a -> assertThat(a)
                        .contains("accepted the bucket's website but reads back nothing").contains("index.html")
                        .contains("set it on bucket 'web'"));
                assertThat(access.read().cors()).hasSize(1);
            }
        }
    }
}
