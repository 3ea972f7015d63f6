package dev.migrator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.plan.planner.Planner;
import dev.migrator.plan.planner.Step;
import dev.migrator.plan.report.RunReport;
import dev.migrator.provider.Databases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plans with via: replicate: the planner's freeze estimate, and a run and a drill against the logical cluster (5434). */
class ReplicatePlanTest {
    static final int LOGICAL = 5434;
    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final String source = "mig_plan_rsrc_" + suffix;
    final String target = "mig_plan_rdst_" + suffix;
    final String scratch = "mig_plan_rdrill_" + suffix;

    @TempDir
    Path dir;

    static Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + LOGICAL + "/" + db, "postgres", "");
    }

    static boolean up() {
        try (Connection c = connect("postgres")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @AfterEach
    void drop() throws SQLException {
        if (!up()) {
            return;
        }
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = '" + source + "'");
            for (String db : List.of(source, target, scratch, target + "_migrator_partial", scratch + "_migrator_partial")) {
                st.execute("drop database if exists " + db + " with (force)");
            }
        }
    }

    @Test
    void theExamplePlansDatabaseLeavesTheFreezeWindowWhenReplicated() throws Exception {
        String example = Files.readString(Path.of("../examples/exit.yaml"));
        Plan direct = PlanParser.parse(Path.of("exit.yaml"), example);
        String replicated = example.replaceFirst("via: direct +#[^\n]*", "via: replicate");
        assertThat(replicated).contains("via: replicate");
        Plan plan = PlanParser.parse(Path.of("exit.yaml"), replicated);
        double before = Planner.plan(direct, Inventory.DECLARED).schedule().cutover();
        Planner.Result r = Planner.plan(plan, Inventory.DECLARED);
        double freeze = r.schedule().cutover();
        System.out.printf("example plan freeze window: direct %.0f s, replicate %.0f s; after the switch %.0f s%n",
                before, freeze, r.schedule().afterSwitch());
        r.steps().stream().filter(s -> s.phase() == dev.migrator.plan.planner.Phase.CUTOVER).forEach(s -> System.out.printf(
                "  %-40s %8.1f s  %s..%s  %s%n", s.id(), s.seconds(), r.schedule().start().get(s.id()), r.schedule().end().get(s.id()), s.explain()));
        assertThat(before).isGreaterThan(30 * 60);
        // the database's share of the freeze is its catch-up; what remains is the media bucket's delta (object moves)
        assertThat(freeze).isLessThan(before - 800);
        assertThat(r.schedule().criticalPath()).noneMatch(id -> id.startsWith("cutover/db/"));
        assertThat(r.steps()).extracting(Step::id).contains("presync/db/db-replicate", "cutover/db/db-cutover",
                "cutover/after-switch/db/db-verify");
        Step bulk = r.steps().stream().filter(s -> s.id().equals("presync/db/db-replicate")).findFirst().orElseThrow();
        Step catchUp = r.steps().stream().filter(s -> s.id().equals("cutover/db/db-cutover")).findFirst().orElseThrow();
        assertThat(bulk.explain()).startsWith("bulk copy while live: 60.0 GiB");
        assertThat(bulk.seconds()).isGreaterThan(60);
        assertThat(catchUp.explain()).startsWith("catch-up: ");
        assertThat(catchUp.seconds()).isLessThan(30);
        Step verify = r.steps().stream().filter(s -> s.id().equals("cutover/after-switch/db/db-verify")).findFirst().orElseThrow();
        assertThat(verify.after()).containsExactly("cutover/hook/dns");
    }

    @Test
    void replicateRunCatchesUpWritesMadeUntilTheFreezeHookAndADrillCleansUp() throws Exception {
        assumeTrue(up(), "PostgreSQL cluster with wal_level=logical on 127.0.0.1:" + LOGICAL + " is not running; .ci/run starts it");
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + source + " template template0");
        }
        DatabasePlanTest.seedOn(connect(source));
        Path frozen = dir.resolve("frozen");
        Path file = dir.resolve("db.yaml");
        Files.writeString(file, """
                sources: {db: 'postgresql://postgres@127.0.0.1:%d/%s'}
                targets: {new: 'postgresql://postgres@127.0.0.1:%d/%s'}
                moves:
                  - {name: db, from: db, to: new, via: replicate, change-rate: 100KiB/s, dump: {jobs: 2}}
                limits: {attempts: 1}
                hooks:
                  freeze: [{name: read-only, run: 'touch %s && sleep 0.3', timeout: 10s, estimate: 1s}]
                  switch: [{name: dns, run: 'true', timeout: 10s}]
                drill:
                  targets: {new: 'postgresql://postgres@127.0.0.1:%d/%s'}
                  hooks: true
                """.formatted(LOGICAL, source, LOGICAL, target, frozen, LOGICAL, scratch));
        Plan plan = PlanParser.parse(file);
        // the application writes until the freeze hook tells it to stop
        AtomicLong written = new AtomicLong();
        Thread app = new Thread(() -> {
            try (Connection c = connect(source); Statement st = c.createStatement()) {
                while (!Files.exists(frozen)) {
                    st.execute("insert into posts (user_id, body) values (1 + " + written.get() % 500 + ", 'live')");
                    st.execute("update users set bio = 'edited " + written.get() + "' where id = " + (1 + written.get() % 500));
                    st.execute("select nextval('posts_id_seq')");
                    written.incrementAndGet();
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        app.start();
        RunReport r = PlanRunner.run(plan, PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        app.join();
        assertThat(r.exitCode()).as(r.summary()).isZero();
        assertThat(written.get()).isGreaterThan(10);
        assertThat(r.result().outcomes()).filteredOn(o -> o.step().id().equals("cutover/db/db-cutover")).singleElement()
                .satisfies(o -> {
                    assertThat(o.result().verified()).isTrue();
                    assertThat(o.result().details()).anyMatch(d -> d.startsWith("inside the freeze"));
                });
        assertThat(r.result().outcomes()).filteredOn(o -> o.step().id().equals("cutover/after-switch/db/db-verify")).singleElement()
                .satisfies(o -> assertThat(o.result().verified()).isTrue());
        System.out.printf("replicate plan: %d writes during the pre-copy; measured freeze %.2f s%n", written.get(), r.measuredFreeze());
        assertThat(r.measuredFreeze()).isGreaterThan(0).isLessThan(30);
        try (var pair = Databases.open("postgresql://postgres@127.0.0.1:" + LOGICAL + "/" + source,
                "postgresql://postgres@127.0.0.1:" + LOGICAL + "/" + target, "verify")) {
            assertThat(Databases.compare(pair.source(), pair.target()).differences()).isEmpty();
        }
        assertThat(slots()).isZero();

        // a drill into a scratch database: the same steps; the slot is gone afterwards
        Files.delete(frozen);
        RunReport d = Drill.run(plan, PlanRunner.Options.of(dir.resolve("drill-state")), false, null);
        assertThat(d.exitCode()).as(d.summary()).isZero();
        assertThat(count(scratch, "select count(*) from posts")).isEqualTo(count(source, "select count(*) from posts"));
        assertThat(slots()).isZero();
    }

    @Test
    void aDrillThatStopsBeforeItsCutoverStillDropsTheSlot() throws Exception {
        assumeTrue(up(), "PostgreSQL cluster with wal_level=logical on 127.0.0.1:" + LOGICAL + " is not running; .ci/run starts it");
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + source + " template template0");
        }
        DatabasePlanTest.seedOn(connect(source));
        Path file = dir.resolve("db.yaml");
        Files.writeString(file, """
                sources: {db: 'postgresql://postgres@127.0.0.1:%d/%s'}
                targets: {new: 'postgresql://postgres@127.0.0.1:%d/%s'}
                moves:
                  - {name: db, from: db, to: new, via: replicate}
                limits: {attempts: 1}
                hooks:
                  freeze: [{name: read-only, run: 'echo the app would not stop; exit 1', timeout: 10s}]
                drill:
                  targets: {new: 'postgresql://postgres@127.0.0.1:%d/%s'}
                  hooks: true
                """.formatted(LOGICAL, source, LOGICAL, target, LOGICAL, scratch));
        RunReport d = Drill.run(PlanParser.parse(file), PlanRunner.Options.of(dir.resolve("drill-state")), false, null);
        assertThat(d.exitCode()).as(d.summary()).isNotZero();
        assertThat(d.result().outcomes()).filteredOn(o -> o.step().id().equals("presync/db/db-replicate")).singleElement()
                .satisfies(o -> assertThat(o.status()).isEqualTo(StepOutcome.Status.DONE));
        assertThat(d.notes()).anyMatch(n -> n.startsWith("Dropped the replication slot migrator_"));
        assertThat(slots()).isZero();
    }

    private long slots() throws SQLException {
        return count("postgres", "select count(*) from pg_replication_slots where database = '" + source + "'");
    }

    private static long count(String db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
