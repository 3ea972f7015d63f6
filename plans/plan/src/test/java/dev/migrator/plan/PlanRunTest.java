package dev.migrator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.ObjectParams;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.report.RunReport;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.StoreOptions;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** A plan from a real S3 endpoint (S3Proxy in-process) to local disk: pre-copy, changes, cut-over, drills. */
class PlanRunTest {
    static EmbeddedS3Server s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        s3 = EmbeddedS3Server.inMemory();
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    /** Seeds {@code bucket}: 240 objects under avatars/, media/ and media/tmp/ (excluded by the plan). */
    static void seed(String bucket) {
        s3.createBucket(bucket);
        Random r = new Random(5);
        try (ObjectStore store = Stores.openAdapter(s3.s3Uri(bucket, ""), StoreOptions.DEFAULTS)) {
            for (int i = 0; i < 240; i++) {
                String key = i % 3 == 0 ? "avatars/u" + i + ".jpg" : i % 3 == 1 ? "media/p" + i + ".png" : "media/tmp/t" + i;
                byte[] b = new byte[500 + r.nextInt(20_000)];
                r.nextBytes(b);
                store.put(key, Content.of(b), new ObjectMetadata(key.endsWith(".png") ? "image/png" : "image/jpeg", null,
                        "public, max-age=60", null, Map.of("n", "" + i)));
            }
        }
    }

    String yaml(String bucket, boolean deleteExtraneous, String drillExtra, String freezeHook) {
        return """
                name: it
                deadline: 1h
                sources:
                  old: '%s'
                targets:
                  new: '%s'
                moves:
                  - name: media
                    from: old
                    to: new
                    include: [avatars/, media/]
                    exclude: [media/tmp/]
                    shards: 3
                    parallelism: 4
                    delete-extraneous: %s
                limits: {concurrency: 3, attempts: 2, backoff: 100ms}
                hooks:
                  freeze: [{name: read-only, run: '%s', timeout: 10s}]
                  switch: [{name: dns, run: 'touch switched', timeout: 10s}]
                drill:
                  targets: {new: '%s'}
                %s
                """.formatted(s3.s3Uri(bucket, ""), dir.resolve("new").toUri(), deleteExtraneous, freezeHook,
                dir.resolve("scratch").toUri(), drillExtra);
    }

    Plan write(String yaml) throws Exception {
        Path file = dir.resolve("plan.yaml");
        Files.writeString(file, yaml);
        return PlanParser.parse(file);
    }

    /**
     * The keys at {@code uri}. A location that does not exist (NOT_FOUND: a target never written, a scratch
     * directory the drill removed) holds none; any other listing error fails the test instead of reading as empty.
     */
    static List<String> keys(String uri) {
        try (ObjectStore s = Stores.openAdapter(uri, StoreOptions.DEFAULTS); Stream<ObjectInfo> l = s.list("")) {
            return l.map(ObjectInfo::key).toList();
        } catch (dev.migrator.provider.MigratorException e) {
            if (e.code() != dev.migrator.provider.ErrorCode.NOT_FOUND) {
                throw e;
            }
            return List.of();
        }
    }

