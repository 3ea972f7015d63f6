package dev.migrator.provider.s3;

import dev.migrator.testkit.s3.S3MockServer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.BucketSettings.Cors;
import dev.migrator.provider.BucketSettings.Lifecycle;
import dev.migrator.provider.BucketSettings.Versioning;
import dev.migrator.provider.BucketSettings.Website;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.s3.LocalS3Server;
import dev.migrator.testkit.s3.S3rver;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.Transition;

/**
 * Each bucket setting read, applied to a second bucket and read back, against a server that really implements
 * its calls: s3rver (CORS, website), Adobe S3Mock (lifecycle, versioning) and LocalS3 (policy, public-access
 * block, versioning). The source bucket is arranged with the SDK directly, not through the code under test.
 * What a server lacks, or answers wrongly, must come back as a note naming the setting, never as a setting.
 */
class S3BucketSettingsServersTest {
    private static final StoreOptions OPTIONS = new StoreOptions(5 << 20, 2, Retry.NONE);
    @TempDir
    static Path s3mockRoot;
    private static S3MockServer s3mock;
    private static LocalS3Server localS3;

    @BeforeAll
    static void start() {
        s3mock = S3MockServer.start(s3mockRoot);
        localS3 = LocalS3Server.start();
    }

    @AfterAll
    static void stop() {
        s3mock.close();
        localS3.close();
    }

