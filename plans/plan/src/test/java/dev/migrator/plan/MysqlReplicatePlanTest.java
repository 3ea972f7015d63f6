package dev.migrator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
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

/**
 * A plan with a MariaDB {@code via: replicate} move, against the MariaDB with the binlog on (3307): writes go on until
 * the freeze hook, the cut-over catches them up and verifies, and a drill into a scratch database leaves no position
 * behind.
 */
class MysqlReplicatePlanTest {
    static final int BINLOG = 3307;
    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final String source = "mig_plan_mrsrc_" + suffix;
    final String target = "mig_plan_mrdst_" + suffix;
    final String scratch = "mig_plan_mrdrill_" + suffix;

    @TempDir
    Path dir;

    static Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + BINLOG + "/" + db, "root", "");
    }

    static boolean up() {
        try (Connection c = connect("")) {
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
        try (Connection c = connect(""); Statement st = c.createStatement()) {
            for (String db : List.of(source, target, scratch)) {
                st.execute("drop database if exists " + db);
            }
            if (positions() > 0) {
                st.execute("delete from migrator_state.binlog_positions where source like '%/" + source + "'");
            }
        }
    }

    @Test
    void replicateRunCatchesUpWritesMadeUntilTheFreezeHookAndADrillCleansUp() throws Exception {
        assumeTrue(up(), "MariaDB with the binlog on at 127.0.0.1:" + BINLOG + " is not running; .ci/run creates and starts it");
        try (Connection c = connect(""); Statement st = c.createStatement()) {
            st.execute("create database " + source + " character set utf8mb4");
        }
        try (Connection c = connect(source); Statement st = c.createStatement()) {
            st.execute("create table users (id bigint auto_increment primary key, handle varchar(40) unique not null, bio text)");
            st.execute("create table posts (id bigint auto_increment primary key, user_id bigint not null, body text,"
                    + " at timestamp(3) not null default current_timestamp(3), foreign key (user_id) references users (id))");
            st.execute("insert into users (handle, bio) select concat('user', seq), concat('bio ☕ ', seq) from seq_1_to_500");
            st.execute("insert into posts (user_id, body) select 1 + seq % 500, concat('post ', seq) from seq_1_to_3000");
        }
        Path frozen = dir.resolve("frozen");
        Path file = dir.resolve("db.yaml");
        Files.writeString(file, """
                sources: {db: 'mysql://root@127.0.0.1:%d/%s'}
                targets: {new: 'mysql://root@127.0.0.1:%d/%s'}
                moves:
                  - {name: db, from: db, to: new, via: replicate, change-rate: 100KiB/s, dump: {jobs: 2}}
                limits: {attempts: 1}
                hooks:
                  freeze: [{name: read-only, run: 'touch %s && sleep 0.3', timeout: 10s, estimate: 1s}]
                  switch: [{name: dns, run: 'true', timeout: 10s}]
                drill:
                  targets: {new: 'mysql://root@127.0.0.1:%d/%s'}
                  hooks: true
                """.formatted(BINLOG, source, BINLOG, target, frozen, BINLOG, scratch));
        Plan plan = PlanParser.parse(file);
        // the application writes until the freeze hook tells it to stop
        AtomicLong written = new AtomicLong();
        Thread app = new Thread(() -> {
            try (Connection c = connect(source); Statement st = c.createStatement()) {
                while (!Files.exists(frozen)) {
                    st.execute("insert into posts (user_id, body) values (1 + " + written.get() % 500 + ", 'live')");
                    st.execute("update users set bio = 'edited " + written.get() + "' where id = " + (1 + written.get() % 500));
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
        System.out.printf("mariadb replicate plan: %d writes during the pre-copy; measured freeze %.2f s%n", written.get(),
                r.measuredFreeze());
        assertThat(r.measuredFreeze()).isGreaterThan(0).isLessThan(30);
        try (var pair = Databases.open("mysql://root@127.0.0.1:" + BINLOG + "/" + source,
                "mysql://root@127.0.0.1:" + BINLOG + "/" + target, "verify")) {
            assertThat(Databases.compare(pair.source(), pair.target()).differences()).isEmpty();
        }
        assertThat(positions()).isZero();

        // a drill into a scratch database: the same steps; no position is left afterwards
        Files.delete(frozen);
        RunReport d = Drill.run(plan, PlanRunner.Options.of(dir.resolve("drill-state")), false, null);
        assertThat(d.exitCode()).as(d.summary()).isZero();
        assertThat(count(scratch, "select count(*) from posts")).isEqualTo(count(source, "select count(*) from posts"));
        assertThat(positions()).isZero();
    }

    /** Replication positions recorded for this test's source on the 3307 server. */
    private long positions() throws SQLException {
        if (count("", "select count(*) from information_schema.tables where table_schema = 'migrator_state'") == 0) {
            return 0;
        }
        return count("", "select count(*) from migrator_state.binlog_positions where source like '%/" + source + "'");
    }

    private static long count(String db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
