package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.testkit.s3.S3MockServer;
import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.BucketSettings.Cors;
import dev.migrator.provider.BucketSettings.Lifecycle;
import dev.migrator.provider.BucketSettings.Website;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import dev.migrator.testkit.s3.LocalS3Server;
import dev.migrator.testkit.s3.S3rver;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code migrator inventory} and {@code copy --bucket-settings} with S3 buckets on servers that implement the
 * settings: s3rver (CORS, website), LocalS3 (policy, public-access block, versioning) and Adobe S3Mock (lifecycle),
 * S3 to S3 and S3 to and from the GCS test server. Each source is arranged with the SDK (or the GCS adapter), and
 * each target is read back through the adapter after the real command line ran.
 */
class BucketSettingsServersCliTest {
    private static final List<Cors> CORS = List.of(
            new Cors(List.of("https://app.example"), List.of("GET", "PUT"), List.of("*"), List.of("ETag"), 600));
    private static final Website SITE = new Website("index.html", "404.html");

    @TempDir
    Path dir;

    private static S3Client admin(URI endpoint, String key, String secret) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret))).build();
    }

    private static BucketSettings read(String uri) {
        try (ObjectStore store = Stores.open(uri, StoreOptions.DEFAULTS)) {
            return store.bucketSettings().orElseThrow().read();
        }
    }

    private static void put(String uri, String key) {
        try (ObjectStore store = Stores.open(uri, StoreOptions.DEFAULTS)) {
            store.put(key, Content.of(("<h1>" + key + "</h1>").getBytes()), new ObjectMetadata("text/html", null, null, null, Map.of()));
        }
    }

    /** An s3rver bucket with CORS rules and website documents, and one object. */
    private static String webBucket(S3rver s3rver, String name) {
        try (S3Client admin = admin(s3rver.endpoint(), S3rver.ACCESS_KEY, S3rver.SECRET_KEY)) {
            admin.createBucket(b -> b.bucket(name));
            admin.putBucketCors(b -> b.bucket(name).corsConfiguration(c -> c.corsRules(r -> r.allowedOrigins("https://app.example")
                    .allowedMethods("GET", "PUT").allowedHeaders("*").exposeHeaders("ETag").maxAgeSeconds(600))));
            admin.putBucketWebsite(b -> b.bucket(name).websiteConfiguration(w -> w.indexDocument(i -> i.suffix("index.html"))
                    .errorDocument(e -> e.key("404.html"))));
        }
        put(s3rver.uri(name, ""), "index.html");
        return s3rver.uri(name, "");
    }

    @Test
    void inventoryShowsPolicyPublicAccessAndVersioningFromLocalS3() {
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::avatars/*\"}]}";
        try (LocalS3Server localS3 = LocalS3Server.start();
             S3Client admin = admin(localS3.endpoint(), LocalS3Server.ACCESS_KEY, LocalS3Server.SECRET_KEY)) {
            admin.createBucket(b -> b.bucket("avatars"));
            admin.putBucketPolicy(b -> b.bucket("avatars").policy(policy));
            admin.putPublicAccessBlock(b -> b.bucket("avatars").publicAccessBlockConfiguration(c -> c
                    .blockPublicAcls(true).ignorePublicAcls(true).blockPublicPolicy(false).restrictPublicBuckets(false)));
            admin.putBucketVersioning(b -> b.bucket("avatars").versioningConfiguration(v -> v.status("Enabled")));
            admin.putObject(b -> b.bucket("avatars").key("a.png"), software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[42]));

            CliRun r = CliRun.of("inventory", localS3.uri("avatars", ""));
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(r.out()).contains("1 objects, 42 B").contains("versioning:     enabled")
                    .contains("public access:  {BlockPublicAcls=true, BlockPublicPolicy=false, IgnorePublicAcls=true,"
                            + " RestrictPublicBuckets=false}")
                    .contains("policy:         " + policy)
                    .contains("note: ").contains("CORS (501 NotImplemented)")
                    .doesNotContain(LocalS3Server.SECRET_KEY);
            CliRun json = CliRun.of("inventory", localS3.uri("avatars", ""), "--json");
            assertThat(json.exit()).as(json.all()).isZero();
            assertThat(json.out()).contains("\"BlockPublicAcls\" : \"true\"").contains("\"versioning\" : \"ENABLED\"")
                    .contains("s3:GetObject");
        }
    }

    @Test
    void copyCarriesCorsAndWebsiteFromS3rverToS3rverAndToGcsAndBack() {
        S3rver s3rver = S3rver.shared();
        String src = webBucket(s3rver, "site-src");
        CliRun inv = CliRun.of("inventory", src);
        assertThat(inv.exit()).as(inv.all()).isZero();
        assertThat(inv.out()).contains("CORS:           1 rule\n                  GET,PUT from https://app.example headers * max-age 600s")
                .contains("website:        index index.html, error 404.html")
                .contains("versioning:     unknown")
                .contains("versioning with a listing of the bucket's objects");

        try (S3Client admin = admin(s3rver.endpoint(), S3rver.ACCESS_KEY, S3rver.SECRET_KEY)) {
            admin.createBucket(b -> b.bucket("site-dst"));
        }
        String dst = s3rver.uri("site-dst", "");
        CliRun copy = CliRun.of("copy", src, dst, "--bucket-settings", "--state", dir.resolve("s1").toString());
        assertThat(copy.exit()).as(copy.all()).isZero();
        assertThat(copy.out()).contains("Bucket settings: applied what")
                .contains("ACTION not read from the source: ").contains("lifecycle rules (501 NotImplemented)")
                .doesNotContain("secret-key");
        BucketSettings s3Target = read(dst);
        assertThat(s3Target.cors()).isEqualTo(CORS);
        assertThat(s3Target.website()).isEqualTo(SITE);

        try (GcsTestServer gcs = GcsTestServer.start()) {
            gcs.createBucket("site-gcs");
            String gs = "gs://site-gcs?endpoint=" + gcs.endpoint();
            CliRun toGcs = CliRun.of("copy", src, gs, "--bucket-settings", "--state", dir.resolve("s2").toString());
            assertThat(toGcs.exit()).as(toGcs.all()).isZero();
            BucketSettings onGcs = read(gs);
            assertThat(onGcs.cors()).singleElement().satisfies(c -> {
                assertThat(c.origins()).containsExactly("https://app.example");
                assertThat(c.methods()).containsExactly("GET", "PUT");
                assertThat(c.maxAgeSeconds()).isEqualTo(600);
            });
            assertThat(onGcs.website()).isEqualTo(SITE);
            // --- gcsset begin: a rerun (new state, so the settings are applied again) finds them equal and patches nothing
            long patches = gcs.count("buckets.patch");
            CliRun again = CliRun.of("copy", src, gs, "--bucket-settings", "--state", dir.resolve("s2-again").toString());
            assertThat(again.exit()).as(again.all()).isZero();
            assertThat(again.out()).doesNotContain("already set");
            assertThat(gcs.count("buckets.patch")).as(again.all()).isEqualTo(patches);
            assertThat(read(gs)).isEqualTo(onGcs);
            // --- gcsset end

            // And back, GCS to a fresh S3 bucket: what GCS holds arrives equal on s3rver.
            try (S3Client admin = admin(s3rver.endpoint(), S3rver.ACCESS_KEY, S3rver.SECRET_KEY)) {
                admin.createBucket(b -> b.bucket("site-back"));
            }
            String back = s3rver.uri("site-back", "");
            CliRun fromGcs = CliRun.of("copy", gs, back, "--bucket-settings", "--state", dir.resolve("s3").toString());
            assertThat(fromGcs.exit()).as(fromGcs.all()).isZero();
            BucketSettings onS3 = read(back);
            assertThat(onS3.cors()).isEqualTo(onGcs.cors());
            assertThat(onS3.website()).isEqualTo(SITE);
            try (ObjectStore store = Stores.open(back, StoreOptions.DEFAULTS)) {
                assertThat(store.stat("index.html")).isPresent();
            }
        }
    }

    @Test
    void copyCarriesLifecycleBetweenS3MockAndGcs(@TempDir Path s3mockRoot) {
        try (S3MockServer s3mock = S3MockServer.start(s3mockRoot); GcsTestServer gcs = GcsTestServer.start()) {
            java.util.function.Function<String, String> uri = s3mock::uri;
            try (S3Client admin = s3mock.admin()) {
                admin.createBucket(b -> b.bucket("logs"));
                admin.createBucket(b -> b.bucket("logs-back"));
                admin.putBucketLifecycleConfiguration(b -> b.bucket("logs").lifecycleConfiguration(l -> l.rules(
                        r -> r.id("expire-tmp").status("Enabled").filter(f -> f.prefix("tmp/")).expiration(e -> e.days(7)),
                        r -> r.id("cold-archive").status("Enabled").filter(f -> f.prefix("archive/"))
                                .transitions(t -> t.days(30).storageClass("GLACIER")),
                        // Narrower than its prefix (S3Mock keeps the And, not its tag): must not reach GCS as "expire tmp/".
                        r -> r.id("tagged-tmp").status("Enabled").expiration(e -> e.days(1))
                                .filter(f -> f.and(a -> a.prefix("tmp/").tags(t -> t.key("scratch").value("yes")))))));
            }
            put(uri.apply("logs"), "tmp/a.html");
            gcs.createBucket("logs-gcs");
            String gs = "gs://logs-gcs?endpoint=" + gcs.endpoint();

            CliRun inv = CliRun.of("inventory", uri.apply("logs"));
            assertThat(inv.exit()).as(inv.all()).isZero();
            assertThat(inv.out()).contains("'expire-tmp' under tmp/ expire after 7 days")
                    .contains("'cold-archive' under archive/ to GLACIER after 30 days")
                    .contains("policy:         none or unknown").contains("policy with a listing of the bucket's objects")
                    .doesNotContain("ListBucketResult").doesNotContain(S3MockServer.SECRET_KEY);

            CliRun toGcs = CliRun.of("copy", uri.apply("logs"), gs, "--bucket-settings", "--state", dir.resolve("s1").toString());
            assertThat(toGcs.exit()).as(toGcs.all()).isZero();
            // S3Mock's listing for ?cors, ?website, ?publicAccessBlock and ?policy reaches the operator as a note, not GCS.
            assertThat(toGcs.out()).contains("ACTION not read from the source: ").doesNotContain("ListBucketResult")
                    .contains("ACTION lifecycle rule 'tagged-tmp' also has filter prefix tmp/");
            BucketSettings onGcs = read(gs);
            assertThat(onGcs.cors()).isEmpty();
            assertThat(onGcs.lifecycle()).extracting(Lifecycle::prefix, Lifecycle::expireDays, Lifecycle::transitionDays)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("tmp/", 7, null),
                            org.assertj.core.groups.Tuple.tuple("archive/", null, 30));
            assertThat(onGcs.lifecycle()).filteredOn(l -> l.transitionDays() != null).singleElement()
                    .satisfies(l -> assertThat(l.transitionClass()).isEqualTo("ARCHIVE"));

            // A GCS rule that deletes only noncurrent versions, set with the real Google client: without its
            // condition it would delete every object after 1 day on S3, so it must not be carried.
            try (com.google.cloud.storage.Storage storage = com.google.cloud.storage.StorageOptions.http()
                    .setHost(gcs.endpoint().toString()).setProjectId("p")
                    .setCredentials(com.google.cloud.NoCredentials.getInstance()).build().getService()) {
                List<com.google.cloud.storage.BucketInfo.LifecycleRule> rules = new java.util.ArrayList<>(storage.get("logs-gcs").getLifecycleRules());
                rules.add(new com.google.cloud.storage.BucketInfo.LifecycleRule(
                        com.google.cloud.storage.BucketInfo.LifecycleRule.LifecycleAction.newDeleteAction(),
                        com.google.cloud.storage.BucketInfo.LifecycleRule.LifecycleCondition.newBuilder()
                                .setAge(1).setIsLive(false).build()));
                storage.get("logs-gcs").toBuilder().setLifecycleRules(rules).build().update();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            CliRun back = CliRun.of("copy", gs, uri.apply("logs-back"), "--bucket-settings", "--state", dir.resolve("s2").toString());
            assertThat(back.exit()).as(back.all()).isZero();
            assertThat(back.out()).containsPattern("ACTION lifecycle rule 'rule-3' also has condition .*isLive=false.*"
                    + "the rule is not set at all");
            BucketSettings onS3 = read(uri.apply("logs-back"));
            // GCS ARCHIVE is read without a restore, so the storage-class table maps it back to GLACIER_IR, not GLACIER.
            assertThat(onS3.lifecycle()).extracting(Lifecycle::prefix, Lifecycle::expireDays, Lifecycle::transitionDays, Lifecycle::transitionClass)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("tmp/", 7, null, null),
                            org.assertj.core.groups.Tuple.tuple("archive/", null, 30, "GLACIER_IR"));
        }
    }
}