    @Test
    void preCopyThenCutOverMovesTheChangesAndVerifies() throws Exception {
        seed("live");
        Plan plan = write(yaml("live", true, "", "touch froze"));
        Path state = dir.resolve("state");
        PlanRunner.Options presync = new PlanRunner.Options(state, EnumSet.of(Phase.PRESYNC), false,
                dev.migrator.plan.executor.RunListener.NONE, e -> { }, dev.migrator.plan.steps.StandardSteps.kinds());
        RunReport first = PlanRunner.run(plan, presync, false, null, new ArrayList<>());
        assertThat(first.exitCode()).as(first.summary()).isZero();
        assertThat(first.result().outcomes()).extracting(o -> o.step().id())
                .containsExactlyInAnyOrder("presync/media/copy-1of3", "presync/media/copy-2of3", "presync/media/copy-3of3");
        List<String> copied = keys(dir.resolve("new").toUri().toString());
        assertThat(copied).hasSize(160).noneMatch(k -> k.startsWith("media/tmp/"));
        assertThat(Files.exists(dir.resolve("froze"))).as("the freeze hook is a cut-over step").isFalse();

        // The old system stays live during the pre-copy: one object changes, one is deleted, one is added.
        try (ObjectStore old = Stores.openAdapter(s3.s3Uri("live", ""), StoreOptions.DEFAULTS)) {
            old.put("avatars/u0.jpg", Content.of("new avatar".getBytes(StandardCharsets.UTF_8)),
                    new ObjectMetadata("image/jpeg", null, null, null, Map.of()));
            old.delete("media/p1.png");
            old.put("media/p9999.png", Content.of("late post".getBytes(StandardCharsets.UTF_8)),
                    new ObjectMetadata("image/png", null, null, null, Map.of()));
        }
        PlanRunner.Options cutover = new PlanRunner.Options(state, EnumSet.of(Phase.CUTOVER), false,
                dev.migrator.plan.executor.RunListener.NONE, e -> { }, dev.migrator.plan.steps.StandardSteps.kinds());
        RunReport second = PlanRunner.run(plan, cutover, false, null, new ArrayList<>());
        assertThat(second.exitCode()).as(second.summary()).isZero();
        assertThat(Files.exists(dir.resolve("froze"))).isTrue();
        assertThat(Files.exists(dir.resolve("switched"))).isTrue();
        assertThat(second.result().outcomes()).filteredOn(o -> o.step().kind().equals(ObjectParams.VERIFY))
                .hasSize(3).allMatch(o -> Boolean.TRUE.equals(o.result().verified()));
        long moved = second.result().outcomes().stream().filter(o -> o.step().kind().equals(ObjectParams.COPY))
                .mapToLong(o -> o.result().objects()).sum();
        assertThat(moved).as("only the changed and the new object move at cut-over").isEqualTo(2);
        List<String> after = keys(dir.resolve("new").toUri().toString());
        assertThat(after).contains("media/p9999.png").doesNotContain("media/p1.png").hasSize(160);
        try (ObjectStore target = Stores.openAdapter(dir.resolve("new").toUri().toString(), StoreOptions.DEFAULTS);
             InputStream in = target.open("avatars/u0.jpg", 0, -1)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("new avatar");
        }
        assertThat(Files.readString(state.resolve("report.md"))).contains("cutover/media/verify-2of3").contains("| yes |");
        assertThat(Files.readString(state.resolve("report.json"))).contains("\"plannedSeconds\"").contains("\"actualSeconds\"");
        String status = PlanRunner.status(plan, state);
        assertThat(status).contains("The last run completed.").contains("DONE         cutover/hook/dns");
    }

    @Test
    void aDrillVerifiesIntoScratchWritesJunitAndCleansUp() throws Exception {
        seed("drill-ok");
        // a price on the source, so that the rehearsal's cost shows (an S3-compatible endpoint is free by default)
        Plan plan = write(yaml("drill-ok", false, "  deadline: 10m", "touch froze")
                .replace("  old: '" + s3.s3Uri("drill-ok", "") + "'", "  old: {uri: '" + s3.s3Uri("drill-ok", "") + "', "
                        + "price: {egress: 1000/GB, get: 1/1000}}"));
        Path junit = dir.resolve("junit.xml");
        RunReport r = Drill.run(plan, PlanRunner.Options.of(dir.resolve("state/drill")), false, junit);
        assertThat(r.exitCode()).as(r.summary()).isZero();
        assertThat(Files.exists(dir.resolve("froze"))).as("hooks do not run in a drill by default").isFalse();
        assertThat(keys(dir.resolve("scratch").toUri().toString())).as("scratch emptied").isEmpty();
        assertThat(keys(dir.resolve("new").toUri().toString())).as("the real target is untouched").isEmpty();
        Element suite = junit(junit);
        assertThat(suite.getAttribute("failures")).isEqualTo("0");
        // a case per step, verification, the deadline, and one per graded total (whole run, pre-copy, freeze window)
        assertThat(dev.migrator.plan.report.Accuracy.of(r).totals()).extracting(dev.migrator.plan.report.Accuracy.Item::name)
                .containsExactly("whole run", "presync", "freeze window");
        assertThat(Integer.parseInt(suite.getAttribute("tests"))).isEqualTo(r.result().outcomes().size() + 2 + 3);
        assertThat(r.summary()).contains("Cleaned up scratch target 'new': deleted 160 objects");
        long copied = r.result().outcomes().stream().filter(o -> o.step().kind().equals("copy") && o.result() != null)
                .mapToLong(o -> o.result().bytes()).sum();
        assertThat(r.summary()).contains("Rehearsal cost at the sources: ≈ $")
                .contains("old: " + dev.migrator.provider.Sizes.format(copied) + " egress ≈ ")
                .contains("at $1000/GB, 160 GET ≈ $0.16").contains("(the plan)");
    }

