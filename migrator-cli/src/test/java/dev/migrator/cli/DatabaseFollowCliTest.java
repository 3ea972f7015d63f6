package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** migrator copy --follow and migrator db slots against the wal_level=logical cluster (5434, made by .ci/run). */
class DatabaseFollowCliTest {
    static final int LOGICAL = 5434;
    String source;
    String target;
    String src;
    String dst;

    @BeforeEach
    void createSource() throws SQLException {
        assumeTrue(up(), "PostgreSQL cluster with wal_level=logical on 127.0.0.1:" + LOGICAL
                + " is not running; .ci/run creates (15/mig3) and starts it");
        String id = UUID.randomUUID().toString().substring(0, 8);
        source = "mig_db_fol_" + id;
        target = "mig_db_folt_" + id;
        src = "postgresql://postgres@127.0.0.1:" + LOGICAL + "/" + source;
        dst = "postgresql://postgres@127.0.0.1:" + LOGICAL + "/" + target;
        exec("postgres", "create database " + source);
        exec(source, """
                create table users (id serial primary key, name text not null);
                insert into users (name) select 'user ' || g from generate_series(1, 1000) g;""");
    }

    @AfterEach
    void drop() throws SQLException {
        if (source == null) {
            return;
        }
        exec("postgres", "select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = '" + source + "'");
        exec("postgres", "drop database if exists " + source + " with (force)");
        exec("postgres", "drop database if exists " + target + " with (force)");
        exec("postgres", "drop database if exists " + target + "_migrator_partial with (force)");
    }

    @Test
    void followCatchesUpResumesAndTheSlotIsListedAndDropped() throws Exception {
        CliRun first = CliRun.of("copy", src, dst, "--follow", "--until-lag", "5s", "-q");
        assertThat(first.exit()).as(first.all()).isZero();
        assertThat(first.out()).contains("Caught up").contains("migrator db slots " + src + " --drop migrator_");
        assertThat(count(target, "select count(*) from users")).isEqualTo(1000);

        exec(source, "insert into users (name) values ('after'); delete from users where id = 3");
        CliRun again = CliRun.of("copy", src, dst, "--follow", "--until-lag", "5s", "--json");
        assertThat(again.exit()).as(again.all()).isZero();
        assertThat(again.out()).contains("\"started\" : \"resuming migrator_");
        assertThat(count(target, "select count(*) from users")).isEqualTo(1000);
        assertThat(count(target, "select count(*) from users where name = 'after'")).isEqualTo(1);

        CliRun list = CliRun.of("db", "slots", src);
        assertThat(list.exit()).as(list.all()).isZero();
        assertThat(list.out()).contains("migrator_").contains("idle").contains("-> " + dst);
        String slot = list.out().substring(list.out().indexOf("migrator_")).split("\\s")[0];

        CliRun dropped = CliRun.of("db", "slots", src, "--drop", slot);
        assertThat(dropped.exit()).as(dropped.all()).isZero();
        assertThat(CliRun.of("db", "slots", src).out()).contains("No migrator replication slots");
        CliRun missing = CliRun.of("db", "slots", src, "--drop", slot);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no replication slot named " + slot).doesNotContain("Exception");
    }

    @Test
    void aTableWithoutAKeyIsRefusedInOneLineBeforeAnythingStarts() throws Exception {
        exec(source, "create table audit (at timestamptz, what text)");
        CliRun run = CliRun.of("copy", src, dst, "--follow");
        assertThat(run.exit()).as(run.all()).isEqualTo(2);
        assertThat(run.err()).contains("public.audit").contains("no primary key").contains("REPLICA IDENTITY FULL")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(count("postgres", "select count(*) from pg_replication_slots where database = '" + source + "'")).isZero();
    }

    @Test
    void aSourceWithoutLogicalWalSaysWhichSettingIsNeeded() throws Exception {
        String plain = "mig_db_fol_plain_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("create database " + plain);
            try {
                CliRun run = CliRun.of("copy", "postgresql://postgres@127.0.0.1:5432/" + plain, dst, "--follow");
                assertThat(run.exit()).as(run.all()).isEqualTo(2);
                assertThat(run.err()).contains("wal_level").contains("wal_level = logical");
            } finally {
                st.execute("drop database " + plain);
            }
        }
    }

    private static boolean up() {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + LOGICAL + "/postgres", "postgres", "")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void exec(String db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + LOGICAL + "/" + db, "postgres", "");
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long count(String db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + LOGICAL + "/" + db, "postgres", "");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
