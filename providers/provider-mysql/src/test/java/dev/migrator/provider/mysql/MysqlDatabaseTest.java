package dev.migrator.provider.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Database;
import dev.migrator.provider.Database.DumpOptions;
import dev.migrator.provider.Database.RestoreOptions;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Fingerprint;
import dev.migrator.provider.MigratorException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot, restore, direct copy and verify against the real MariaDB server. */
class MysqlDatabaseTest {
    static String source;
    static Fingerprint sourcePrint;

    @BeforeAll
    static void loadSource() throws Exception {
        source = MysqlServer.uniqueName("mysrc");
        MysqlServer.create(source);
        MysqlServer.load(source, "microblog-mysql.sql");
        // InnoDB updates the table statistics the inventory reads in the background after a bulk load; right after
        // the load they may still say 0 rows for the big table (seen once in CI). Update them now, as a DBA would.
        try (Connection c = MysqlServer.connect(source); Statement st = c.createStatement()) {
            st.execute("analyze table events, posts, users, follows");
        }
        sourcePrint = MysqlServer.open(source).fingerprint();
    }

    @AfterAll
    static void dropSource() {
        MysqlServer.drop(source);
    }

    @Test
    void fingerprintSeesEveryKindOfObjectAndTheData() {
        assertThat(sourcePrint.schema()).containsKeys("table users", "table posts", "table follows", "table events",
                "view popular", "index users.handle", "index events.events_kind_at", "constraint follows.follows_follower",
                "constraint users.handle_chars", "function like_count", "procedure add_like", "trigger users.users_audit",
                "event nightly_cleanup");
        assertThat(sourcePrint.schema().get("table users")).contains("auto_increment 5003").contains("comment 'People who post'")
                .contains("`mood` enum('happy','sad','ünïcödé')");
        assertThat(sourcePrint.schema().get("constraint follows.follows_follower"))
                .isEqualTo("foreign key (follower) references users (id) on update RESTRICT on delete CASCADE");
        assertThat(sourcePrint.schema().get("view popular")).doesNotContain(source);
        assertThat(sourcePrint.tables().get("events").rows()).isEqualTo(300_000);
        assertThat(sourcePrint.tables().get("posts").rows()).isEqualTo(2000);
        assertThat(sourcePrint.tables().get("audit").rows()).isEqualTo(3);
        assertThat(sourcePrint.tables()).doesNotContainKey("popular");
    }

    @Test
    void inventoryListsTablesBiggestFirst() {
        Database.Inventory inv = MysqlServer.open(source).inventory();
        assertThat(inv.tables().get(0).name()).isEqualTo("events");
        assertThat(inv.tables().get(0).rowEstimate()).isBetween(200_000L, 400_000L);
        assertThat(inv.bytes()).isGreaterThan(10_000_000L);
    }

    @Test
    void snapshotRestoresIntoAnotherDatabaseIdenticallyAndVerifyFindsOneChangedRow(@TempDir Path dir) throws Exception {
        String target = MysqlServer.uniqueName("mydst");
        try {
            MysqlDatabase src = MysqlServer.open(source);
            Database.Dump dump = src.dump(dir, DumpOptions.defaults());
            assertThat(dump.engine()).isEqualTo("mysql");
            assertThat(dump.tool()).isEqualTo("mariadb-dump");
            assertThat(Files.readString(dir.resolve("dump.sql"))).doesNotContain("DEFINER=").contains("CREATE TABLE `events`");
            try (var files = Files.list(dir)) {
                assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("dump.sql");
            }

            MysqlDatabase dst = MysqlServer.open(target); // does not exist yet: restore creates it
            dst.restore(dir, dump, RestoreOptions.defaults());
            assertThat(sourcePrint.differences(dst.fingerprint())).isEmpty();

            MysqlServer.exec(target, "update events set kind = 'viev' where id = 123456");
            assertThat(sourcePrint.differences(dst.fingerprint()))
                    .containsExactly("DATA events: same 300000 rows, different content");
            MysqlServer.exec(target, "delete from follows where follower = 5002", "update users set bio = 'x' where bio is null and handle = 'bob'");
            assertThat(sourcePrint.differences(dst.fingerprint())).containsExactly(
                    "DATA events: same 300000 rows, different content", "ROWS follows: 3 <> 2",
                    "DATA users: same 3 rows, different content");

            assertThatThrownBy(() -> dst.restore(dir, dump, RestoreOptions.defaults()))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                    .hasMessageContaining("is not empty").hasMessageContaining("table ").hasMessageContaining("--allow-non-empty");
        } finally {
            MysqlServer.drop(target);
        }
    }

    @Test
    void directCopyStreamsIntoTheTargetIdentically() {
        for (boolean noOwner : new boolean[] {true, false}) {
            String target = MysqlServer.uniqueName("mycopy");
            try {
                MysqlDatabase dst = MysqlServer.open(target);
                MysqlServer.open(source).copyTo(dst, new DumpOptions(2, noOwner, true), new RestoreOptions(2, noOwner, true, false));
                assertThat(sourcePrint.differences(dst.fingerprint())).as("noOwner=" + noOwner).isEmpty();
            } finally {
                MysqlServer.drop(target);
            }
        }
    }

