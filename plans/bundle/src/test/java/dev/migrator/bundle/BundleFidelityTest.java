package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import dev.migrator.transfer.Progress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tags, storage classes, language, expiry and Unicode metadata survive a bundle, as far as each target keeps them. */
class BundleFidelityTest {
    static final ObjectMetadata RICH = new ObjectMetadata("text/plain", null, null, null, Map.of("note", "naïve café ☕"),
            "pt-BR", Instant.parse("2032-02-03T04:05:06Z"), "NEARLINE", Map.of("Retention", "7y", "owner", "finance"));

    @TempDir
    Path dir;

    @Test
    void aBundleKeepsEveryFieldAndEachTargetGetsWhatItCanHold() throws Exception {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory(); GcsTestServer gcs = GcsTestServer.start()) {
            s3.createBucket("new-s3");
            gcs.createBucket("new-gcs");
            try (ObjectStore source = Stores.open(dir.resolve("src").toUri().toString(), StoreOptions.DEFAULTS);
                 ObjectStore bundle = Stores.open(dir.resolve("bundle").toUri().toString(), StoreOptions.DEFAULTS);
                 ObjectStore local = Stores.open(dir.resolve("restored").toUri().toString(), StoreOptions.DEFAULTS);
                 ObjectStore toS3 = Stores.open(s3.s3Uri("new-s3", ""), StoreOptions.DEFAULTS);
                 ObjectStore toGcs = Stores.open("gs://new-gcs/?endpoint=" + gcs.endpoint(), StoreOptions.DEFAULTS)) {
                source.put("ledger/2026.csv", Content.of("a,b\n".getBytes(StandardCharsets.UTF_8)), RICH);
                source.put("plain", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
                new BundleWriter(bundle, BundleRoundTripTest.small(dir.resolve("state")), Progress.NONE)
                        .create(List.of(new BundleSource.Objects(source)));
                String manifest = Files.readString(dir.resolve("bundle").resolve(BundleLayout.MANIFEST));
                assertThat(manifest.lines().findFirst().orElseThrow()).contains("\"version\":2");
                assertThat(manifest).contains("\"contentLanguage\":\"pt-BR\"", "\"expires\":\"2032-02-03T04:05:06Z\"",
                        "\"storageClass\":\"NEARLINE\"", "\"tags\":{\"Retention\":\"7y\",\"owner\":\"finance\"}", "naïve café ☕");

                BundleReader reader = BundleReader.open(bundle);
                for (ObjectStore target : List.of(local, toS3, toGcs)) {
                    RestoreSummary done = reader.restore(Map.of("s1", new RestoreTarget.Objects(target)), RestoreOptions.defaults(), Progress.NONE);
                    assertThat(done.restored()).as(target.displayUri()).isEqualTo(2);
                    BundleRoundTripTest.assertIdentical(source, target, 2);
                    // Restoring again finds every object as the target keeps it, and writes nothing.
                    RestoreSummary again = reader.restore(Map.of("s1", new RestoreTarget.Objects(target)), RestoreOptions.defaults(), Progress.NONE);
                    assertThat(again.skipped()).as(target.displayUri()).isEqualTo(2);
                }
                assertThat(local.stat("ledger/2026.csv").orElseThrow().metadata()).isEqualTo(RICH);
                ObjectMetadata onS3 = toS3.stat("ledger/2026.csv").orElseThrow().metadata();
                assertThat(onS3.storageClass()).as("GCS NEARLINE maps to S3 STANDARD_IA").isEqualTo("STANDARD_IA");
                assertThat(onS3.expires()).isEqualTo(RICH.expires());
                assertThat(onS3.userMetadata()).isEqualTo(RICH.userMetadata());
                ObjectMetadata onGcs = toGcs.stat("ledger/2026.csv").orElseThrow().metadata();
                assertThat(onGcs.storageClass()).isEqualTo("NEARLINE");
                assertThat(onGcs.contentLanguage()).isEqualTo("pt-BR");
                assertThat(onGcs.userMetadata()).isEqualTo(RICH.userMetadata());
            }
        }
    }
}