    @Test
    void aDrillFailsOnDifferencesAndKeepsScratchWhenAsked() throws Exception {
        seed("drill-bad");
        Path scratch = dir.resolve("scratch");
        // With drill hooks on, the freeze hook plants an object in the scratch target that the source does not have.
        String plant = "mkdir -p " + scratch + "/media && echo stray > " + scratch + "/media/zz-stray.png";
        Plan plan = write(yaml("drill-bad", false, "  hooks: true", plant));
        Path junit = dir.resolve("junit.xml");
        RunReport r = Drill.run(plan, PlanRunner.Options.of(dir.resolve("state/drill")), true, junit);
        assertThat(r.exitCode()).as(r.summary()).isEqualTo(3);
        assertThat(r.result().outcomes()).filteredOn(o -> o.status() == StepOutcome.Status.FAILED)
                .singleElement().satisfies(o -> assertThat(o.error()).contains("EXTRA 'media/zz-stray.png'"));
        assertThat(r.result().outcomes()).filteredOn(o -> o.step().id().equals("cutover/hook/dns"))
                .singleElement().satisfies(o -> assertThat(o.status()).isEqualTo(StepOutcome.Status.BLOCKED));
        Element suite = junit(junit);
        assertThat(Integer.parseInt(suite.getAttribute("failures"))).isGreaterThanOrEqualTo(2);
        assertThat(keys(scratch.toUri().toString())).as("--keep").hasSize(161);
    }

