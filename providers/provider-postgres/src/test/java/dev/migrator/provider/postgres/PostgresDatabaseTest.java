package dev.migrator.provider.postgres;

import static dev.migrator.provider.postgres.PgServers.MAIN;
import static dev.migrator.provider.postgres.PgServers.OTHER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Database;
import dev.migrator.provider.Database.DumpOptions;
import dev.migrator.provider.Database.RestoreOptions;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Fingerprint;
import dev.migrator.provider.MigratorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot, restore, direct copy and verify against the real PostgreSQL servers. */
class PostgresDatabaseTest {
    static String source;
    static Fingerprint sourcePrint;

    @BeforeAll
    static void loadSource() throws Exception {
        source = PgServers.uniqueName("pgsrc");
        PgServers.create(MAIN, source);
        PgServers.exec(MAIN, source, PgServers.resource("microblog.sql"));
        sourcePrint = PgServers.open(MAIN, source).fingerprint();
    }

    @AfterAll
    static void dropSource() {
        PgServers.drop(MAIN, source);
    }

    @Test
    void fingerprintSeesEveryKindOfObjectAndTheData() {
        assertThat(sourcePrint.schema()).containsKeys("table public.users", "table public.posts",
                "table public.posts_2025", "table social.follows", "schema social", "view public.popular",
                "materialized view public.daily_posts", "index public.events_kind_at", "constraint social.follows.no_self_follow",
                "sequence public.invoice_no", "function public.like_post(bigint,date)", "trigger public.users.users_touch",
                "type public.mood", "type public.handle", "type public.geo", "extension pgcrypto",
                "comment on table public.users", "comment on column bio of table public.users", "comment on function public.like_post(bigint,date)");
        assertThat(sourcePrint.schema().get("table public.posts")).startsWith("partitioned table (").contains("partition by RANGE (posted_on)");
        assertThat(sourcePrint.schema().get("table public.posts_2026")).contains("partition of public.posts FOR VALUES FROM ('2026-01-01')");
        assertThat(sourcePrint.schema().get("sequence public.invoice_no")).endsWith("last_value 4242");
        assertThat(sourcePrint.schema().get("type public.mood")).isEqualTo("enum ('happy', 'sad', 'ünïcödé 😀')");
        assertThat(sourcePrint.tables().get("public.events").rows()).isEqualTo(300_000);
        assertThat(sourcePrint.tables().get("public.users").rows()).isEqualTo(3);
        assertThat(sourcePrint.tables().get("public.posts_2025").rows() + sourcePrint.tables().get("public.posts_2026").rows())
                .isEqualTo(2000);
        assertThat(sourcePrint.tables()).doesNotContainKey("public.posts"); // hashed through its partitions
        assertThat(sourcePrint.tables()).containsKey("public.daily_posts");
    }

    @Test
    void inventoryListsTablesBiggestFirst() {
        Database.Inventory inv = PgServers.open(MAIN, source).inventory();
        assertThat(inv.bytes()).isGreaterThan(10_000_000L);
        assertThat(inv.tables().get(0).name()).isEqualTo("public.events");
        assertThat(inv.tables().get(0).rowEstimate()).isBetween(250_000L, 350_000L);
        assertThat(inv.tables()).extracting(Database.Table::name).contains("public.users", "social.follows", "public.posts_2025");
    }

    @Test
    void snapshotRestoresOnAnotherClusterIdenticallyAndVerifyFindsOneChangedRow(@TempDir Path dir) throws Exception {
        PgServers.assumeOtherCluster();
        String target = PgServers.uniqueName("pgdst");
        try {
            PostgresDatabase src = PgServers.open(MAIN, source);
            Database.Dump dump = src.dump(dir, DumpOptions.defaults());
            assertThat(dump.engine()).isEqualTo("postgresql");
            assertThat(dump.format()).isEqualTo("directory");
            assertThat(dir.resolve("toc.dat")).isRegularFile();

            PostgresDatabase dst = PgServers.open(OTHER, target); // does not exist yet: restore creates it
            dst.restore(dir, dump, RestoreOptions.defaults());
            assertThat(src.fingerprint().differences(dst.fingerprint())).isEmpty();

            PgServers.exec(OTHER, target, "update events set kind = 'viev' where id = 123456");
            assertThat(sourcePrint.differences(dst.fingerprint()))
                    .containsExactly("DATA public.events: same 300000 rows, different content");

            PgServers.exec(OTHER, target, "delete from social.follows where follower = 3; select setval('invoice_no', 4243)");
            assertThat(sourcePrint.differences(dst.fingerprint())).containsExactly(
                    "SCHEMA sequence public.invoice_no: " + sourcePrint.schema().get("sequence public.invoice_no")
                            + " <> " + sourcePrint.schema().get("sequence public.invoice_no").replace("4242", "4243"),
                    "DATA public.events: same 300000 rows, different content",
                    "ROWS social.follows: 3 <> 2");

            // a second restore into the same database is refused: it is not empty
            assertThatThrownBy(() -> dst.restore(dir, dump, RestoreOptions.defaults()))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                    .hasMessageContaining("is not empty").hasMessageContaining("table public.")
                    .hasMessageContaining("--allow-non-empty");
        } finally {
            PgServers.drop(OTHER, target);
        }
    }