    static S3Client admin(URI endpoint, String key, String secret) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret))).build();
    }

    private static BucketSettings roundTrip(Function<String, String> uri, String source, String target,
                                            List<String> actions) {
        try (ObjectStore src = Stores.openAdapter(uri.apply(source), OPTIONS);
             ObjectStore dst = Stores.openAdapter(uri.apply(target), OPTIONS)) {
            BucketSettings read = src.bucketSettings().orElseThrow().read();
            actions.addAll(dst.bucketSettings().orElseThrow().apply(read));
            return read;
        }
    }

    private static BucketSettings read(String uri) {
        try (ObjectStore store = Stores.openAdapter(uri, OPTIONS)) {
            return store.bucketSettings().orElseThrow().read();
        }
    }

    @Test
    void corsAndWebsiteOnS3rver() {
        S3rver server = S3rver.shared();
        try (S3Client admin = admin(server.endpoint(), S3rver.ACCESS_KEY, S3rver.SECRET_KEY)) {
            admin.createBucket(b -> b.bucket("web-src"));
            admin.createBucket(b -> b.bucket("web-dst"));
            admin.putBucketCors(b -> b.bucket("web-src").corsConfiguration(c -> c.corsRules(
                    r -> r.allowedOrigins("https://app.example").allowedMethods("GET", "PUT").allowedHeaders("*")
                            .exposeHeaders("ETag").maxAgeSeconds(600),
                    r -> r.allowedOrigins("*").allowedMethods("GET"))));
            admin.putBucketWebsite(b -> b.bucket("web-src").websiteConfiguration(w -> w
                    .indexDocument(i -> i.suffix("index.html")).errorDocument(e -> e.key("404.html"))));
        }
        List<String> actions = new java.util.ArrayList<>();
        BucketSettings source = roundTrip(b -> server.uri(b, ""), "web-src", "web-dst", actions);
        assertThat(source.cors()).containsExactly(
                new Cors(List.of("https://app.example"), List.of("GET", "PUT"), List.of("*"), List.of("ETag"), 600),
                new Cors(List.of("*"), List.of("GET"), List.of(), List.of(), null));
        assertThat(source.website()).isEqualTo(new Website("index.html", "404.html"));
        BucketSettings target = read(server.uri("web-dst", ""));
        assertThat(target.cors()).isEqualTo(source.cors());
        assertThat(target.website()).isEqualTo(source.website());
        // What s3rver lacks is a note each, carried to the operator as an action; nothing is taken as a setting.
        assertThat(source.versioning()).isNull();
        assertThat(source.notes()).anyMatch(n -> n.contains("versioning with a listing of the bucket's objects"))
                .anyMatch(n -> n.contains("lifecycle rules (501 NotImplemented)"))
                .anyMatch(n -> n.contains("policy (405 MethodNotAllowed)"));
        assertThat(actions).hasSize(source.notes().size()).allMatch(a -> a.startsWith("not read from the source: "));

        // The same copy again (a resumed run) finds them equal and has nothing more to do.
        List<String> again = new java.util.ArrayList<>();
        roundTrip(b -> server.uri(b, ""), "web-src", "web-dst", again);
        assertThat(again).isEqualTo(actions);

        // A target that already has other CORS rules and website documents keeps them: an action each.
        BucketSettings other = new BucketSettings(List.of(new Cors(List.of("https://other.example"), List.of("GET"), null, null, null)),
                null, new Website("home.html", null), null, null, null, List.of());
        try (ObjectStore dst = Stores.openAdapter(server.uri("web-dst", ""), OPTIONS)) {
            List<String> refused = dst.bucketSettings().orElseThrow().apply(other);
            assertThat(refused).hasSize(2)
                    .anyMatch(a -> a.startsWith("the CORS of bucket 'web-dst'") && a.contains("https://other.example")
                            && a.contains("reconcile the two by hand"))
                    .anyMatch(a -> a.startsWith("the website of bucket 'web-dst'") && a.contains("home.html"));
        }
        assertThat(read(server.uri("web-dst", "")).cors()).isEqualTo(source.cors());
        assertThat(read(server.uri("web-dst", "")).website()).isEqualTo(source.website());
    }

    @Test
    void lifecycleAndVersioningOnS3Mock() {
        s3mock.createBucket("life-src", true);
        s3mock.createBucket("life-dst", false);
        try (S3Client admin = s3mock.admin()) {
            admin.putBucketLifecycleConfiguration(b -> b.bucket("life-src").lifecycleConfiguration(
                    BucketLifecycleConfiguration.builder().rules(
                            LifecycleRule.builder().id("expire-exports").status(ExpirationStatus.ENABLED)
                                    .filter(f -> f.prefix("exports/")).expiration(e -> e.days(30)).build(),
                            LifecycleRule.builder().id("cool-media").status(ExpirationStatus.ENABLED)
                                    .filter(f -> f.prefix("media/"))
                                    .transitions(Transition.builder().days(90).storageClass("GLACIER").build()).build(),
                            // Narrower than its prefix: applied without the tag it would expire every tmp/ object.
                            LifecycleRule.builder().id("tagged-tmp").status(ExpirationStatus.ENABLED)
                                    .filter(f -> f.and(a -> a.prefix("tmp/").tags(t -> t.key("scratch").value("yes"))))
                                    .expiration(e -> e.days(3)).build())
                            .build()));
        }
        List<String> actions = new java.util.ArrayList<>();
        BucketSettings source = roundTrip(b -> s3mock.uri(b, "", ""), "life-src", "life-dst", actions);
        assertThat(source.lifecycle()).hasSize(3).startsWith(
                new Lifecycle("expire-exports", true, "exports/", 30, null, null, null),
                new Lifecycle("cool-media", true, "media/", null, 90, "GLACIER", null));
        assertThat(source.lifecycle().get(2)).satisfies(l -> {
            assertThat(l.id()).isEqualTo("tagged-tmp");
            assertThat(l.prefix()).isEqualTo("tmp/");
            assertThat(l.expireDays()).isEqualTo(3);
            // S3Mock 4.12 keeps the And filter but drops its tags: still not a plain prefix rule, so not carried.
            assertThat(l.other()).startsWith("filter prefix tmp/");
        });
        assertThat(source.versioning()).isEqualTo(Versioning.ENABLED);
        BucketSettings target = read(s3mock.uri("life-dst", "", ""));
        assertThat(target.lifecycle()).isEqualTo(source.lifecycle().subList(0, 2));
        assertThat(actions).anyMatch(a -> a.startsWith("lifecycle rule 'tagged-tmp' also has filter")
                && a.contains("the rule is not set at all"));
        assertThat(target.versioning()).isEqualTo(Versioning.ENABLED);
        // S3Mock answers GET ?cors, ?website, ?publicAccessBlock and ?policy with the bucket's listing: each is
        // unknown with a note, never "no CORS" or a policy of listing XML.
        assertThat(source.cors()).isNull();
        assertThat(source.website()).isNull();
        assertThat(source.publicAccess()).isNull();
        assertThat(source.policy()).isNull();
        assertThat(source.notes()).hasSize(4).allMatch(n -> n.contains("with a listing of the bucket's objects"))
                .anyMatch(n -> n.contains("policy") && n.contains("not a JSON policy"));
        assertThat(actions).hasSize(5).noneMatch(a -> a.contains("ListBucketResult"));
        List<String> again = new java.util.ArrayList<>();
        roundTrip(b -> s3mock.uri(b, "", ""), "life-src", "life-dst", again);
        assertThat(again).isEqualTo(actions);

        // CORS and website to S3Mock, which has no such calls: an action each, the copy goes on.
        try (ObjectStore dst = Stores.openAdapter(s3mock.uri("life-dst", "", ""), OPTIONS)) {
            List<String> refused = dst.bucketSettings().orElseThrow().apply(new BucketSettings(
                    List.of(new Cors(List.of("*"), List.of("GET"), null, null, null)), null, new Website("index.html", null),
                    null, null, null, List.of()));
            assertThat(refused).hasSize(2).allMatch(a -> a.endsWith("set it by hand"))
                    .anyMatch(a -> a.contains("CORS")).anyMatch(a -> a.contains("website"));
        }
    }

    @Test
    void policyAndPublicAccessOnLocalS3() {
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"PublicReadAvatars\",\"Effect\":\"Allow\","
                + "\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::acl-src/avatars/*\"}]}";
        try (S3Client admin = admin(localS3.endpoint(), LocalS3Server.ACCESS_KEY, LocalS3Server.SECRET_KEY)) {
            admin.createBucket(b -> b.bucket("acl-src"));
            admin.createBucket(b -> b.bucket("acl-dst"));
            admin.putBucketPolicy(b -> b.bucket("acl-src").policy(policy));
            admin.putPublicAccessBlock(b -> b.bucket("acl-src").publicAccessBlockConfiguration(c -> c
                    .blockPublicAcls(true).ignorePublicAcls(true).blockPublicPolicy(false).restrictPublicBuckets(false)));
            admin.putBucketVersioning(b -> b.bucket("acl-src").versioningConfiguration(v -> v.status("Suspended")));
        }
        List<String> actions = new java.util.ArrayList<>();
        BucketSettings source = roundTrip(b -> localS3.uri(b, ""), "acl-src", "acl-dst", actions);
        assertThat(source.policy()).isEqualTo(policy);
        assertThat(source.publicAccess()).isEqualTo(Map.of("BlockPublicAcls", "true", "IgnorePublicAcls", "true",
                "BlockPublicPolicy", "false", "RestrictPublicBuckets", "false"));
        assertThat(source.versioning()).isEqualTo(Versioning.SUSPENDED);
        BucketSettings target = read(localS3.uri("acl-dst", ""));
        // Access is never loosened or changed by migrator: both are actions showing what the source has.
        assertThat(target.policy()).isNull();
        assertThat(target.publicAccess()).isEmpty();
        assertThat(target.versioning()).isEqualTo(Versioning.OFF);
        assertThat(actions).anyMatch(a -> a.startsWith("public access on the source is {BlockPublicAcls=true,")
                        && a.contains("set the public-access block of bucket 'acl-dst'") && a.contains("by hand"))
                .anyMatch(a -> a.contains("the source has a bucket policy") && a.endsWith(policy))
                .noneMatch(a -> a.contains(LocalS3Server.SECRET_KEY));
    }
}
