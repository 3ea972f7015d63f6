package dev.migrator.provider.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Database;
import dev.migrator.provider.Databases;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Replication;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Binlog replication against the real MariaDB with the binlog on (3307): snapshot copy, catch-up of every kind of
 * change, the cut-over, refusals (a keyless table; the 3306 server, whose binlog is off), DDL, and kill -9 while
 * streaming.
 */
class MysqlReplicationTest {
    String source;
    final List<String> targets = new ArrayList<>();

    @BeforeEach
    void createSource() throws Exception {
        BinlogServer.assumeRunning();
        source = MysqlServer.uniqueName("replsrc");
        BinlogServer.exec("", "create database " + source + " character set utf8mb4");
    }

    /** A small database: a keyed table and a log table (the tests that need the whole microblog load it). */
    private void small() throws Exception {
        BinlogServer.exec(source, "create table events (id int not null primary key, kind varchar(10) not null, payload varchar(64),"
                + " at datetime not null)", "create table audit (id int not null auto_increment primary key, note varchar(100))",
                "insert into events select seq, 'view', md5(seq), '2026-01-01' from seq_1_to_6000",
                "create table posts (id int primary key, likes int not null default 0, body text)",
                "insert into posts (id, body) select seq, concat('post ', seq) from seq_1_to_100");
    }

    @AfterEach
    void dropAll() throws Exception {
        if (source == null) {
            return;
        }
        for (String t : targets) {
            try (Database to = BinlogServer.open(t)) {
                for (Replication.Slot s : to.replicationSlots()) {
                    if (s.database().endsWith("/" + source)) {
                        to.dropReplicationSlot(s.name());
                    }
                }
            }
            BinlogServer.exec("", "drop database if exists " + t);
        }
        BinlogServer.exec("", "drop database if exists " + source);
    }

    private String target() {
        String name = MysqlServer.uniqueName("repldst");
        targets.add(name);
        return name;
    }

    private static Replication replicate(Database src, Database dst) {
        return src.replicateTo(dst, new Replication.Options(2, true, true, 1L << 30));
    }

    @Test
    void catchesUpInsertsUpdatesDeletesTruncatesALargeTransactionAndAutoIncrement() throws Exception {
        BinlogServer.load(source, "microblog-mysql.sql");
        String dst = target();
        List<String> phases = new ArrayList<>();
        try (Database src = BinlogServer.open(source); Database to = BinlogServer.open(dst); Replication r = replicate(src, to)) {
            String started = r.start(l -> phases.add(l.phase()));
            System.out.println(started);
            assertThat(started).contains("snapshot copy of 5 tables").contains(r.slot());
            assertThat(phases).anyMatch(p -> p.startsWith("snapshot at ")).anyMatch(p -> p.startsWith("data: events ["));
            // right after the copy the rows are equal (triggers and events come with the cut-over)
            assertThat(BinlogServer.value(dst, "select count(*) from events")).isEqualTo(300_000);
            BinlogServer.exec(source,
                    "insert into users (handle, display_name, bio, avatar, settings, mood, flags, created_at, birthday, balance, score, active)"
                            + " values ('dave', 'Dävé ✓', 'x', x'00ff10', '{\"a\": 1}', 'sad', 'admin', '2026-02-03 04:05:06', '1999-12-31',"
                            + " 123.45, 2.5e-10, b'0')",   // the source's trigger writes audit: the binlog carries both
                    "update users set bio = 'changed', score = -0.5, active = b'1' where handle = 'bob'",
                    "update events set id = 900000 where id = 30",                         // the key changes
                    "update events set payload = 'edited' where id between 10 and 20",
                    "delete from events where id between 40 and 45",
                    "delete from follows where followee = 5000",
                    "delete from users where handle = 'alice'",                             // FK cascade deletes her follows
                    "truncate table audit",
                    "insert into audit (note) values ('after the truncate')",
                    "insert into follows values (5001, 5002, '2026-03-01 10:00:00.5')",
                    "insert into posts (id, author_id, body, posted_on) values (5000, 5001, 'hello', '2026-03-01')");
            // one large transaction: 60,000 rows, many apply batches, and an update of 300,000 rows' worth of keys
            BinlogServer.exec(source, "begin", "insert into events (id, kind, at) select 400000 + seq, 'bulk', '2026-01-01'"
                    + " from seq_1_to_60000", "update events set kind = 'big' where id between 100 and 20100", "commit");
            Replication.Lag lag = r.drain(l -> { });
            assertThat(lag.transactions()).isGreaterThanOrEqualTo(10);
            assertThat(BinlogServer.value(dst, "select count(*) from events")).isEqualTo(BinlogServer.value(source, "select count(*) from events"));
            assertThat(BinlogServer.value(dst, "select count(*) from follows")).isEqualTo(BinlogServer.value(source, "select count(*) from follows"));
            assertThat(BinlogServer.value(dst, "select count(*) from audit")).isEqualTo(1);

            BinlogServer.exec(source, "insert into audit (note) values ('at the freeze')", "truncate audit",
                    "insert into audit (note) values ('after it')", "update posts set likes = 99 where id = 7",
                    "update events set kind = 'last' where id = 8");
            long t0 = System.nanoTime();
            Replication.Cutover cut = r.cutover(l -> { });
            System.out.printf("cut-over took %.2f s: %s%n", (System.nanoTime() - t0) / 1e9, cut.checked());
            assertThat(cut.differences()).isEmpty();
            assertThat(cut.checked()).anyMatch(c -> c.startsWith("AUTO_INCREMENT counters set"))
                    .anyMatch(c -> c.startsWith("posts: ") && c.contains("changed rows compared"))
                    .anyMatch(c -> c.startsWith("audit: whole table compared"))
                    .anyMatch(c -> c.startsWith("replication position"));
            assertThat(to.replicationSlots()).noneMatch(s -> s.name().equals(r.slot()));
            Databases.Comparison full = Databases.compare(src, to);
            assertThat(full.differences()).isEmpty(); // schema (triggers, events, AUTO_INCREMENT) and every row
            assertThat(full.targetRows()).isGreaterThan(360_000);
            // the deferred trigger works on the new primary
            BinlogServer.exec(dst, "insert into users (handle) values ('erin')");
            assertThat(BinlogServer.value(dst, "select count(*) from audit where note = 'new user erin'")).isEqualTo(1);
        }
    }