    @Test
    void directCopyStreamsIntoTheTargetIdentically() throws Exception {
        PgServers.assumeOtherCluster();
        String target = PgServers.uniqueName("pgcopy");
        try {
            PostgresDatabase dst = PgServers.open(OTHER, target);
            List<Path> pipesBefore = pipeDirs();
            PgServers.open(MAIN, source).copyTo(dst, DumpOptions.defaults(), RestoreOptions.defaults());
            assertThat(sourcePrint.differences(dst.fingerprint())).isEmpty();
            // the dump starts before the target is checked: a refused target stops it and leaves no pipe behind
            assertThatThrownBy(() -> PgServers.open(MAIN, source).copyTo(dst, DumpOptions.defaults(), RestoreOptions.defaults()))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
            for (ProcessHandle p : tools()) {
                p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS); // killed: gone as soon as it is reaped
            }
            assertThat(tools()).isEmpty();
            assertThat(pipeDirs()).as("no pipe of ours left (others may come and go in a shared /tmp)").isSubsetOf(pipesBefore);
        } finally {
            PgServers.drop(OTHER, target);
        }
    }

    @Test
    void aSnapshotTakenDuringWritesRestoresToOnePointInTime(@TempDir Path dir) throws Exception {
        String live = PgServers.uniqueName("pglive");
        String restored = PgServers.uniqueName("pglive_r");
        PgServers.create(MAIN, live);
        try {
            // Every transaction adds a row to ledger and the same amount to totals: in any one snapshot they agree.
            PgServers.exec(MAIN, live, """
                    create table ledger (id bigserial primary key, amount int not null, pad text);
                    create table totals (id int primary key, sum bigint not null);
                    insert into totals values (1, 0);
                    insert into ledger (amount, pad) select 1, repeat('x', 200) from generate_series(1, 200000);
                    update totals set sum = 200000;""");
            Thread writer = new Thread(() -> {
                try (Connection c = PgServers.connect(MAIN, live); Statement st = c.createStatement()) {
                    c.setAutoCommit(false);
                    while (!Thread.currentThread().isInterrupted()) {
                        st.execute("insert into ledger (amount) values (3)");
                        st.execute("update totals set sum = sum + 3 where id = 1");
                        c.commit();
                    }
                } catch (Exception e) {
                    // the test drops the database under it at the end
                }
            });
            writer.start();
            try {
                Thread.sleep(200);
                Database.Dump dump = PgServers.open(MAIN, live).dump(dir, new DumpOptions(2, true, true));
                PgServers.open(MAIN, restored).restore(dir, dump, RestoreOptions.defaults());
            } finally {
                writer.interrupt();
                writer.join(10_000);
            }
            try (Connection c = PgServers.connect(MAIN, restored); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select (select sum(amount) from ledger), (select sum from totals), (select count(*) from ledger)")) {
                rs.next();
                assertThat(rs.getLong(3)).as("writes happened during the dump").isGreaterThan(200_000L);
                assertThat(rs.getLong(1)).isEqualTo(rs.getLong(2));
            }
        } finally {
            PgServers.drop(MAIN, live);
            PgServers.drop(MAIN, restored);
        }
    }

    @Test
    void aCopyOntoAClashingTableNamesPgRestoreAndItsErrorNotTheBrokenPipeOfPgDump() throws Exception {
        String db = PgServers.uniqueName("pgclash");
        String target = PgServers.uniqueName("pgclasht");
        PgServers.create(MAIN, db);
        PgServers.create(MAIN, target);
        try {
            // far more than a pipe holds: pg_dump is still writing when pg_restore stops at the clash
            PgServers.exec(MAIN, db, "create table t as select g as id, md5(g::text) as s from generate_series(1, 300000) g");
            PgServers.exec(MAIN, target, "create table t (other text)");
            assertThatThrownBy(() -> PgServers.open(MAIN, db).copyTo(PgServers.open(MAIN, target), DumpOptions.defaults(),
                    new RestoreOptions(2, true, true, true)))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FAILED))
                    .hasMessageContaining("pg_restore failed").hasMessageContaining("relation \"t\" already exists")
                    .hasMessageNotContaining("pg_dump failed").hasMessageNotContaining("no message");
        } finally {
            PgServers.drop(MAIN, db);
            PgServers.drop(MAIN, target);
        }
    }

    @Test
    void aPasswordFileLogsInBothTheToolsAndTheJdbcSide(@TempDir Path dir) throws Exception {
        PgServers.assumeOtherCluster();
        // .ci/run makes the second cluster ask this role (and only it) for a password (scram)
        PgServers.exec(OTHER, "postgres", """
                do $$ begin
                  if not exists (select from pg_roles where rolname = 'mig_db_pw') then create role mig_db_pw login; end if;
                end $$;
                alter role mig_db_pw password 'Right-Pass-42'""");
        String db = PgServers.uniqueName("pgpwf");
        String target = PgServers.uniqueName("pgpwft");
        PgServers.create(OTHER, db);
        try {
            PgServers.exec(OTHER, db, "create table t (id int); insert into t values (1), (2); alter table t owner to mig_db_pw");
            Path file = Files.writeString(dir.resolve("pw"), "Right-Pass-42\n");
            Database src = new PostgresProviderFactory().database(java.net.URI.create(
                    "postgresql://mig_db_pw@127.0.0.1:" + OTHER + "/" + db + "?password-file=" + file));
            assertThat(src.inventory().tables()).extracting(Database.Table::name).containsExactly("public.t");
            // pg_dump gets it too (PGPASSWORD in its environment only): the copy logs in and verifies
            PostgresDatabase dst = PgServers.open(MAIN, target);
            src.copyTo(dst, DumpOptions.defaults(), RestoreOptions.defaults());
            assertThat(src.fingerprint().differences(dst.fingerprint())).isEmpty();

            Files.writeString(file, "Wrong-Pass-7\n");
            Database wrong = new PostgresProviderFactory().database(java.net.URI.create(
                    "postgresql://mig_db_pw@127.0.0.1:" + OTHER + "/" + db + "?password-file=" + file));
            assertThatThrownBy(wrong::inventory)
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH))
                    .hasMessageNotContaining("Wrong-Pass-7");
        } finally {
            PgServers.drop(OTHER, db);
            PgServers.drop(MAIN, target);
        }
    }

    @Test
    void aDumpIsReadableByItsOwnerOnly(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectories(dir.resolve("dump"));
        Files.setPosixFilePermissions(out, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        PgServers.open(MAIN, source).dump(out, DumpOptions.defaults());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rwx------");
        try (var files = Files.list(out)) {
            List<Path> all = files.toList();
            assertThat(all).hasSizeGreaterThan(2);
            for (Path f : all) {
                assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                        .as(f.toString()).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void wrongPasswordIsReportedAsCredentialsWithoutShowingIt(@TempDir Path dir) throws Exception {
        PgServers.assumeOtherCluster();
        // .ci/run makes the second cluster ask this role (and only it) for a password
        PgServers.exec(OTHER, "postgres", """
                do $$ begin
                  if not exists (select from pg_roles where rolname = 'mig_db_pw') then create role mig_db_pw login; end if;
                end $$;
                alter role mig_db_pw password 'Right-Pass-42'""");
        String db = PgServers.uniqueName("pgpw");
        PgServers.create(OTHER, db);
        try {
            PgServers.exec(OTHER, db, "create table t (id int); insert into t values (1); alter table t owner to mig_db_pw");
            var wrong = new PostgresProviderFactory().database(java.net.URI.create(
                    "postgresql://mig_db_pw:Wrong-Pass-7@127.0.0.1:" + OTHER + "/" + db));
            assertThat(wrong.displayUri()).doesNotContain("Wrong-Pass-7");
            assertThatThrownBy(wrong::inventory)
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH))
                    .hasMessageContaining("mig_db_pw").hasMessageNotContaining("Wrong-Pass-7");

            var right = new PostgresProviderFactory().database(java.net.URI.create(
                    "postgresql://mig_db_pw:Right-Pass-42@127.0.0.1:" + OTHER + "/" + db));
            assertThat(right.inventory().tables()).extracting(Database.Table::name).containsExactly("public.t");
            // the password reaches pg_dump through PGPASSWORD, not an argument
            Database.Dump dump = right.dump(dir, DumpOptions.defaults());
            assertThat(dump.toolVersion()).matches("\\d+\\.\\d+");
        } finally {
            PgServers.drop(OTHER, db);
        }
    }

    @Test
    void ownersOfAnotherHostFailTheRestoreWithoutLeavingAHalfDatabaseAndNoOwnerSucceeds(@TempDir Path dir) throws Exception {
        PgServers.assumeOtherCluster();
        String db = PgServers.uniqueName("pgown");
        String target = PgServers.uniqueName("pgownt");
        PgServers.create(MAIN, db);
        try {
            // a role that exists on the old host only
            PgServers.exec(MAIN, "postgres", """
                    do $$ begin
                      if not exists (select from pg_roles where rolname = 'mig_db_oldhost_owner') then create role mig_db_oldhost_owner; end if;
                    end $$""");
            PgServers.exec(OTHER, "postgres", "drop role if exists mig_db_oldhost_owner");
            PgServers.exec(MAIN, db, "create table a (id int primary key); insert into a select generate_series(1, 1000);"
                    + "create table b (id int); alter table b owner to mig_db_oldhost_owner");
            PostgresDatabase src = PgServers.open(MAIN, db);
            Database.Dump dump = src.dump(dir, new DumpOptions(2, false, false));
            PostgresDatabase dst = PgServers.open(OTHER, target);

            assertThatThrownBy(() -> dst.restore(dir, dump, new RestoreOptions(2, false, false, false)))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FAILED))
                    .hasMessageContaining("pg_restore failed").hasMessageContaining("mig_db_oldhost_owner");
            try (Connection c = PgServers.connect(OTHER, "postgres"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select count(*) from pg_database where datname like '" + target + "%'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("neither the target nor its temporary database is left").isZero();
            }

            dst.restore(dir, dump, RestoreOptions.defaults()); // the same restore with --no-owner
            assertThat(src.fingerprint().differences(dst.fingerprint())).isEmpty();
        } finally {
            PgServers.drop(MAIN, db);
            PgServers.drop(OTHER, target);
            PgServers.exec(MAIN, "postgres", "drop role if exists mig_db_oldhost_owner");
        }
    }

    @Test
    void anInterruptedCopyStopsBothToolsAndLeavesTheTargetEmptyForARerun() throws Exception {
        PgServers.assumeOtherCluster();
        String target = PgServers.uniqueName("pgint");
        try {
            PostgresDatabase dst = PgServers.open(OTHER, target);
            java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
            Thread copy = new Thread(() -> {
                try {
                    PgServers.open(MAIN, source).copyTo(dst, DumpOptions.defaults(), RestoreOptions.defaults());
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            copy.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            List<ProcessHandle> running = tools();
            while (running.size() < 2 && copy.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                running = tools();
            }
            assertThat(running).as("pg_dump and pg_restore are running; copy ended with %s", thrown.get()).isNotEmpty();
            copy.interrupt();
            copy.join(30_000);
            assertThat(thrown.get()).isInstanceOfSatisfying(MigratorException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERRUPTED));
            for (ProcessHandle p : running) {
                p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertThat(tools()).isEmpty();

            // one transaction: nothing of the interrupted copy remains, so the same copy simply runs again
            PgServers.open(MAIN, source).copyTo(dst, DumpOptions.defaults(), RestoreOptions.defaults());
            assertThat(sourcePrint.differences(dst.fingerprint())).isEmpty();
        } finally {
            PgServers.drop(OTHER, target);
        }
    }

    /** The private directories of copies' named pipes in the temporary directory. */
    private static List<Path> pipeDirs() throws java.io.IOException {
        try (java.util.stream.Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("migrator-pipe-")).sorted().toList();
        }
    }

    /** The pg_dump and pg_restore of a copy's pipe (not the short-lived --version checks before it). */
    private static List<ProcessHandle> tools() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/pg_dump") || c.endsWith("/pg_restore")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> !List.of(a).contains("--version")).orElse(false))
                .toList();
    }

    @Test
    void missingOrTooOldToolSaysWhatToInstall(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty-bin"));
        PostgresDatabase noTools = new PostgresDatabase(PgServers.open(MAIN, source).location(), empty);
        Path out = Files.createDirectories(dir.resolve("out"));
        assertThatThrownBy(() -> noTools.dump(out, DumpOptions.defaults()))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("pg_dump").hasMessageContaining("install");

        Path old = Files.createDirectories(dir.resolve("old-bin"));
        Path fake = old.resolve("pg_dump");
        Files.writeString(fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n");
        fake.toFile().setExecutable(true);
        PostgresDatabase oldTools = new PostgresDatabase(PgServers.open(MAIN, source).location(), old);
        assertThatThrownBy(() -> oldTools.dump(out, DumpOptions.defaults()))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("pg_dump 9.6").hasMessageContaining("PostgreSQL 15 server")
                .hasMessageContaining("install pg_dump 15 or later");
    }

    /** copyTo checks the source (pg_dump) and the target (pg_restore) at once; each failure still names its tool. */
    @Test
    void aCopyNamesAMissingOrTooOldToolOfEitherEndAndTheSourcesFirst(@TempDir Path dir) throws Exception {
        PgServers.assumeOtherCluster();
        Path real = null; // found as migrator finds them: per server version, then the PATH
        Path empty = Files.createDirectories(dir.resolve("empty-bin"));
        Path old = Files.createDirectories(dir.resolve("old-bin"));
        for (String tool : List.of("pg_dump", "pg_restore")) {
            Path fake = old.resolve(tool);
            Files.writeString(fake, "#!/bin/sh\necho '" + tool + " (PostgreSQL) 9.6.24'\n");
            fake.toFile().setExecutable(true);
        }
        PgLocation src = PgServers.open(MAIN, source).location();
        String target = PgServers.uniqueName("pgchk");
        PgLocation dst = PgServers.open(OTHER, target).location();
        try {
            assertThatThrownBy(() -> new PostgresDatabase(src, empty).copyTo(new PostgresDatabase(dst, real),
                    DumpOptions.defaults(), RestoreOptions.defaults()))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code().exitCode()).isEqualTo(2))
                    .hasMessageContaining("pg_dump").hasMessageContaining("install");
            assertThatThrownBy(() -> new PostgresDatabase(src, old).copyTo(new PostgresDatabase(dst, real),
                    DumpOptions.defaults(), RestoreOptions.defaults()))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code().exitCode()).isEqualTo(2))
                    .hasMessageContaining("pg_dump 9.6").hasMessageContaining("install pg_dump 15 or later");
            assertThatThrownBy(() -> new PostgresDatabase(src, real).copyTo(new PostgresDatabase(dst, empty),
                    DumpOptions.defaults(), RestoreOptions.defaults()))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code().exitCode()).isEqualTo(2))
                    .hasMessageContaining("pg_restore").hasMessageContaining("install");
            assertThatThrownBy(() -> new PostgresDatabase(src, real).copyTo(new PostgresDatabase(dst, old),
                    DumpOptions.defaults(), RestoreOptions.defaults()))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code().exitCode()).isEqualTo(2))
                    .hasMessageContaining("pg_restore 9.6").hasMessageContaining("install pg_restore 15 or later");

            // both ends fail: the source's failure is the one reported, the target's rides along as suppressed
            PgServers.exec(OTHER, target, "create table clash (id int)");
            assertThatThrownBy(() -> new PostgresDatabase(src, empty).copyTo(new PostgresDatabase(dst, real),
                    DumpOptions.defaults(), RestoreOptions.defaults()))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.getSuppressed()).singleElement().isInstanceOfSatisfying(MigratorException.class,
                                s -> assertThat(s.code()).isEqualTo(ErrorCode.CONFLICT));
                    })
                    .hasMessageContaining("pg_dump");
        } finally {
            PgServers.drop(OTHER, target);
        }
    }

    @Test
    void aMissingSourceDatabaseIsNamed() {
        assertThatThrownBy(() -> PgServers.open(MAIN, "mig_db_no_such_db").inventory())
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("mig_db_no_such_db").hasMessageContaining("does not exist");
    }

    @Test
    void aMySqlTargetIsRefused() {
        Database other = new Database() {
            public String displayUri() { return "mysql://x@h/db"; }
            public String engine() { return "mysql"; }
            public Inventory inventory() { throw new UnsupportedOperationException(); }
            public Dump dump(Path d, DumpOptions o) { throw new UnsupportedOperationException(); }
            public void restore(Path d, Dump dump, RestoreOptions o) { throw new UnsupportedOperationException(); }
            public void copyTo(Database t, DumpOptions d, RestoreOptions r) { throw new UnsupportedOperationException(); }
            public Fingerprint fingerprint() { throw new UnsupportedOperationException(); }
            public void close() { }
        };
        assertThatThrownBy(() -> PgServers.open(MAIN, source).copyTo(other, DumpOptions.defaults(), RestoreOptions.defaults()))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("same engine");
    }
}