    @Test
    void aDrillThatMissesItsDeadlineFails() throws Exception {
        seed("drill-slow");
        Plan plan = write(yaml("drill-slow", false, "  deadline: 1ms", "true"));
        Path junit = dir.resolve("junit.xml");
        RunReport r = Drill.run(plan, PlanRunner.Options.of(dir.resolve("state/drill")), false, junit);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.verdict().met()).isFalse();
        assertThat(Files.readString(junit)).contains("name=\"rto-within-deadline\"").contains("MISSES the deadline");
    }

    @Test
    void aDrillGradesThePlanAndFailsWhenAnEstimateIsOffByMoreThanTheTolerance() throws Exception {
        seed("drill-eta");
        // A source declared far slower per request (30 s) than S3Proxy is, loaded or not: every step ends far sooner than estimated.
        Plan plan = write(yaml("drill-eta", false, "", "true").replace("  old: '" + s3.s3Uri("drill-eta", "") + "'",
                "  old: {uri: '" + s3.s3Uri("drill-eta", "") + "', latency: 30s}"));
        Path junit = dir.resolve("junit.xml");
        RunReport r = Drill.run(plan, PlanRunner.Options.of(dir.resolve("state/drill")), false, junit, new Drill.Eta(0.15, 0.25));
        assertThat(r.exitCode()).as("verified within the deadline: only the estimate is off").isZero();
        List<dev.migrator.plan.report.Accuracy.Item> misses = new Drill.Eta(0.15, 0.25).misses(r);
        assertThat(misses).extracting(dev.migrator.plan.report.Accuracy.Item::name).contains("whole run", "presync",
                "presync/media/copy-1of3");
        assertThat(misses).allSatisfy(i -> assertThat(i.ratio()).isLessThan(0.85));
        assertThat(new Drill.Eta(1000, Double.NaN).misses(r)).isEmpty();
        dev.migrator.plan.report.Accuracy.Item worst = dev.migrator.plan.report.Accuracy.of(r).worst(1).get(0);
        assertThat(worst.bound()).isIn("per-request (source reads)", "per-request (source stats)"); // a copy, a delta or a verify
        assertThat(worst.culprit()).startsWith("the per-request latency of the source ").endsWith("(faster than modelled)");
        assertThat(r.summary()).contains("Estimate of the whole run: estimate ").contains("Worst estimate: ")
                .contains("so the figure that was off: the per-request latency of the source ").contains("ETA OUT OF TOLERANCE");
        // The whole run's time includes its planning (the inventory), and so does its estimate, measured: the report says how long.
        assertThat(r.notes()).filteredOn(n -> n.startsWith("Planning took ")).singleElement().satisfies(n -> {
            double planning = Double.parseDouble(n.replaceFirst("^Planning took ([0-9.]+) s before the first step .*", "$1"));
            assertThat(planning).isLessThanOrEqualTo(r.result().seconds());
            PlanRunner.Frozen frozen = PlanRunner.Frozen.read(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    dir.resolve("state/drill/plan.json").toFile()), dev.migrator.plan.steps.StandardSteps.kinds());
            assertThat(r.estimate() - frozen.presync() - frozen.cutover()).as("planning in the estimate")
                    .isCloseTo(planning, org.assertj.core.data.Offset.offset(0.051));
        });
        assertThat(r.summary()).contains("Planning took ");
        Element suite = junit(junit);
        assertThat(Integer.parseInt(suite.getAttribute("failures"))).isEqualTo(misses.size());
        String xml = Files.readString(junit);
        assertThat(xml).contains("name=\"whole-run\"").contains("estimate off by more than 15%: whole run: estimate")
                .contains("name=\"eta.whole-run.ratio\"").contains("name=\"eta.worst.1\"")
                .contains("<system-out>presync/media/copy-1of3: estimate");
        assertThat(Files.readString(dir.resolve("state/drill/report.md"))).contains("Actual/planned").contains("Worst estimate: ");
        assertThat(Files.readString(dir.resolve("state/drill/report.html"))).contains("Estimates against actuals");
        assertThat(Files.readString(dir.resolve("state/drill/report.json"))).contains("\"accuracy\"").contains("\"culprit\"");
    }

    @Test
    void aMoveThroughABundleOnAStagingStoreIsRestoredAndVerified() throws Exception {
        seed("bundled");
        Plan plan = write("""
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{name: media, from: old, to: new, via: bundle, staging: '%s'}]
                """.formatted(s3.s3Uri("bundled", ""), dir.resolve("new").toUri(), dir.resolve("staging").toUri()));
        RunReport r = PlanRunner.run(plan, PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        assertThat(r.exitCode()).as(r.summary()).isZero();
        assertThat(r.result().outcomes()).extracting(o -> o.step().id()).containsSubsequence(
                "presync/media/bundle-pack", "presync/media/bundle-restore", "cutover/media/delta", "cutover/media/verify");
        assertThat(keys(dir.resolve("new").toUri().toString())).hasSize(240);
        assertThat(keys(dir.resolve("staging").resolve("media").toUri().toString())).contains("SHA256SUMS");
        assertThat(r.result().outcomes()).filteredOn(o -> o.step().kind().equals(ObjectParams.VERIFY))
                .singleElement().satisfies(o -> assertThat(o.result().verified()).isTrue());
    }

    static Element junit(Path file) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        Element suite = doc.getDocumentElement();
        assertThat(suite.getTagName()).isEqualTo("testsuite");
        assertThat(doc.getElementsByTagName("testcase").getLength()).isEqualTo(Integer.parseInt(suite.getAttribute("tests")));
        assertThat(doc.getElementsByTagName("failure").getLength()).isEqualTo(Integer.parseInt(suite.getAttribute("failures")));
        return suite;
    }
}
