package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.azure.Azurite;
import dev.migrator.testkit.gcs.GcsTestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bucket goes S3 -> GCS -> local disk -> another S3 bucket, and every hop verifies identical. */
class CrossProviderCopyTest {
    @TempDir
    Path dir;

    @Test
    void s3ToGcsToLocalToS3() {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory(); GcsTestServer gcs = GcsTestServer.start()) {
            s3.createBucket("old-cloud");
            s3.createBucket("back");
            gcs.createBucket("new-cloud");
            long[] seeded;
            try (ObjectStore store = Stores.open(s3.s3Uri("old-cloud", ""), StoreOptions.DEFAULTS)) {
                seeded = DemoCommand.seed(store, 6);
            }
            String s3Source = s3.s3Uri("old-cloud", "");
            String gcsTarget = "gs://new-cloud/media/?endpoint=" + gcs.endpoint();
            String local = dir.resolve("host").toString();
            String s3Back = s3.s3Uri("back", "restored");
            String state = dir.resolve("state").toString();

            String[][] hops = {{s3Source, gcsTarget}, {gcsTarget, local}, {local, s3Back}};
            for (String[] hop : hops) {
                CliRun copy = CliRun.of("copy", hop[0], hop[1], "--part-size", "5M", "--state", state);
                assertThat(copy.exit()).as(copy.all()).isZero();
                assertThat(copy.out()).contains("Copied " + seeded[0] + " objects");
                CliRun verify = CliRun.of("verify", hop[0], hop[1]);
                assertThat(verify.exit()).as(verify.all()).isZero();
            }
            CliRun roundTrip = CliRun.of("verify", s3Source, s3Back);
            assertThat(roundTrip.exit()).as(roundTrip.all()).isZero();
            assertThat(roundTrip.out()).contains("Identical: " + seeded[0] + " objects");
        }
    }

    /** The third cloud in the middle: S3 -> Azure Blob (Azurite) -> GCS -> local disk, each hop and the whole verified. */
    @Test
    void s3ToAzureToGcsToLocal() {
        Azurite azurite = Azurite.shared();
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory(); GcsTestServer gcs = GcsTestServer.start()) {
            s3.createBucket("old-cloud");
            gcs.createBucket("third");
            long[] seeded;
            try (ObjectStore store = Stores.open(s3.s3Uri("old-cloud", ""), StoreOptions.DEFAULTS)) {
                seeded = DemoCommand.seed(store, 6);
            }
            String s3Source = s3.s3Uri("old-cloud", "");
            String azure = AzuriteContainers.create(azurite, "cross", "media/");
            String gcsTarget = "gs://third/from-azure/?endpoint=" + gcs.endpoint();
            String local = dir.resolve("host").toString();
            String state = dir.resolve("state").toString();

            String[][] hops = {{s3Source, azure}, {azure, gcsTarget}, {gcsTarget, local}};
            for (String[] hop : hops) {
                CliRun copy = CliRun.of("copy", hop[0], hop[1], "--part-size", "5M", "--state", state);
                assertThat(copy.exit()).as(copy.all()).isZero();
                assertThat(copy.out()).contains("Copied " + seeded[0] + " objects");
                assertThat(copy.all()).doesNotContain(Azurite.KEY).doesNotContain("account-key=Eby8");
                CliRun verify = CliRun.of("verify", hop[0], hop[1]);
                assertThat(verify.exit()).as(verify.all()).isZero();
            }
            CliRun roundTrip = CliRun.of("verify", s3Source, local);
            assertThat(roundTrip.exit()).as(roundTrip.all()).isZero();
            assertThat(roundTrip.out()).contains("Identical: " + seeded[0] + " objects");
        }
    }
}
