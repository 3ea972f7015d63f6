package dev.migrator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.plan.planner.Planner;
import dev.migrator.plan.planner.RestoreParams;
import dev.migrator.plan.report.PlanOutput;
import dev.migrator.plan.report.RunReport;
import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archived source objects planned rather than failing mid-copy, against S3Proxy behind the testkit's archive emulation
 * ({@link FaultProxy#emulateArchive}: S3Proxy keeps the class, the proxy refuses GETs until a restore has run).
 */
class ArchivedPlanTest {
    @TempDir
    Path dir;

    EmbeddedS3Server oldCloud;
    EmbeddedS3Server newHost;
    FaultProxy archive;

    @BeforeEach
    void start() {
        oldCloud = EmbeddedS3Server.inMemory();
        newHost = EmbeddedS3Server.inMemory();
        oldCloud.createBucket("src");
        newHost.createBucket("dst");
        archive = FaultProxy.start(oldCloud.endpoint(), FaultPlan.none());
        archive.emulateArchive(Duration.ofMillis(1500));
        try (ObjectStore src = Stores.open(source(), StoreOptions.DEFAULTS)) {
            for (int i = 0; i < 5; i++) {
                src.put("media/hot-" + i, Content.of(("hot " + i).getBytes()), ObjectMetadata.EMPTY);
            }
            src.put("media/old-1", Content.of(new byte[1000]), ObjectMetadata.EMPTY.withStorageClass("DEEP_ARCHIVE"));
            src.put("media/old-2", Content.of(new byte[2000]), ObjectMetadata.EMPTY.withStorageClass("DEEP_ARCHIVE"));
        }
    }

    @AfterEach
    void stop() {
        archive.close();
        oldCloud.close();
        newHost.close();
    }

    private String source() {
        return oldCloud.s3Uri("src", "").replace("endpoint=" + oldCloud.endpoint(), "endpoint=" + archive.endpoint());
    }

    private Plan plan(String choice) throws Exception {
        Path file = dir.resolve("exit.yaml");
        Files.writeString(file, """
                name: archived
                sources:
                  media: '%s'
                targets:
                  new-media: '%s'
                moves:
                  - {name: media, from: media, to: new-media, parallelism: 2%s}
                limits: {concurrency: 2, attempts: 2, backoff: 100ms}
                """.formatted(source(), newHost.s3Uri("dst", ""), choice));
        return PlanParser.parse(file);
    }

    private List<String> targetKeys() {
        try (ObjectStore dst = Stores.open(newHost.s3Uri("dst", ""), StoreOptions.DEFAULTS); Stream<ObjectInfo> s = dst.list("")) {
            return s.map(ObjectInfo::key).toList();
        }
    }

    @Test
    void planRefusesArchivedObjectsUntilTheMoveChooses() throws Exception {
        Plan plan = plan("");
        assertThatThrownBy(() -> Planner.plan(plan, Inventory.MEASURED))
                .isInstanceOf(MigratorException.class)
                .satisfies(e -> assertThat(((MigratorException) e).code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("move 'media': 2 objects (2.9 KiB) in DEEP_ARCHIVE cannot be read until restored")
                .hasMessageContaining("'archived: restore'").hasMessageContaining("'archived: skip'");
    }

    @Test
    void skipLeavesThemOutAndTheReportListsThem() throws Exception {
        Plan plan = plan(", archived: skip");
        Planner.Result planned = Planner.plan(plan, Inventory.MEASURED);
        Inventory inv = planned.inventory().get("media");
        assertThat(inv.archivedObjects()).isEqualTo(2);
        assertThat(inv.archivedBytes()).isEqualTo(3000);
        assertThat(inv.classes().get("STANDARD").objects()).isEqualTo(5);
        assertThat(PlanOutput.text(planned)).contains("DEEP_ARCHIVE  2 objects, 2.9 KiB (archived: must be restored")
                .contains("'archived: skip'");
        assertThat(PlanOutput.json(planned)).contains("\"archivedObjects\" : 2");

        RunReport r = PlanRunner.run(plan, PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        assertThat(r.exitCode()).as(r.summary()).isZero();
        assertThat(targetKeys()).containsExactly("media/hot-0", "media/hot-1", "media/hot-2", "media/hot-3", "media/hot-4");
        assertThat(r.result().outcomes()).filteredOn(o -> o.step().id().equals("presync/media/copy")).singleElement()
                .satisfies(o -> assertThat(o.result().details()).anyMatch(d -> d.startsWith("2 archived objects not moved (archived: skip): media/old-1, media/old-2")));
    }

    @Test
    void restoreRunsItsOwnStepBeforeTheCopyThenEverythingMoves() throws Exception {
        Plan plan = plan(", archived: restore, restore-speed: bulk, restore-days: 2, restore-poll: 1s");
        Planner.Result planned = Planner.plan(plan, Inventory.MEASURED);
        var restore = planned.steps().stream().filter(s -> s.kind().equals(RestoreParams.RESTORE)).findFirst().orElseThrow();
        assertThat(restore.seconds()).as("DEEP_ARCHIVE bulk: within 48 h").isGreaterThan(48 * 3600.0);
        assertThat(planned.steps().stream().filter(s -> s.id().equals("presync/media/copy")).findFirst().orElseThrow().after())
                .contains(restore.id());

        RunReport r = PlanRunner.run(plan, PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        assertThat(r.exitCode()).as(r.summary()).isZero();
        assertThat(archive.restoreRequests()).isEqualTo(2);
        assertThat(targetKeys()).hasSize(7).contains("media/old-1", "media/old-2");
        StepOutcome o = r.result().outcomes().stream().filter(x -> x.step().id().equals(restore.id())).findFirst().orElseThrow();
        assertThat(o.result().details().get(0)).startsWith("2 restores asked for, 0 already restored or under way");
    }
}
