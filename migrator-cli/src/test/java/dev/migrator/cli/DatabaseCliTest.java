package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** migrator copy/verify with PostgreSQL databases, through the real command line and servers. */
class DatabaseCliTest {
    static final int OTHER = 5433;
    String source;
    String target;

    @BeforeEach
    void createSource() throws SQLException {
        String id = UUID.randomUUID().toString().substring(0, 8);
        source = "mig_db_cli_" + id;
        target = "mig_db_clit_" + id;
        exec(5432, "postgres", "create database " + source);
        exec(5432, source, """
                create table users (id serial primary key, name text not null, bio text);
                create table posts (id bigint primary key, user_id int references users(id), body text, tags text[]);
                create index on posts (user_id);
                create view post_counts as select user_id, count(*) from posts group by user_id;
                insert into users (name, bio) select 'user ' || g, case when g % 3 = 0 then null else 'bïo ' || g end
                    from generate_series(1, 100) g;
                insert into posts select g, 1 + g % 100, 'post ' || g, array['t' || g % 5] from generate_series(1, 20000) g;""");
    }

    @AfterEach
    void drop() throws SQLException {
        exec(5432, "postgres", "drop database if exists " + source + " with (force)");
        if (up(OTHER)) {
            exec(OTHER, "postgres", "drop database if exists " + target + " with (force)");
        }
    }

    @Test
    void copyStreamsIntoAnotherClusterAndVerifyProvesItThenCatchesOneChangedRow() throws Exception {
        assumeTrue(up(OTHER), "second PostgreSQL cluster on 127.0.0.1:5433 is not running; .ci/run creates and starts it");
        String src = "postgresql://postgres@127.0.0.1:5432/" + source;
        String dst = "postgresql://postgres@127.0.0.1:" + OTHER + "/" + target;

        CliRun copy = CliRun.of("copy", src, dst, "--jobs", "2");
        assertThat(copy.exit()).as(copy.all()).isZero();
        assertThat(copy.out()).contains("Copied " + src + " into " + dst).contains("Identical").contains("0 differences");

        CliRun verify = CliRun.of("verify", src, dst, "--json");
        assertThat(verify.exit()).as(verify.all()).isZero();
        JsonNode json = new ObjectMapper().readTree(verify.out());
        assertThat(json.get("identical").asBoolean()).isTrue();

        exec(OTHER, target, "update posts set body = 'edited' where id = 777");
        CliRun changed = CliRun.of("verify", src, dst);
        assertThat(changed.exit()).as(changed.all()).isEqualTo(3);
        assertThat(changed.out()).contains("DATA public.posts: same 20000 rows, different content").contains("DIFFERENT")
                .doesNotContain("public.users");

        CliRun again = CliRun.of("copy", src, dst);
        assertThat(again.exit()).as(again.all()).isEqualTo(1);
        assertThat(again.err()).contains("is not empty").contains("--allow-non-empty").doesNotContain("Exception");
    }

    @Test
    void copyOntoAClashingTableNamesPgRestoreAndItsErrorInOneLine() throws Exception {
        exec(5432, "postgres", "create database " + target);
        try {
            // the source's 20000 posts are more than a pipe holds: pg_dump is still writing when pg_restore stops
            exec(5432, target, "create table posts (other text)");
            String src = "postgresql://postgres@127.0.0.1:5432/" + source;
            String dst = "postgresql://postgres@127.0.0.1:5432/" + target;
            CliRun run = CliRun.of("copy", src, dst, "--allow-non-empty");
            assertThat(run.exit()).as(run.all()).isEqualTo(1);
            assertThat(run.err().strip().lines()).hasSize(1);
            assertThat(run.err()).contains("pg_restore failed").contains("relation \"posts\" already exists")
                    .doesNotContain("pg_dump failed").doesNotContain("no message").doesNotContain("Exception");
        } finally {
            exec(5432, "postgres", "drop database if exists " + target + " with (force)");
        }
    }

