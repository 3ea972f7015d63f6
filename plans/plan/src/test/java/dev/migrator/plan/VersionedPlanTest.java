package dev.migrator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.plan.executor.RunListener;
import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.plan.planner.ObjectParams;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Planner;
import dev.migrator.plan.preflight.Finding;
import dev.migrator.plan.preflight.Preflight;
import dev.migrator.plan.preflight.PreflightReport;
import dev.migrator.plan.preflight.Status;
import dev.migrator.plan.report.RunReport;
import dev.migrator.plan.steps.StandardSteps;
import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plans of versioned buckets ({@code versions: all}, {@code versions-at}) against {@link GcsTestServer}'s versioned
 * buckets (generations, {@code versions=true} listings) through the real Google client: the pre-copy recreates each
 * history, the cut-over's delta adds what the live source wrote since (a new version, a deletion, a new key), verify
 * compares the version lists, a second run adds nothing; a target without versions is a preflight FAIL and the step
 * refuses it before writing.
 */
class VersionedPlanTest {
    @TempDir
    Path dir;

    GcsTestServer gcs;

    @BeforeEach
    void history() throws InterruptedException {
        gcs = GcsTestServer.start();
        gcs.enableVersioning("old");
        gcs.enableVersioning("new");
        gcs.createBucket("plain");
        try (ObjectStore src = open("old")) {
            put(src, "media/a", "a-one");
            put(src, "media/a", "a-two!");
            put(src, "media/b", "b-one");
            put(src, "media/c", "c-one");
            put(src, "docs/r", "readme");
            put(src, "tmp/x", "not moved");
        }
    }

    @AfterEach
    void stop() {
        gcs.close();
    }

    @Test
    void preCopyThenCutOverRecreatesTheHistoryAndARerunAddsNothing() throws Exception {
        Plan plan = plan("new", "versions: all, shards: 2, include: [docs/, media/]");
        Planner.Result planned = Planner.plan(plan, Inventory.MEASURED);
        Inventory inv = planned.inventory().get("media");
        assertThat(inv.objects()).as("every version counts, not the 4 latest objects").isEqualTo(5);
        assertThat(inv.bytes()).isEqualTo(6 + 5 + 6 + 5 + 5);
        assertThat(planned.steps()).filteredOn(s -> s.id().startsWith("presync/media/copy")).hasSize(2);

        Path state = dir.resolve("state");
        RunReport first = PlanRunner.run(plan, phase(state, Phase.PRESYNC), false, null, new ArrayList<>());
        assertThat(first.exitCode()).as(first.summary()).isZero();
        assertThat(history("new")).containsExactly("media/a=a-one", "media/a=a-two!", "media/b=b-one", "media/c=c-one");

        // The old system stays live during the pre-copy: a new version, a deletion, a new key.
        try (ObjectStore src = open("old")) {
            put(src, "media/a", "a-three");
            src.delete("media/c");
            put(src, "media/d", "d-one");
        }
        RunReport second = PlanRunner.run(plan, phase(state, Phase.CUTOVER), false, null, new ArrayList<>());
        assertThat(second.exitCode()).as(second.summary()).isZero();
        assertThat(outcomes(second, ObjectParams.COPY).stream().mapToLong(o -> o.result().objects()).sum())
                .as("the delta copies only what was written since the pre-copy").isEqualTo(3);
        List<StepOutcome> verified = outcomes(second, ObjectParams.VERIFY);
        assertThat(verified).hasSize(2).allMatch(o -> Boolean.TRUE.equals(o.result().verified()));
        assertThat(verified.stream().mapToLong(o -> o.result().objects()).sum()).as("versions compared").isEqualTo(8);
        assertThat(history("new")).containsExactly("media/a=a-one", "media/a=a-two!", "media/a=a-three", "media/b=b-one",
                "media/c=c-one", "media/c deleted", "media/d=d-one");
        assertThat(history("new", "")).as("only the included prefixes").contains("docs/r=readme").noneMatch(l -> l.startsWith("tmp/"));

        // The same plan run again from the start (a new state directory): every version is found there already.
        RunReport again = PlanRunner.run(plan, PlanRunner.Options.of(dir.resolve("again")), false, null, new ArrayList<>());
        assertThat(again.exitCode()).as(again.summary()).isZero();
        assertThat(outcomes(again, ObjectParams.COPY).stream().mapToLong(o -> o.result().objects()).sum()).isZero();
        assertThat(history("new")).as("a rerun duplicates nothing").hasSize(7);

        // Something else written at the target since: the delta refuses that key's history rather than adding to it.
        try (ObjectStore dst = open("new")) {
            put(dst, "media/b", "stray");
        }
        RunReport stray = PlanRunner.run(plan, phase(dir.resolve("stray"), Phase.CUTOVER), false, null, new ArrayList<>());
        assertThat(stray.exitCode()).isNotZero();
        assertThat(outcomes(stray, ObjectParams.COPY)).anySatisfy(o -> assertThat(o.error())
                .contains("has another history of 'media/b'").contains("nothing written"));
        assertThat(history("new")).hasSize(8);
    }