    /** The snapshot copy streams rows as LOAD DATA text: every byte that means something to that format survives. */
    @Test
    void snapshotCopyCarriesValuesThatLookLikeTheLoadFormatByteForByte() throws Exception {
        BinlogServer.exec(source, "create table odd (id int primary key, s varchar(40), l varchar(20) character set latin1,"
                + " b varbinary(16), bits bit(10), j json, g point, d decimal(30,10), f double, ts timestamp(6) null, t time(3),"
                + " y year, e enum('a', 'b\\tc'), st set('x', 'y'), doubled int as (id * 2) stored, blank text)",
                "insert into odd (id, s, l, b, bits, j, g, d, f, ts, t, y, e, st, blank) values"
                        + " (1, 'tab\\there', 'caf\u00e9', x'00090a5c4eff', b'1010101010', '{\"k\": \"\\\\\\\\N\"}', point(1.5, -2),"
                        + " -12345678901234567890.0123456789, 1e-300, '2026-01-02 03:04:05.000019', '-838:59:59.999', 2155, 'b\\tc',"
                        + " 'x,y', ''),"
                        + " (2, 'line\\nbreak\\\\ and \\\\N', '', '', b'0', null, null, 0, -0.0, null, '00:00:00', 1901, 'a', '', null),"
                        + " (3, '\\\\N', null, null, null, 'null', point(0, 0), null, null, '1970-01-01 00:00:01', null, null, null,"
                        + " null, '\u2713 \ud83d\ude00 \\r\\n'),"
                        + " (4, null, null, x'5c', b'1111111111', '[]', null, 1, 2, null, null, null, null, null, '\\\\')");
        String dst = target();
        try (Database src = BinlogServer.open(source); Database to = BinlogServer.open(dst); Replication r = replicate(src, to)) {
            assertThat(r.start(l -> { })).contains("snapshot copy of 1 tables, 4 rows");
            String row = "select group_concat(concat_ws('|', id, hex(s), hex(l), hex(b), bin(bits), hex(j), hex(g), d, f, ts, t, y,"
                    + " hex(e), st, doubled, hex(blank), isnull(s), isnull(b), isnull(blank)) order by id separator ';') from odd";
            String want;
            String got;
            try (var a = BinlogServer.connect(source); var qa = a.createStatement(); var ra = qa.executeQuery(row);
                 var b = BinlogServer.connect(dst); var qb = b.createStatement(); var rb = qb.executeQuery(row)) {
                ra.next();
                rb.next();
                want = ra.getString(1);
                got = rb.getString(1);
            }
            assertThat(want).contains("00090A5C4EFF").contains("5C4E"); // the source holds what the test means
            assertThat(got).isEqualTo(want);
            assertThat(Databases.compare(src, to).differences()).isEmpty();
        }
    }

