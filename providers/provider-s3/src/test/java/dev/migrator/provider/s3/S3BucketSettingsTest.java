package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bucket settings against S3Proxy: what it offers is read and set, what it lacks becomes a note or an action. */
class S3BucketSettingsTest {

    @Test
    void readsWhatS3ProxyOffersAndNamesWhatItLacks() {
        try (EmbeddedS3Server server = EmbeddedS3Server.inMemory()) {
            server.createBucket("web");
            try (ObjectStore store = Stores.openAdapter(server.s3Uri("web", ""), new StoreOptions(5 << 20, 2, Retry.NONE))) {
                BucketSettings.Access access = store.bucketSettings().orElseThrow();
                BucketSettings before = access.read();
                // S3Proxy 3.0 answers 501 for the bucket CORS, lifecycle, website and versioning calls: unknown, with a note each.
                assertThat(before.cors()).isNull();
                assertThat(before.lifecycle()).isNull();
                assertThat(before.website()).isNull();
                assertThat(before.versioning()).isNull();
                assertThat(before.notes()).hasSize(5).filteredOn(n -> n.contains("501")).hasSize(4)
                        .anyMatch(n -> n.contains("CORS")).anyMatch(n -> n.contains("versioning"));
                // To GET ?publicAccessBlock it answers the bucket's listing: unknown, not "no block".
                assertThat(before.publicAccess()).isNull();
                assertThat(before.notes()).anyMatch(n -> n.contains("public-access block with a listing of the bucket's objects"));
                assertThat(before.policy()).isNull();
                BucketSettings wanted = new BucketSettings(
                        List.of(new BucketSettings.Cors(List.of("https://app.example"), List.of("GET", "PUT"), List.of("*"), List.of("ETag"), 600)),
                        List.of(new BucketSettings.Lifecycle("expire-exports", true, "exports/", 30, null, null, null)),
                        new BucketSettings.Website("index.html", "404.html"), BucketSettings.Versioning.ENABLED,
                        Map.of("BlockPublicAcls", "false"), "{\"Statement\":[]}", List.of());
                List<String> actions = access.apply(wanted);
                // Nothing it cannot set is dropped silently: each becomes an action naming it; access is never loosened.
                assertThat(actions).anyMatch(a -> a.contains("setting the bucket's CORS (501 NotImplemented): set it by hand"))
                        .anyMatch(a -> a.contains("setting the bucket's website"))
                        .anyMatch(a -> a.contains("setting the bucket's lifecycle rules"))
                        .anyMatch(a -> a.contains("setting the bucket's versioning"))
                        .anyMatch(a -> a.contains("public access") && a.contains("BlockPublicAcls=false"))
                        .anyMatch(a -> a.contains("bucket policy") && a.contains("{\"Statement\":[]}"));
                assertThat(access.read().publicAccess()).isNull();
            }
        }
    }
}
