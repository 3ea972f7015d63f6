package dev.migrator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.plan.executor.RunListener;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Planner;
import dev.migrator.plan.report.RunReport;
import dev.migrator.plan.steps.StandardSteps;
import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plan never touches what it reads from: overlapping locations refused, pruning confined, one run at a time. */
class PlanSafetyTest {
    @TempDir
    Path dir;

    Plan write(String yaml) throws Exception {
        Path file = dir.resolve("plan.yaml");
        Files.writeString(file, yaml);
        return PlanParser.parse(file);
    }

    static void put(String uri, String... keys) {
        try (ObjectStore s = Stores.openAdapter(uri, StoreOptions.DEFAULTS)) {
            for (String k : keys) {
                s.put(k, Content.of(("body of " + k).getBytes(StandardCharsets.UTF_8)),
                        new ObjectMetadata("text/plain", null, null, null, Map.of()));
            }
        }
    }

    static void assertBadInput(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String... parts) {
        assertThatThrownBy(call).isInstanceOfSatisfying(MigratorException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(e.getMessage()).doesNotContain("\n");
            for (String p : parts) {
                assertThat(e.getMessage()).contains(p);
            }
        });
    }

    @Test
    void aTargetHoldingTheSourceIsRefusedAtLoadAndTheSourceSurvives() throws Exception {
        Path par = dir.resolve("par");
        put(par.resolve("src").toUri().toString(), "f1.txt", "f2.txt", "f3.txt");
        String yaml = """
                version: 1
                sources: {media: '%s'}
                targets: {new-media: '%s'}
                moves: [{name: media, from: media, to: new-media, delete-extraneous: true}]
                """;
        assertBadInput(() -> write(yaml.formatted(par.resolve("src").toUri(), par.toUri())), "plan.yaml:4:9: move 'media': ",
                "source 'media' (" + par.resolve("src").toUri(), "lies inside target 'new-media' (" + par.toUri());
        // The other way round (target inside the source) too.
        assertBadInput(() -> write(yaml.formatted(par.toUri(), par.resolve("src/out").toUri())), "move 'media'",
                "target 'new-media'", "lies inside source 'media'");
        assertThat(par.resolve("src/f1.txt")).exists();
    }

    @Test
    void aSymlinkedAliasPassesTheLexicalCheckButRunAndPlanRefuseIt() throws Exception {
        Path real = dir.resolve("real");
        put(real.resolve("src").toUri().toString(), "f1.txt", "f2.txt");
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), real);
        Plan plan = write("""
                sources: {media: '%s'}
                targets: {new-media: '%s'}
                moves: [{name: media, from: media, to: new-media, delete-extraneous: true}]
                """.formatted(real.resolve("src").toUri(), alias.toUri()));
        assertBadInput(() -> Planner.plan(plan, Inventory.MEASURED), "move 'media'", "lies inside target 'new-media'",
                real.toRealPath().toUri().toString());
        Path state = dir.resolve("state");
        assertBadInput(() -> PlanRunner.run(plan, PlanRunner.Options.of(state), false, null, new ArrayList<>()),
                "move 'media'", "lies inside target 'new-media'");
        assertThat(real.resolve("src/f1.txt")).exists();
        assertThat(state).as("refused before anything runs").doesNotExist();
    }

    @Test
    void onS3ASourcePrefixInsideTheTargetBucketIsRefusedAndNothingIsDeleted() throws Exception {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("team-bucket");
            put(s3.s3Uri("team-bucket", ""), "src/1", "src/2", "other-team/keep");
            String yaml = """
                    sources: {media: '%s'}
                    targets: {new-media: '%s'}
                    moves: [{name: media, from: media, to: new-media, delete-extraneous: true}]
                    """;
            assertBadInput(() -> write(yaml.formatted(s3.s3Uri("team-bucket", "src/"), s3.s3Uri("team-bucket", ""))), "move 'media'",
                    "lies inside target 'new-media'");
            // The same bucket name at another endpoint is another place: allowed.
            write(yaml.formatted(s3.s3Uri("team-bucket", "src/"), "s3://team-bucket/?endpoint=http://elsewhere.example:9000"));
            assertThat(PlanRunTest.keys(s3.s3Uri("team-bucket", ""))).containsExactly("other-team/keep", "src/1", "src/2");
        }
    }

    @Test
    void stagingInsideTheTargetOrSourceIsRefused() throws Exception {
        String yaml = """
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{name: media, from: old, to: new, via: bundle, staging: '%s'}]
                """;
        Path src = dir.resolve("src");
        Path dst = dir.resolve("dst");
        assertBadInput(() -> write(yaml.formatted(src.toUri(), dst.toUri(), dst.resolve("staging").toUri())), "move 'media'",
                "staging (" + dst.resolve("staging").toUri() + ") lies inside target 'new'");
        assertBadInput(() -> write(yaml.formatted(src.toUri(), dst.toUri(), src.toUri() + "/")), "move 'media'",
                "staging (" + src.toUri() + "/) and source 'old'", "are the same location");
    }

    @Test
    void drillTargetsMayNotBeOrHoldRealLocations() throws Exception {
        Path src = dir.resolve("src");
        Path dst = dir.resolve("dst");
        String yaml = """
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{name: media, from: old, to: new}]
                drill:
                  targets: {new: '%s'}
                """;
        // Equal to the real target but for a trailing slash.
        assertBadInput(() -> write(yaml.formatted(src.toUri(), "file://" + dst, "file://" + dst + "/")),
                "drill target 'new'", "is the real target");
        assertBadInput(() -> write(yaml.formatted(src.toUri(), dst.toUri(), src.resolve("scratch").toUri())),
                "plan.yaml:5:3: drill: drill target 'new'", "lies inside source 'old'");
        assertBadInput(() -> write(yaml.formatted(src.toUri(), dst.resolve("x").toUri(), dst.toUri())),
                "drill: target 'new'", "lies inside drill target 'new'");

        // An alias of the real (empty) target: the drill would fill it and then empty it. Refused before it starts.
        put(src.toUri().toString(), "a", "b");
        Files.createDirectories(dst);
        Path alias = Files.createSymbolicLink(dir.resolve("scratch-alias"), dst);
        Plan plan = write(yaml.formatted(src.toUri(), dst.toUri(), alias.toUri()));
        assertBadInput(() -> Drill.run(plan, PlanRunner.Options.of(dir.resolve("state/drill")), false, null),
                "drill target 'new'", "are the same location");
        try (var files = Files.list(dst)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void deleteExtraneousPrunesOnlyInsideTheMovesSelectionAndSaysHowMany() throws Exception {
        Path src = dir.resolve("src");
        Path dst = dir.resolve("dst");
        put(src.toUri().toString(), "avatars/a1", "avatars/a2", "media/m1", "media/m2", "media/m3", "media/tmp/t1");
        // At the target: one stale object in each shard's range, one outside the includes, one under the exclude.
        put(dst.toUri().toString(), "avatars/a0-stale", "media/m9-stale", "other/keep", "media/tmp/keep");
        Plan plan = write("""
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves:
                  - {name: media, from: old, to: new, include: [avatars/, media/], exclude: [media/tmp/], shards: 2,
                     delete-extraneous: true}
                """.formatted(src.toUri(), dst.toUri()));
        RunReport r = PlanRunner.run(plan, PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        assertThat(r.exitCode()).as(r.summary()).isZero();
        assertThat(PlanRunTest.keys(dst.toUri().toString())).containsExactly("avatars/a1", "avatars/a2", "media/m1", "media/m2",
                "media/m3", "media/tmp/keep", "other/keep");
        long deleted = 0;
        for (var o : r.result().outcomes()) {
            if (o.step().id().startsWith("cutover/media/delta")) {
                String line = o.result().details().get(0);
                deleted += Long.parseLong(line.replaceAll(".*, ([0-9]+) deleted at the target.*", "$1"));
            }
        }
        assertThat(deleted).as("each stale object deleted once, by the shard whose range holds it").isEqualTo(2);
        assertThat(r.summary()).contains("Pruned by cutover/media/delta-1of2: ").contains("Pruned by cutover/media/delta-2of2: ")
                .contains(" deleted at the target (under [avatars/, media/] not under [media/tmp/] keys [");
    }

    @Test
    void theSamePlanRunTwiceAtOnceIsRefusedNamingTheHolder() throws Exception {
        Path src = dir.resolve("src");
        put(src.toUri().toString(), "a");
        Path started = dir.resolve("started");
        Path switched = dir.resolve("switched");
        Plan plan = write("""
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{name: media, from: old, to: new}]
                hooks:
                  before-presync: {run: 'touch %s && sleep 3', timeout: 1m}
                  switch: {run: 'echo once >> %s', timeout: 1m}
                """.formatted(src.toUri(), dir.resolve("dst").toUri(), started, switched));
        Path state = dir.resolve("state");
        PlanRunner.Options options = new PlanRunner.Options(state, EnumSet.allOf(Phase.class), false, RunListener.NONE, e -> { },
                StandardSteps.kinds());
        CompletableFuture<RunReport> first = CompletableFuture.supplyAsync(() -> PlanRunner.run(plan, options, false, null,
                new ArrayList<>()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(started) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertBadInput(() -> PlanRunner.run(plan, options, false, null, new ArrayList<>()),
                "the state directory " + state + " is in use by another run (pid " + ProcessHandle.current().pid(),
                ": run " + plan.file() + ")");
        RunReport r = first.get(60, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.summary()).isZero();
        assertThat(Files.readAllLines(switched)).as("the switch hook ran once").containsExactly("once");
        // Once the first run is over, the lock is free again (status reads without it).
        assertThat(PlanRunner.status(plan, state)).contains("The last run completed.");
        RunReport again = PlanRunner.run(plan, options, false, null, new ArrayList<>());
        assertThat(again.exitCode()).isZero();
    }

    @Test
    void aDrillHoldsItsStateLockThroughItsCleanup() throws Exception {
        Path src = dir.resolve("src");
        put(src.toUri().toString(), "a");
        Plan plan = write("""
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{name: media, from: old, to: new}]
                drill: {targets: {new: '%s'}}
                """.formatted(src.toUri(), dir.resolve("dst").toUri(), dir.resolve("scratch").toUri()));
        Path state = dir.resolve("state/drill");
        RunReport r = Drill.run(plan, PlanRunner.Options.of(state), false, null);
        assertThat(r.exitCode()).as(r.summary()).isZero();
        assertThat(state.resolve("lock")).as("the drill clears its state but not the lock file it holds").exists();
        try (var held = dev.migrator.provider.StateLock.acquire(state, "test")) {
            assertBadInput(() -> Drill.run(plan, PlanRunner.Options.of(state), false, null), "is in use by another run",
                    "test");
        }
    }
}
