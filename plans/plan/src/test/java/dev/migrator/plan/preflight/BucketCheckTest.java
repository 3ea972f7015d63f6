package dev.migrator.plan.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buckets check against S3Proxy behind the testkit's archive emulation: archived objects in a source are a FAIL
 * naming their count and the choice to make, a WARN once the move has chosen; versioning is stated for each bucket
 * (S3Proxy does not offer GetBucketVersioning, so the line says it is unknown and why).
 */
class BucketCheckTest {
    @TempDir
    Path dir;

    @Test
    void archivedObjectsAreAFailUntilTheMoveChoosesAndVersioningIsStated() throws Exception {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory();
             FaultProxy archive = FaultProxy.start(s3.endpoint(), FaultPlan.none())) {
            archive.emulateArchive(Duration.ofSeconds(1));
            s3.createBucket("src");
            s3.createBucket("dst");
            String source = s3.s3Uri("src", "").replace("endpoint=" + s3.endpoint(), "endpoint=" + archive.endpoint());
            try (ObjectStore src = Stores.open(source, StoreOptions.DEFAULTS)) {
                src.put("a-readable", Content.of("now".getBytes()), ObjectMetadata.EMPTY);
                src.put("b-frozen", Content.of(new byte[2048]), ObjectMetadata.EMPTY.withStorageClass("DEEP_ARCHIVE"));
            }
            String yaml = """
                    sources: {old: '%s'}
                    targets: {new: '%s'}
                    moves: [{name: media, from: old, to: new%s}]
                    """;
            PreflightReport undecided = Preflight.run(plan(yaml.formatted(source, s3.s3Uri("dst", ""), "")), Inventory.MEASURED);
            Finding fail = only(undecided, "source old", "move media");
            assertThat(fail.status()).isEqualTo(Status.FAIL);
            assertThat(fail.message()).contains("1 objects (2.0 KiB) in DEEP_ARCHIVE cannot be read until restored")
                    .contains("'archived: restore'").contains("'archived: skip'");
            assertThat(undecided.exitCode()).isEqualTo(1);
            assertThat(only(undecided, "target new", "versioning").message())
                    .contains("bucket versioning unknown").contains("501");

            PreflightReport skip = Preflight.run(plan(yaml.formatted(source, s3.s3Uri("dst", ""), ", archived: skip")), Inventory.MEASURED);
            assertThat(only(skip, "source old", "move media").status()).isEqualTo(Status.WARN);
            assertThat(only(skip, "source old", "move media").message()).contains("left out (archived: skip)");

            PreflightReport restore = Preflight.run(plan(yaml.formatted(source, s3.s3Uri("dst", ""),
                    ", archived: restore, restore-speed: bulk")), Inventory.MEASURED);
            assertThat(only(restore, "source old", "move media").message()).contains("restored first (bulk, up to 48 h");
            assertThat(restore.findings()).noneMatch(f -> f.status() == Status.FAIL);
        }
    }

    private Plan plan(String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "plan-", ".yaml");
        Files.writeString(file, yaml);
        return PlanParser.parse(file);
    }

    private static Finding only(PreflightReport r, String subject, String containing) {
        List<Finding> f = r.findings().stream().filter(x -> x.check().equals("buckets") && x.subject().equals(subject)
                && x.message().contains(containing)).toList();
        assertThat(f).as(r.text()).hasSize(1);
        return f.get(0);
    }
}