    @Test
    void aPasswordFileKeepsThePasswordOffTheCommandLine(@TempDir Path dir) throws Exception {
        assumeTrue(up(OTHER), "second PostgreSQL cluster on 127.0.0.1:5433 is not running; .ci/run creates and starts it");
        exec(OTHER, "postgres", """
                do $$ begin
                  if not exists (select from pg_roles where rolname = 'mig_db_pw') then create role mig_db_pw login; end if;
                end $$;
                alter role mig_db_pw password 'Right-Pass-42'""");
        exec(OTHER, "postgres", "create database " + target + " owner mig_db_pw");
        exec(OTHER, target, "set role mig_db_pw; create table t (id int primary key); insert into t values (1), (2)");
        Path file = java.nio.file.Files.writeString(dir.resolve("pw"), "Right-Pass-42\n");
        String src = "postgresql://mig_db_pw@127.0.0.1:" + OTHER + "/" + target + "?password-file=" + file;
        String dst = "postgresql://postgres@127.0.0.1:5432/" + source + "_pwfile";
        try {
            CliRun copy = CliRun.of("copy", src, dst);
            assertThat(copy.exit()).as(copy.all()).isZero();
            assertThat(copy.out()).contains("Identical").doesNotContain(file.toString());
        } finally {
            exec(5432, "postgres", "drop database if exists " + source + "_pwfile with (force)");
        }
    }

    @Test
    void aBundleCarriesADatabaseToAnotherClusterAndVerifyProvesIt(@TempDir Path dir) {
        assumeTrue(up(OTHER), "second PostgreSQL cluster on 127.0.0.1:5433 is not running; .ci/run creates and starts it");
        String src = "postgresql://postgres@127.0.0.1:5432/" + source;
        String dst = "postgresql://postgres@127.0.0.1:" + OTHER + "/" + target;
        String bundle = dir.resolve("bundle").toUri().toString();
        CliRun create = CliRun.of("bundle", "create", src, "--to", bundle, "-q");
        assertThat(create.exit()).as(create.all()).isZero();
        CliRun inspect = CliRun.of("bundle", "inspect", bundle);
        assertThat(inspect.exit()).as(inspect.all()).isZero();
        assertThat(inspect.out()).contains("pg_restore");
        CliRun restore = CliRun.of("bundle", "restore", bundle, "--to", dst, "-q");
        assertThat(restore.exit()).as(restore.all()).isZero();
        CliRun verify = CliRun.of("verify", src, dst);
        assertThat(verify.exit()).as(verify.all()).isZero();
        assertThat(verify.out()).contains("Identical");
    }