    @Test
    void aSnapshotTakenDuringWritesRestoresToOnePointInTime(@TempDir Path dir) throws Exception {
        String live = MysqlServer.uniqueName("mylive");
        String restored = MysqlServer.uniqueName("mylive_r");
        MysqlServer.create(live);
        try {
            MysqlServer.exec(live,
                    "create table ledger (id bigint auto_increment primary key, amount int not null, pad varchar(200)) engine=InnoDB",
                    "create table totals (id int primary key, total bigint not null) engine=InnoDB",
                    "insert into ledger (amount, pad) select 1, repeat('x', 200) from seq_1_to_200000",
                    "insert into totals values (1, 200000)");
            Thread writer = new Thread(() -> {
                try (Connection c = MysqlServer.connect(live); Statement st = c.createStatement()) {
                    c.setAutoCommit(false);
                    while (!Thread.currentThread().isInterrupted()) {
                        st.execute("insert into ledger (amount) values (3)");
                        st.execute("update totals set total = total + 3 where id = 1");
                        c.commit();
                    }
                } catch (Exception e) {
                    // stops when interrupted or when the database goes away
                }
            });
            writer.start();
            try {
                Thread.sleep(200);
                Database.Dump dump = MysqlServer.open(live).dump(dir, DumpOptions.defaults());
                MysqlServer.open(restored).restore(dir, dump, RestoreOptions.defaults());
            } finally {
                writer.interrupt();
                writer.join(10_000);
            }
            try (Connection c = MysqlServer.connect(restored); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select (select sum(amount) from ledger), (select total from totals), (select count(*) from ledger)")) {
                rs.next();
                assertThat(rs.getLong(3)).as("writes happened during the dump").isGreaterThan(200_000L);
                assertThat(rs.getLong(1)).isEqualTo(rs.getLong(2));
            }
        } finally {
            MysqlServer.drop(live);
            MysqlServer.drop(restored);
        }
    }