    @Test
    void aTargetWithoutVersionsIsAPreflightFailAndTheStepWritesNothing() throws Exception {
        Plan plan = plan("plain", "versions: all, include: [media/]");
        PreflightReport report = Preflight.run(plan, Inventory.MEASURED);
        List<Finding> fail = report.findings().stream().filter(f -> f.check().equals("buckets") && f.status() == Status.FAIL).toList();
        assertThat(fail).as(report.text()).singleElement().satisfies(f -> {
            assertThat(f.subject()).isEqualTo("target new");
            assertThat(f.message()).contains("move media: 'versions: all' needs target new (gs://plain")
                    .contains("to keep object versions, and it does not").contains("gcloud storage buckets update gs://NAME --versioning")
                    .contains("'versions: latest'");
        });
        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.findings()).anySatisfy(f -> assertThat(f.message()).contains("moves: media takes all versions (the history in order"));

        RunReport run = PlanRunner.run(plan, PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.result().outcomes()).filteredOn(o -> o.step().id().equals("presync/media/copy")).singleElement()
                .satisfies(o -> assertThat(o.error()).contains("does not keep object versions"));
        try (ObjectStore plain = open("plain"); Stream<?> objects = plain.list("")) {
            assertThat(objects.count()).as("nothing written").isZero();
        }
    }

    @Test
    void aSourceWithoutVersionsIsRefusedAtPreflightAndPlanTime() throws Exception {
        Path folder = dir.resolve("folder");
        Files.createDirectories(folder.resolve("media"));
        Files.writeString(folder.resolve("media/a"), "a");
        Path file = dir.resolve("local.yaml");
        Files.writeString(file, """
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{name: media, from: old, to: new, versions: all}]
                """.formatted(folder.toUri(), uri("new")));
        Plan plan = PlanParser.parse(file);
        PreflightReport report = Preflight.run(plan, Inventory.MEASURED);
        assertThat(report.findings()).as(report.text()).filteredOn(f -> f.status() == Status.FAIL).singleElement()
                .satisfies(f -> assertThat(f.message()).startsWith("move media: source old (file:")
                        .contains("does not keep object versions, so there are none to move"));
        assertThatThrownBy(() -> Planner.plan(plan, Inventory.MEASURED)).isInstanceOfSatisfying(MigratorException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(e.getMessage()).startsWith(file.toString() + ":3:").contains("move 'media': source 'old'")
                    .contains("does not keep object versions; remove 'versions'");
        });
    }

    @Test
    void versionsAtMovesThePastStateIntoAPlainBucket() throws Exception {
        Thread.sleep(5);
        Instant then = Instant.now();
        Thread.sleep(5);
        try (ObjectStore src = open("old")) {
            put(src, "media/a", "a-three");
            src.delete("media/b");
        }
        Plan plan = plan("plain", "versions-at: '" + then + "', include: [media/]");
        assertThat(Planner.plan(plan, Inventory.MEASURED).inventory().get("media").objects()).isEqualTo(3);
        RunReport r = PlanRunner.run(plan, PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        assertThat(r.exitCode()).as(r.summary()).isZero();
        assertThat(history("plain")).containsExactly("media/a=a-two!", "media/b=b-one", "media/c=c-one");
        assertThat(outcomes(r, ObjectParams.VERIFY)).singleElement()
                .satisfies(o -> assertThat(o.result().details().get(0)).contains("3 objects identical").contains(then.toString()));
    }

    private Plan plan(String target, String options) throws IOException {
        Path file = dir.resolve("versions-" + target + ".yaml");
        Files.writeString(file, """
                name: versioned
                sources:
                  old: '%s'
                targets:
                  new: '%s'
                moves:
                  - {name: media, from: old, to: new, parallelism: 2, %s}
                limits: {concurrency: 2, attempts: 1, backoff: 100ms}
                """.formatted(uri("old"), uri(target), options));
        return PlanParser.parse(file);
    }

    private static PlanRunner.Options phase(Path state, Phase phase) {
        return new PlanRunner.Options(state, EnumSet.of(phase), false, RunListener.NONE, e -> { }, StandardSteps.kinds());
    }

    private static List<StepOutcome> outcomes(RunReport r, String kind) {
        return r.result().outcomes().stream().filter(o -> o.step().kind().equals(kind)).toList();
    }

    private String uri(String bucket) {
        return "gs://" + bucket + "?endpoint=" + gcs.endpoint();
    }

    private ObjectStore open(String bucket) {
        return Stores.open(uri(bucket), StoreOptions.DEFAULTS);
    }

    private static void put(ObjectStore store, String key, String text) {
        store.put(key, Content.of(text.getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
    }

    /** The bucket's history under media/ as "key=content" and "key deleted" lines, oldest first per key. */
    private List<String> history(String bucket) {
        return history(bucket, "media/");
    }

    private List<String> history(String bucket, String prefix) {
        try (ObjectStore store = open(bucket)) {
            return dev.migrator.testkit.Histories.lines(store, prefix);
        }
    }
}