    @Test
    void refusesTablesWithoutAKeyBeforeCreatingAnything() throws Exception {
        BinlogServer.exec(source, "create table nokey (a int, b text)", "create table nullable_unique (a int unique, b int)");
        String dst = target();
        try (Database src = BinlogServer.open(source); Database to = BinlogServer.open(dst); Replication r = replicate(src, to)) {
            assertThatThrownBy(() -> r.start(l -> { }))
                    .isInstanceOf(MigratorException.class)
                    .satisfies(e -> assertThat(((MigratorException) e).code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining("2 table(s) have no primary key")
                    .hasMessageContaining("nokey, nullable_unique")
                    .hasMessageContaining("ADD PRIMARY KEY");
            assertThat(((MysqlDatabase) to).databaseExists()).isFalse();
            assertThat(to.replicationSlots()).noneMatch(s -> s.name().equals(r.slot()));
        }
    }

    @Test
    void refusesASourceWhoseBinlogIsOffNamingTheSetting() throws Exception {
        String db = MysqlServer.uniqueName("nobinlog");
        MysqlServer.create(db);
        try (Database src = MysqlServer.open(db); Database to = BinlogServer.open(target()); Replication r = replicate(src, to)) {
            assertThatThrownBy(() -> r.start(l -> { }))
                    .isInstanceOf(MigratorException.class)
                    .satisfies(e -> assertThat(((MigratorException) e).code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining("log_bin is OFF")
                    .hasMessageContaining("my.cnf")
                    .hasMessageNotContaining("Exception");
        } finally {
            MysqlServer.drop(db);
        }
    }

    @Test
    void ddlAtTheSourceStopsTheStreamAndIsReportedAtTheCutover() throws Exception {
        small();
        String dst = target();
        try (Database src = BinlogServer.open(source); Database to = BinlogServer.open(dst); Replication r = replicate(src, to)) {
            r.start(l -> { });
            BinlogServer.exec(source, "update posts set likes = 1 where id = 3", "alter table posts add column extra int",
                    "update posts set extra = 5 where id = 4");
            assertThatThrownBy(() -> r.drain(l -> { }))
                    .hasMessageContaining("schema changed during replication")
                    .hasMessageContaining("alter table posts add column extra int");
            Replication.Cutover cut = r.cutover(l -> { });
            assertThat(cut.differences()).anyMatch(d -> d.contains("schema changed during replication") && d.contains("alter table posts"));
            assertThat(to.replicationSlots()).anyMatch(s -> s.name().equals(r.slot())); // kept: nothing is forgotten on a failed check
            // the change before the DDL was applied, the one after was not
            assertThat(BinlogServer.value(dst, "select likes from posts where id = 3")).isEqualTo(1);
        }
    }

    @Test
    void killMinus9WhileStreamingThenResumeLosesAndDuplicatesNothing() throws Exception {
        small();
        String dst = target();
        try (Database src = BinlogServer.open(source); Database to = BinlogServer.open(dst); Replication r = replicate(src, to)) {
            r.start(l -> { });
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                try (Connection c = BinlogServer.connect(source); Statement st = c.createStatement()) {
                    for (int i = 0; writing.get(); i++) {
                        st.execute("begin");
                        st.execute("insert into events (id, kind, at) select " + (1_000_000 + i * 50) + " + seq, 'w', now() from seq_1_to_50");
                        st.execute("update events set payload = concat('n', " + i + ") where id = " + (1 + i % 4000));
                        st.execute("delete from events where id = " + (5000 + i));
                        st.execute("insert into audit (note) values ('tick " + i + "')");
                        st.execute("commit");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), MysqlFollowMain.class.getName(), BinlogServer.uri(source),
                    BinlogServer.uri(dst)).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                long applied = 0;
                List<String> said = new ArrayList<>();
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    said.add(line);
                    if (line.startsWith("applied ")) {
                        applied = Long.parseLong(line.substring(8));
                        if (applied >= 20) {
                            break;
                        }
                    }
                }
                assertThat(applied).as("the child applied transactions before it was killed: %s", said).isGreaterThanOrEqualTo(20);
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            Thread.sleep(500);
            writing.set(false);
            writer.join();
            Replication.Cutover cut = r.cutover(l -> { });
            assertThat(cut.differences()).isEmpty();
            assertThat(Databases.compare(src, to).differences()).isEmpty();
            assertThat(BinlogServer.value(dst, "select count(*) from audit where note like 'tick %'"))
                    .isEqualTo(BinlogServer.value(source, "select count(*) from audit where note like 'tick %'"))
                    .isGreaterThan(20);
        }
    }
}