    @Test
    void aCopyOntoAClashingTableNamesTheClientAndItsErrorNotTheBrokenPipeOfTheDump() throws Exception {
        String db = MysqlServer.uniqueName("myclash");
        String target = MysqlServer.uniqueName("myclasht");
        MysqlServer.create(db);
        MysqlServer.create(target);
        try {
            // far more than a pipe holds: the dump is still writing when the client stops at the clash
            MysqlServer.exec(db, "create table t (id int primary key, s char(32))",
                    "insert into t select seq, md5(seq) from seq_1_to_300000");
            MysqlServer.exec(target, "create table t (other text)");
            // with --no-owner the bytes pass through the definer filter in this process, with --owner through a pipe
            for (boolean noOwner : new boolean[] {true, false}) {
                assertThatThrownBy(() -> MysqlServer.open(db).copyTo(MysqlServer.open(target), new DumpOptions(1, noOwner, true),
                        new RestoreOptions(1, noOwner, true, true)))
                        .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FAILED))
                        .hasMessageContaining("mariadb failed").hasMessageContaining("already exists")
                        .hasMessageNotContaining("mariadb-dump failed").hasMessageNotContaining("no message");
            }
        } finally {
            MysqlServer.drop(db);
            MysqlServer.drop(target);
        }
    }

    @Test
    void aPasswordFileLogsInTheToolsWithNoOptionFileOnDiskAndTheDumpIsPrivate(@TempDir Path dir) throws Exception {
        String db = MysqlServer.uniqueName("mypwf");
        String target = MysqlServer.uniqueName("mypwft");
        String target2 = MysqlServer.uniqueName("mypwfu");
        MysqlServer.create(db);
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.Set<String> before = optionFiles(tmp);
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        // watches the temporary directory for a client option file while the tools run
        Thread watcher = new Thread(() -> {
            while (!done.get()) {
                optionFiles(tmp).stream().filter(n -> !before.contains(n)).forEach(seen::add);
            }
        });
        try {
            MysqlServer.exec("", "create user if not exists 'mig_db_pwf'@'%' identified by 'File-Pass-42'",
                    "grant all on `mig_db_mypwf%`.* to 'mig_db_pwf'@'%'");
            MysqlServer.exec(db, "create table t (id int primary key, s char(32))", "insert into t select seq, md5(seq) from seq_1_to_50000");
            Path file = Files.writeString(dir.resolve("pw"), "File-Pass-42\n");
            java.util.function.Function<String, MysqlDatabase> open = name -> (MysqlDatabase) new MysqlProviderFactory()
                    .database(URI.create("mysql://mig_db_pwf@127.0.0.1:3306/" + name + "?password-file=" + file));
            watcher.start();
            MysqlDatabase src = open.apply(db);
            Path out = Files.createDirectories(dir.resolve("dump"));
            Database.Dump dump = src.dump(out, DumpOptions.defaults());
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rwx------");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("dump.sql"))))
                    .isEqualTo("rw-------");
            assertThat(Files.readString(out.resolve("dump.sql"))).contains("INSERT INTO `t` VALUES").doesNotContain("File-Pass-42");
            MysqlDatabase dst = open.apply(target);
            dst.restore(out, dump, new RestoreOptions(1, false, true, false)); // the client reads the file itself
            src.copyTo(open.apply(target2), DumpOptions.defaults(), RestoreOptions.defaults()); // through the definer filter
            assertThat(src.fingerprint().differences(dst.fingerprint())).isEmpty();
            assertThat(src.fingerprint().differences(open.apply(target2).fingerprint())).isEmpty();
        } finally {
            done.set(true);
            watcher.join(10_000);
            MysqlServer.exec("", "drop user if exists 'mig_db_pwf'@'%'");
            MysqlServer.drop(db);
            MysqlServer.drop(target);
            MysqlServer.drop(target2);
        }
        assertThat(seen).as("client option files that appeared in " + tmp).isEmpty();
    }

    private static java.util.Set<String> optionFiles(Path tmp) {
        try (var files = Files.list(tmp)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("migrator-client-"))
                    .collect(java.util.stream.Collectors.toSet());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return java.util.Set.of(); // a file vanished while listing: look again
        }
    }

    @Test
    void wrongPasswordIsReportedAsCredentialsWithoutShowingIt(@TempDir Path dir) throws Exception {
        String db = MysqlServer.uniqueName("mypw");
        MysqlServer.create(db);
        try {
            MysqlServer.exec("", "create user if not exists 'mig_db_pw'@'%' identified by 'Right-Pass-42'",
                    "grant all on " + db + ".* to 'mig_db_pw'@'%'");
            MysqlServer.exec(db, "create table t (id int primary key)", "insert into t values (1)");
            Database wrong = new MysqlProviderFactory().database(URI.create("mysql://mig_db_pw:Wrong-Pass-7@127.0.0.1:3306/" + db));
            assertThat(wrong.displayUri()).doesNotContain("Wrong-Pass-7");
            assertThatThrownBy(wrong::inventory)
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH))
                    .hasMessageContaining("mig_db_pw").hasMessageNotContaining("Wrong-Pass-7");

            Database right = new MysqlProviderFactory().database(URI.create("mariadb://mig_db_pw:Right-Pass-42@127.0.0.1:3306/" + db));
            assertThat(right.inventory().tables()).extracting(Database.Table::name).containsExactly("t");
            // the password reaches the tool in its environment (MYSQL_PWD)
            Database.Dump dump = right.dump(dir, DumpOptions.defaults());
            assertThat(Files.readString(dir.resolve("dump.sql"))).contains("INSERT INTO `t` VALUES").doesNotContain("Right-Pass-42");
            assertThat(dump.toolVersion()).matches("\\d+\\.\\d+\\.\\d+");
        } finally {
            MysqlServer.exec("", "drop user if exists 'mig_db_pw'@'%'");
            MysqlServer.drop(db);
        }
    }

    @Test
    void aFailedRestoreDropsTheDatabaseItCreatedSoTheSameCommandCanRunAgain(@TempDir Path dir) throws Exception {
        String db = MysqlServer.uniqueName("myfail");
        String target = MysqlServer.uniqueName("myfailt");
        MysqlServer.create(db);
        try {
            MysqlServer.exec(db, "create table t (id int primary key, v varchar(10))", "insert into t values (1, 'a'), (2, 'b')");
            Database.Dump dump = MysqlServer.open(db).dump(dir, DumpOptions.defaults());
            Path file = dir.resolve("dump.sql");
            String good = Files.readString(file);
            Files.writeString(file, good + "\nTHIS IS NOT SQL;\n"); // a damaged dump: fails after the table is created
            MysqlDatabase dst = MysqlServer.open(target);
            assertThatThrownBy(() -> dst.restore(dir, dump, RestoreOptions.defaults()))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FAILED))
                    .hasMessageContaining("mariadb failed").hasMessageContaining("ERROR 1064");
            try (Connection c = MysqlServer.connect(""); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select count(*) from information_schema.schemata where schema_name = '" + target + "'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
            Files.writeString(file, good);
            dst.restore(dir, dump, RestoreOptions.defaults());
            assertThat(MysqlServer.open(db).fingerprint().differences(dst.fingerprint())).isEmpty();
        } finally {
            MysqlServer.drop(db);
            MysqlServer.drop(target);
        }
    }

    @Test
    void missingToolSaysWhatToInstall(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty-bin"));
        MysqlDatabase noTools = new MysqlDatabase(MysqlServer.open(source).location(), empty);
        Path out = Files.createDirectories(dir.resolve("out"));
        assertThatThrownBy(() -> noTools.dump(out, DumpOptions.defaults()))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("mariadb-dump").hasMessageContaining("install");
    }

    @Test
    void aMissingDatabaseIsNamed() {
        assertThatThrownBy(() -> MysqlServer.open("mig_db_no_such_db").inventory())
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("mig_db_no_such_db");
    }
}