    @Test
    void aBundleCarriesAMariadbDatabaseAndVerifyProvesIt(@TempDir Path dir) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String a = "mig_db_clibm_" + id;
        String b = "mig_db_clibmt_" + id;
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
             Statement st = c.createStatement()) {
            st.execute("create database " + a);
            st.execute("create table " + a + ".t (id int primary key, v varchar(20), j json)");
            st.execute("insert into " + a + ".t select seq, concat('vü', seq), json_object('n', seq) from " + a + ".seq_1_to_3000");
        }
        // as an application creates it: unqualified, in its own database (a name qualified with the
        // database is kept verbatim by mariadb-dump and would point back at the source; see README)
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + a, "root", "");
             Statement st = c.createStatement()) {
            st.execute("create trigger t_bi before insert on t for each row set new.v = upper(new.v)");
        }
        try {
            String bundle = dir.resolve("bundle").toUri().toString();
            CliRun create = CliRun.of("bundle", "create", "mysql://root@127.0.0.1:3306/" + a, "--to", bundle, "-q");
            assertThat(create.exit()).as(create.all()).isZero();
            CliRun restore = CliRun.of("bundle", "restore", bundle, "--to", "mariadb://root@127.0.0.1:3306/" + b, "-q");
            assertThat(restore.exit()).as(restore.all()).isZero();
            CliRun verify = CliRun.of("verify", "mysql://root@127.0.0.1:3306/" + a, "mysql://root@127.0.0.1:3306/" + b);
            assertThat(verify.exit()).as(verify.all()).isZero();
        } finally {
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
                 Statement st = c.createStatement()) {
                st.execute("drop database if exists " + a);
                st.execute("drop database if exists " + b);
            }
        }
    }

    @Test
    void aDatabaseAndAnObjectStoreDoNotPair(@TempDir Path dir) {
        CliRun run = CliRun.of("copy", "postgresql://postgres@127.0.0.1:5432/" + source, dir.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("is a database").contains("bundle create");
        CliRun mixed = CliRun.of("verify", "postgresql://postgres@127.0.0.1:5432/" + source, "mysql://root@127.0.0.1/x");
        assertThat(mixed.exit()).isEqualTo(2);
    }

    @Test
    void aWrongPasswordIsOneLineWithoutThePassword() throws Exception {
        assumeTrue(up(OTHER), "second PostgreSQL cluster on 127.0.0.1:5433 is not running; .ci/run creates and starts it");
        exec(OTHER, "postgres", """
                do $$ begin
                  if not exists (select from pg_roles where rolname = 'mig_db_pw') then create role mig_db_pw login; end if;
                end $$;
                alter role mig_db_pw password 'Right-Pass-42'""");
        CliRun run = CliRun.of("verify", "postgresql://postgres@127.0.0.1:5432/" + source,
                "postgresql://mig_db_pw:Oops-Wrong@127.0.0.1:" + OTHER + "/postgres");
        assertThat(run.exit()).as(run.all()).isEqualTo(2);
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.err()).contains("mig_db_pw").contains("PGPASSWORD").doesNotContain("Oops-Wrong");
    }

    @Test
    void mariadbCopyThenVerifyThenOneChangedRow() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String a = "mig_db_clim_" + id;
        String b = "mig_db_climt_" + id;
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
             Statement st = c.createStatement()) {
            st.execute("create database " + a);
            st.execute("create table " + a + ".t (id int primary key, v varchar(20), b blob)");
            st.execute("insert into " + a + ".t select seq, concat('v', seq), unhex(md5(seq)) from " + a + ".seq_1_to_5000");
            st.execute("create view " + a + ".big as select * from " + a + ".t where id > 100");
        }
        try {
            String src = "mysql://root@127.0.0.1:3306/" + a;
            String dst = "mariadb://root@127.0.0.1:3306/" + b;
            CliRun copy = CliRun.of("copy", src, dst, "--json");
            assertThat(copy.exit()).as(copy.all()).isZero();
            JsonNode json = new ObjectMapper().readTree(copy.out());
            assertThat(json.get("verified").asBoolean()).isTrue();
            assertThat(json.get("identical").asBoolean()).isTrue();

            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + b, "root", "");
                 Statement st = c.createStatement()) {
                st.execute("update t set b = null where id = 4321");
            }
            CliRun verify = CliRun.of("verify", src, dst);
            assertThat(verify.exit()).as(verify.all()).isEqualTo(3);
            assertThat(verify.out()).contains("DATA t: same 5000 rows, different content");
        } finally {
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
                 Statement st = c.createStatement()) {
                st.execute("drop database if exists " + a);
                st.execute("drop database if exists " + b);
            }
        }
    }

    @Test
    void aPasswordFromPgpassReachesBothTheToolsAndMigratorsOwnConnections(@TempDir Path dir) throws Exception {
        assumeTrue(up(OTHER), "second PostgreSQL cluster on 127.0.0.1:5433 is not running; .ci/run creates and starts it");
        exec(OTHER, "postgres", """
                do $$ begin
                  if not exists (select from pg_roles where rolname = 'mig_db_pw') then create role mig_db_pw login; end if;
                end $$;
                alter role mig_db_pw password 'Right-Pass-42'""");
        exec(OTHER, "postgres", "create database " + target + " owner mig_db_pw");
        exec(OTHER, target, "set role mig_db_pw; create table t (id int primary key, s text); insert into t values (1, 'ü'), (2, null)");
        Path pgpass = dir.resolve("pgpass");
        java.nio.file.Files.writeString(pgpass, "127.0.0.1:5433:*:mig_db_pw:Right-Pass-42\n");
        java.nio.file.Files.setPosixFilePermissions(pgpass, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String src = "postgresql://mig_db_pw@127.0.0.1:" + OTHER + "/" + target;
        String dst = "postgresql://postgres@127.0.0.1:5432/" + source + "_pgpass";
        try {
            Process without = migrator(Map.of(), "verify", src, src);
            String err = new String(without.getInputStream().readAllBytes());
            assertThat(without.waitFor()).as(err).isEqualTo(2);
            assertThat(err).contains("rejected user 'mig_db_pw'").contains(".pgpass");

            Process with = migrator(Map.of("PGPASSFILE", pgpass.toString()), "copy", src, dst);
            String out = new String(with.getInputStream().readAllBytes());
            assertThat(with.waitFor()).as(out).isZero();
            assertThat(out).contains("Identical");
        } finally {
            exec(5432, "postgres", "drop database if exists " + source + "_pgpass with (force)");
        }
    }

    /** The real command in its own JVM, with extra environment (which an in-process run cannot set). */
    static Process migrator(Map<String, String> env, String... args) throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        b.environment().remove("PGPASSWORD");
        b.environment().remove("PGPASSFILE");
        b.environment().putAll(env);
        return b.start();
    }

    static boolean up(int port) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    static void exec(int port, String db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db, "postgres", "");
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
