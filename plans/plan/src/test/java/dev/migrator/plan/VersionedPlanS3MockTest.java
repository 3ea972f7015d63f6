package dev.migrator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.testkit.s3.S3MockServer;
import dev.migrator.plan.executor.RunListener;
import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.plan.planner.ObjectParams;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.preflight.Finding;
import dev.migrator.plan.preflight.Preflight;
import dev.migrator.plan.preflight.PreflightReport;
import dev.migrator.plan.preflight.Status;
import dev.migrator.plan.report.RunReport;
import dev.migrator.plan.steps.StandardSteps;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
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
 * A {@code versions: all} plan S3 to S3 against Adobe S3Mock's versioned buckets through the real SDK: S3's own delete
 * markers and GetBucketVersioning, as {@link VersionedPlanTest} does on GCS. The pre-copy recreates a history with a
 * delete marker, the cut-over's delta adds the version and the delete marker the live source wrote since, verify
 * compares the version lists; a bucket without versioning is the buckets check's FAIL.
 */
class VersionedPlanS3MockTest {
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
        try (S3Client admin = s3mock.admin()) {
            for (String bucket : List.of("old", "new", "plain")) {
                admin.createBucket(b -> b.bucket(bucket));
            }
            for (String bucket : List.of("old", "new")) {
                admin.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status("Enabled")));
            }
        }
    }

    @AfterAll
    static void stop() {
        s3mock.close();
    }

    @Test
    void theHistoryWithItsDeleteMarkersMovesThroughPreCopyAndCutOver() throws Exception {
        try (ObjectStore src = open("old")) {
            put(src, "media/a", "a-one");
            src.delete("media/a");
            put(src, "media/a", "a-two!");
            put(src, "media/b", "b-one");
        }
        PreflightReport refused = Preflight.run(plan("plain"), Inventory.MEASURED);
        List<Finding> fail = refused.findings().stream().filter(f -> f.status() == Status.FAIL).toList();
        assertThat(fail).as(refused.text()).singleElement().satisfies(f -> assertThat(f.message())
                .contains("move media: 'versions: all' needs target new").contains("put-bucket-versioning"));

        Plan plan = plan("new");
        PreflightReport ready = Preflight.run(plan, Inventory.MEASURED);
        assertThat(ready.findings()).as(ready.text()).noneMatch(f -> f.status() == Status.FAIL)
                .anySatisfy(f -> assertThat(f.message()).contains("bucket versioning enabled; moves: media takes all versions"))
                .anySatisfy(f -> assertThat(f.message()).contains("move media: target new keeps object versions"))
                .anySatisfy(f -> {
                    assertThat(f.status()).isEqualTo(Status.WARN);
                    assertThat(f.message()).contains("move media: archived versions are not looked for");
                });

        Path state = dir.resolve("state");
        RunReport first = PlanRunner.run(plan, phase(state, Phase.PRESYNC), false, null, new ArrayList<>());
        assertThat(first.exitCode()).as(first.summary()).isZero();
        assertThat(history("new")).containsExactly("media/a=a-one", "media/a deleted", "media/a=a-two!", "media/b=b-one");

        try (ObjectStore src = open("old")) {
            put(src, "media/a", "a-three");
            src.delete("media/b");
        }
        RunReport second = PlanRunner.run(plan, phase(state, Phase.CUTOVER), false, null, new ArrayList<>());
        assertThat(second.exitCode()).as(second.summary()).isZero();
        assertThat(outcomes(second, ObjectParams.COPY)).singleElement()
                .satisfies(o -> assertThat(o.result().details().get(0)).startsWith("2 versions and delete markers copied, 4 already"));
        assertThat(outcomes(second, ObjectParams.VERIFY)).singleElement().satisfies(o -> {
            assertThat(o.result().verified()).isTrue();
            assertThat(o.result().details().get(0)).startsWith("6 versions identical, in the same order");
        });
        assertThat(history("new")).containsExactly("media/a=a-one", "media/a deleted", "media/a=a-two!", "media/a=a-three",
                "media/b=b-one", "media/b deleted");
    }

    private Plan plan(String target) throws IOException {
        Path file = dir.resolve("s3-" + target + ".yaml");
        Files.writeString(file, """
                name: versioned-s3
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves:
                  - {name: media, from: old, to: new, include: [media/], versions: all}
                limits: {concurrency: 2, attempts: 1, backoff: 100ms}
                """.formatted(uri("old"), uri(target)));
        return PlanParser.parse(file);
    }

    private static PlanRunner.Options phase(Path state, Phase phase) {
        return new PlanRunner.Options(state, EnumSet.of(phase), false, RunListener.NONE, e -> { }, StandardSteps.kinds());
    }

    private static List<StepOutcome> outcomes(RunReport r, String kind) {
        return r.result().outcomes().stream().filter(o -> o.step().kind().equals(kind)).toList();
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
            return dev.migrator.testkit.Histories.lines(store, "media/");
        }
    }
}
