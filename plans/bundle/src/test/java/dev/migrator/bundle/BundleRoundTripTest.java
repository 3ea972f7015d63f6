package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import dev.migrator.transfer.Progress;
import dev.migrator.transfer.Verifier;
import dev.migrator.transfer.VerifyReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** S3 -> bundle (on local disk and on S3) -> GCS and a local folder, identical per the Verifier. */
class BundleRoundTripTest {
    @TempDir
    Path dir;

    static BundleOptions small(Path state) {
        return new BundleOptions(1024 * 1024, 3, 8, 3, 2, state, Retry.DEFAULT);
    }

    @Test
    void s3ToBundleToGcsAndLocal() {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory(); GcsTestServer gcs = GcsTestServer.start()) {
            s3.createBucket("old-cloud");
            s3.createBucket("backups");
            gcs.createBucket("new-cloud");
            try (ObjectStore source = Stores.open(s3.s3Uri("old-cloud", ""), StoreOptions.DEFAULTS);
                 ObjectStore bundleStore = Stores.open(dir.resolve("bundle").toUri().toString(), StoreOptions.DEFAULTS);
                 ObjectStore s3Bundle = Stores.open(s3.s3Uri("backups", "nightly/b1"), StoreOptions.DEFAULTS);
                 ObjectStore gcsTarget = Stores.open("gs://new-cloud/media/?endpoint=" + gcs.endpoint(), StoreOptions.DEFAULTS);
                 ObjectStore local = Stores.open(dir.resolve("restored").toUri().toString(), StoreOptions.DEFAULTS)) {
                Map<String, byte[]> seeded = Seed.objects(source);
                long total = seeded.values().stream().mapToLong(b -> b.length).sum();

                BundleRef ref = new BundleWriter(bundleStore, small(dir.resolve("state")), Progress.NONE)
                        .create(List.of(new BundleSource.Objects(source)));
                assertThat(ref.entries()).isEqualTo(seeded.size());
                assertThat(ref.bytes()).isEqualTo(total);
                assertThat(ref.parts()).as("1 MiB parts of ~5.5 MiB of incompressible data").isGreaterThanOrEqualTo(3);
                assertThat(Files.exists(dir.resolve("state"))).as("the journal is removed when done").isFalse();

                BundleReader reader = BundleReader.open(bundleStore);
                Manifest.Header header = reader.inspect();
                // Bounded parts: a part closes at about 1 MiB stored, an object larger than that is cut into pieces.
                assertThat(header.parts()).allSatisfy(p -> assertThat(p.size()).isLessThan(2L * 1024 * 1024));
                assertThat(header.parts()).filteredOn(p -> p.entries() == 1).hasSizeGreaterThanOrEqualTo(7);
                assertThat(header.sources()).singleElement().satisfies(s -> {
                    assertThat(s.uri()).startsWith("s3://old-cloud/").doesNotContain(EmbeddedS3Server.SECRET_KEY);
                    assertThat(s.entries()).isEqualTo(seeded.size());
                });
                BundleCheck check = reader.verify(Progress.NONE);
                assertThat(check.damage()).isEmpty();
                assertThat(check.entries()).isEqualTo(seeded.size());
                assertThat(check.bytes()).isEqualTo(total);

                RestoreSummary toGcs = reader.restore(Map.of("s1", new RestoreTarget.Objects(gcsTarget)), RestoreOptions.defaults(), Progress.NONE);
                assertThat(toGcs.restored()).isEqualTo(seeded.size());
                assertIdentical(source, gcsTarget, seeded.size());

                RestoreSummary toLocal = reader.restore(Map.of("s1", new RestoreTarget.Objects(local)), RestoreOptions.defaults(), Progress.NONE);
                assertThat(toLocal.restored()).isEqualTo(seeded.size());
                assertIdentical(source, local, seeded.size());

                // Again: everything is already there and identical, nothing is written.
                RestoreSummary again = reader.restore(Map.of("s1", new RestoreTarget.Objects(local)), RestoreOptions.defaults(), Progress.NONE);
                assertThat(again.restored()).isZero();
                assertThat(again.skipped()).isEqualTo(seeded.size());

                // The same bundle written to an S3 bucket reads back the same.
                new BundleWriter(s3Bundle, small(null), Progress.NONE).create(List.of(new BundleSource.Objects(source)));
                assertThat(BundleReader.open(s3Bundle).verify(Progress.NONE).intact()).isTrue();
            }
        }
    }

    static void assertIdentical(ObjectStore a, ObjectStore b, int count) {
        VerifyReport report = new Verifier(a, b, 4, Retry.DEFAULT, Progress.NONE).run();
        assertThat(report.differences()).isEmpty();
        assertThat(report.compared()).isEqualTo(count);
    }
}
