package dev.migrator.plan.preflight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preflight checks against real stores and the real database servers (PostgreSQL 5432 and 5433, MariaDB 3306). */
class PreflightTest {
    @TempDir
    Path dir;

    private Plan plan(String yaml) throws Exception {
        Path file = dir.resolve("plan-" + UUID.randomUUID() + ".yaml");
        Files.writeString(file, yaml);
        return PlanParser.parse(file);
    }

    private static Finding only(PreflightReport r, String check, String subject) {
        List<Finding> f = r.findings().stream().filter(x -> x.check().equals(check) && x.subject().equals(subject)).toList();
        assertThat(f).as(r.text()).hasSize(1);
        return f.get(0);
    }

    private Path sourceFolder() throws Exception {
        Path src = dir.resolve("src");
        try (ObjectStore s = Stores.open(src.toUri().toString(), StoreOptions.DEFAULTS)) {
            s.put("a/one.txt", Content.of("hello".getBytes()), new ObjectMetadata("text/plain", null, null, null, Map.of()));
        }
        return src;
    }

    @Test
    void aReadyPlanIsAllOkAndTheProbesLeaveNothingBehind() throws Exception {
        Path src = sourceFolder();
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("target");
            Plan plan = plan("""
                    sources: {old: '%s'}
                    targets: {bucket: '%s', folder: '%s'}
                    moves: [{name: one, from: old, to: bucket}, {name: two, from: old, to: folder}]
                    hooks: {freeze: 'true', switch: {name: dns, run: 'echo switched'}}
                    """.formatted(src.toUri(), s3.s3Uri("target", "copy"), dir.resolve("dst").toUri()));
            PreflightReport r = Preflight.run(plan, Inventory.MEASURED);
            assertThat(r.count(Status.FAIL)).as(r.text()).isZero();
            assertThat(r.exitCode()).isZero();
            assertThat(only(r, "access", "source old").message()).contains("listed and read 'a/one.txt'");
            assertThat(only(r, "access", "target bucket").status()).isEqualTo(Status.OK);
            assertThat(only(r, "access", "target folder").message()).contains("wrote and deleted a probe object");
            assertThat(only(r, "free-space", "target folder").message()).contains("free for 5 B");
            Finding clock = only(r, "clock", "endpoint " + s3.endpoint());
            assertThat(clock.status()).as(clock.message()).isEqualTo(Status.OK);
            assertThat(only(r, "hooks", "hook dns").message()).contains("runs echo");
            try (ObjectStore bucket = Stores.open(s3.s3Uri("target", ""), StoreOptions.DEFAULTS);
                 Stream<ObjectInfo> left = bucket.list("")) {
                assertThat(left.toList()).as("the probe is deleted").isEmpty();
            }
            try (Stream<Path> left = Files.list(dir.resolve("dst"))) {
                assertThat(left.toList()).isEmpty();
            }
            assertThat(r.json()).contains("\"ready\" : true");
            assertThat(r.junit()).contains("<testsuite name=\"preflight.access\" tests=\"3\" failures=\"0\"");
        }
    }

    /** Root ignores permission bits, so the folder is made immutable (chattr +i) when the tests run as root. */
    @Test
    void aTargetFolderThatCannotBeWrittenIsAFailThatSaysWhatTheMoveNeeds() throws Exception {
        Path src = sourceFolder();
        Path ro = Files.createDirectories(dir.resolve("read-only"));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            assumeTrue(new ProcessBuilder("chattr", "+i", ro.toString()).inheritIO().start().waitFor() == 0, "chattr +i works here");
        } else {
            Files.setPosixFilePermissions(ro, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        try {
            Plan plan = plan("""
                    sources: {old: '%s'}
                    targets: {new: '%s'}
                    moves: [{from: old, to: new}]
                    """.formatted(src.toUri(), ro.toUri()));
            PreflightReport r = Preflight.run(plan, Inventory.MEASURED);
            Finding f = only(r, "access", "target new");
            assertThat(f.status()).as(f.message()).isEqualTo(Status.FAIL);
            assertThat(f.message()).contains("cannot write").contains("the move needs write and delete permission here");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.text()).contains("FAIL  access").contains("NOT ready");
            assertThat(r.junit()).contains("<failure message=\"" + ro.toUri().toString().replaceAll("/$", ""));
        } finally {
            if (root) {
                new ProcessBuilder("chattr", "-i", ro.toString()).inheritIO().start().waitFor();
            } else {
                Files.setPosixFilePermissions(ro, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    @Test
    void aClockFarFromTheServersIsAFailNamingTheFix() throws Exception {
        Path src = sourceFolder();
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("target");
            Plan plan = plan("""
                    sources: {old: '%s'}
                    targets: {new: '%s'}
                    moves: [{from: old, to: new}]
                    """.formatted(src.toUri(), s3.s3Uri("target", "")));
            Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(20));
            PreflightReport r = Preflight.run(plan, Inventory.MEASURED, ahead, List.of(new ClockSkewCheck()));
            Finding f = only(r, "clock", "endpoint " + s3.endpoint());
            assertThat(f.status()).isEqualTo(Status.FAIL);
            assertThat(f.message()).contains("20 min ahead of the server's").contains("timedatectl set-ntp true");
        }
    }

    // ---- databases ----

    static Connection connect(int port, String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db, "postgres", "");
    }

    static void exec(int port, String db, String... sql) throws SQLException {
        try (Connection c = connect(port, db); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    /** The second cluster (.ci/run) asks the role mig_db_pw for a password; a wrong one is a FAIL that says where to put the right one. */
    @Test
    void aRejectedDatabasePasswordIsAFailThatNamesWhereThePasswordGoes() throws Exception {
        boolean up;
        try (Connection c = connect(5433, "postgres")) {
            up = c.isValid(2);
        } catch (SQLException e) {
            up = false;
        }
        assumeTrue(up, "second PostgreSQL cluster on 127.0.0.1:5433 is not running; .ci/run creates and starts it");
        exec(5433, "postgres", """
                do $$ begin
                  if not exists (select from pg_roles where rolname = 'mig_db_pw') then create role mig_db_pw login; end if;
                end $$""", "alter role mig_db_pw password 'Right-Pass-42'");
        Path pw = Files.writeString(dir.resolve("pw"), "Wrong-Pass-7\n");
        String db = "mig_pf_" + UUID.randomUUID().toString().substring(0, 8);
        exec(5432, "postgres", "create database " + db);
        try {
            Plan plan = plan("""
                    sources: {db: 'postgresql://postgres@127.0.0.1:5432/%s'}
                    targets: {new: 'postgresql://mig_db_pw@127.0.0.1:5433/%s?password-file=%s'}
                    moves: [{from: db, to: new}]
                    """.formatted(db, db, pw));
            PreflightReport r = Preflight.run(plan, Inventory.MEASURED);
            Finding f = only(r, "database-access", "target new");
            assertThat(f.status()).isEqualTo(Status.FAIL);
            assertThat(f.message()).contains("credentials rejected").contains("rejected user 'mig_db_pw'")
                    .contains("PGPASSWORD, ~/.pgpass or the URI");
            assertThat(r.text() + r.json() + r.junit()).doesNotContain("Wrong-Pass-7");
            assertThat(only(r, "database-access", "source db").status()).isEqualTo(Status.OK);
            assertThat(only(r, "database-tools", "source db").message()).startsWith("pg_dump 15");
            assertThat(r.findings()).as("nothing else is asked of a database that refused us")
                    .noneMatch(x -> x.subject().equals("target new") && !x.check().equals("database-access"));
        } finally {
            exec(5432, "postgres", "drop database if exists " + db + " with (force)");
        }
    }

    /**
     * The 5432 service runs with wal_level=replica: for a move that streams changes, a FAIL naming the setting and
     * the fix; for a dump or direct move, a WARN. Tables without a primary key are named too.
     */
    @Test
    void walLevelReplicaIsAFailForChangeCaptureAndAWarnOtherwise() throws Exception {
        String db = "mig_pf_" + UUID.randomUUID().toString().substring(0, 8);
        exec(5432, "postgres", "create database " + db);
        try {
            exec(5432, db, "create table keyed (id int primary key)", "create table loose (v text)");
            try (Connection c = connect(5432, "postgres"); Statement st = c.createStatement();
                 var rs = st.executeQuery("show wal_level")) {
                rs.next();
                assumeTrue(rs.getString(1).equals("replica"), "the 5432 service runs with wal_level=replica");
            }
            Plan plan = plan("""
                    sources: {db: 'postgresql://postgres@127.0.0.1:5432/%s'}
                    targets: {new: 'postgresql://postgres@127.0.0.1:5432/%s_copy'}
                    moves: [{name: users, from: db, to: new}]
                    """.formatted(db, db));
            PreflightReport streaming = Preflight.run(plan, Inventory.MEASURED, Clock.systemUTC(),
                    List.of(new ReplicationCheck(m -> true)));
            Finding f = only(streaming, "replication", "move users");
            assertThat(f.status()).isEqualTo(Status.FAIL);
            assertThat(f.message()).contains("wal_level is replica").contains("ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL");
            assertThat(streaming.exitCode()).isEqualTo(1);

            PreflightReport r = Preflight.run(plan, Inventory.MEASURED);
            assertThat(only(r, "replication", "move users").status()).isEqualTo(Status.WARN);
            assertThat(only(r, "replication", "move users").message()).contains("only a via: replicate move needs this");
            assertThat(only(r, "primary-keys", "move users").message()).contains("1 table has no primary key").contains("public.loose");
            assertThat(only(r, "database-access", "target new").message()).contains("the restore creates it");
            assertThat(only(r, "database-tools", "target new").message()).startsWith("pg_restore 15");
            assertThat(only(r, "long-transactions", "source db").status()).isEqualTo(Status.OK);
            assertThat(r.count(Status.FAIL)).as(r.text()).isZero();
        } finally {
            exec(5432, "postgres", "drop database if exists " + db + " with (force)");
        }
    }

    @Test
    void mariadbWithoutARowBinlogIsReportedWithTheFix() throws Exception {
        String db = "mig_pf_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
             Statement st = c.createStatement()) {
            st.execute("create database " + db);
            st.execute("create table " + db + ".loose (v text)");
        }
        try {
            Plan plan = plan("""
                    sources: {db: 'mysql://root@127.0.0.1:3306/%s'}
                    targets: {new: 'mysql://root@127.0.0.1:3306/%s_copy'}
                    moves: [{name: shop, from: db, to: new}]
                    """.formatted(db, db));
            PreflightReport r = Preflight.run(plan, Inventory.MEASURED, Clock.systemUTC(), List.of(new DatabaseAccessCheck(),
                    new DatabaseToolsCheck(), new ReplicationCheck(m -> true), new PrimaryKeyCheck()));
            assertThat(only(r, "database-tools", "source db").message()).startsWith("mariadb-dump 10.");
            Finding f = only(r, "replication", "move shop");
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
                 Statement st = c.createStatement(); var rs = st.executeQuery("select @@log_bin, @@binlog_format")) {
                rs.next();
                boolean ready = rs.getInt(1) == 1 && rs.getString(2).equals("ROW");
                assertThat(f.status()).as(f.message()).isEqualTo(ready ? Status.OK : Status.FAIL);
                if (rs.getInt(1) == 0) {
                    assertThat(f.message()).contains("the binary log is off: start the server with log_bin");
                }
            }
            assertThat(only(r, "primary-keys", "move shop").message()).contains(db + ".loose");
        } finally {
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
                 Statement st = c.createStatement()) {
                st.execute("drop database if exists " + db);
            }
        }
    }
}
