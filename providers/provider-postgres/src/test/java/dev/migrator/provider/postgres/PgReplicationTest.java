package dev.migrator.provider.postgres;

import static dev.migrator.provider.postgres.PgServers.LOGICAL;
import static dev.migrator.provider.postgres.PgServers.OTHER;
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
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Logical replication against the real cluster with wal_level=logical (5434): snapshot copy, catch-up of every kind
 * of change, the cut-over, refusals, slot cleanup, and kill -9 while streaming.
 */
class PgReplicationTest {
    String source;
    final List<String[]> targets = new ArrayList<>();

    @BeforeEach
    void createSource() throws Exception {
        PgServers.assumeLogicalCluster();
        source = PgServers.uniqueName("replsrc");
        PgServers.create(LOGICAL, source);
        PgServers.exec(LOGICAL, source, """
                create schema social;
                create table social.follows (follower bigint, followee bigint, primary key (follower, followee));
                create sequence invoice_no start 4000;
                create table users (id bigserial primary key, score int);
                insert into users (score) values (1), (2), (3);
                create table items (id bigserial primary key, name text not null, big text, n int);
                insert into items (name, big, n) select 'item ' || g, case when g % 100 = 0 then repeat(md5(g::text), 400) end, g
                from generate_series(1, 5000) g;
                create table log (at timestamptz not null default now(), line text);
                alter table log replica identity full;
                insert into log (line) select 'line ' || g from generate_series(1, 100) g;
                """);
    }

    @AfterEach
    void dropAll() {
        if (source == null) {
            return;
        }
        try (Database src = PgServers.open(LOGICAL, source)) {
            for (Replication.Slot s : src.replicationSlots()) {
                if (s.database().equals(source)) {
                    src.dropReplicationSlot(s.name());
                }
            }
        }
        for (String[] t : targets) {
            dropOrigins(Integer.parseInt(t[0]));
            PgServers.drop(Integer.parseInt(t[0]), t[1]);
            PgServers.drop(Integer.parseInt(t[0]), t[1] + "_migrator_partial");
        }
        PgServers.drop(LOGICAL, source);
    }

    private static void dropOrigins(int port) {
        try (Connection c = PgServers.connect(port, "postgres"); Statement st = c.createStatement()) {
            // only origins of slots that no longer exist anywhere in this test: migrator_ names with no slot left
            st.execute("select pg_replication_origin_drop(roname) from pg_replication_origin o where roname like 'migrator\\_%'"
                    + " and not exists (select 1 from pg_replication_slots s where s.slot_name = o.roname)"
                    + " and " + (port == LOGICAL ? "true" : "true"));
        } catch (Exception e) {
            // the next run cleans up
        }
    }

    private String target(int port) {
        String name = PgServers.uniqueName("repldst");
        targets.add(new String[] {Integer.toString(port), name});
        return name;
    }

    private static Replication replicate(Database src, Database dst) {
        return src.replicateTo(dst, new Replication.Options(2, true, true, 1L << 30));
    }

    @Test
    void catchesUpInsertsUpdatesDeletesTruncatesALargeTransactionAndSequences() throws Exception {
        PgServers.assumeOtherCluster();
        // the microblog schema: partitions, identity columns, views, a materialized view, enums, domains, triggers
        PgServers.exec(LOGICAL, source, "drop schema social cascade; drop table users; drop sequence invoice_no;");
        PgServers.exec(LOGICAL, source, PgServers.resource("microblog.sql"));
        String dst = target(OTHER);
        List<String> phases = new ArrayList<>();
        try (Database src = PgServers.open(LOGICAL, source); Database to = PgServers.open(OTHER, dst);
             Replication r = replicate(src, to)) {
            String started = r.start(l -> phases.add(l.phase()));
            assertThat(started).contains("snapshot copy of").contains(r.slot());
            assertThat(phases).anyMatch(p -> p.startsWith("data:")).anyMatch(p -> p.contains("post-data"));
            // right after the copy (nothing changed yet) the target equals the source but for sequence values
            PgServers.exec(LOGICAL, source, """
                    insert into items (name, n) values ('new', 1), ('newer', 2);
                    update items set n = n + 1000 where id between 10 and 20;
                    update items set n = -1 where id = 100;            -- a row with a TOASTed value left unchanged
                    update items set id = 900000 where id = 30;        -- the key changes
                    delete from items where id between 40 and 45;
                    truncate social.follows;
                    insert into social.follows (follower, followee) values (2, 3);
                    insert into posts (author_id, body, posted_on) values (1, 'hello', '2026-03-01');
                    insert into log (line) values ('after the copy');
                    delete from log where line = 'line 7';
                    update log set line = 'changed' where line = 'line 8';
                    select nextval('invoice_no'), nextval('invoice_no');
                    """);
            // one large transaction: 60,000 rows, more than one apply batch
            PgServers.exec(LOGICAL, source, "begin; insert into items (name, n) select 'bulk', g from generate_series(1, 60000) g;"
                    + " update items set big = repeat('x', 5000) where id = 5; commit;");
            Replication.Lag lag = r.drain(l -> { });
            assertThat(lag.transactions()).isGreaterThanOrEqualTo(3);
            assertThat(count(OTHER, dst, "select count(*) from items")).isEqualTo(count(LOGICAL, source, "select count(*) from items"));
            assertThat(count(OTHER, dst, "select n from items where id = 100")).isEqualTo(-1);
            assertThat(count(OTHER, dst, "select length(big) from items where id = 100")).isEqualTo(32 * 400);

            PgServers.exec(LOGICAL, source, "insert into items (name) values ('at the freeze'); update users set score = 99;");
            long t0 = System.nanoTime();
            Replication.Cutover cut = r.cutover(l -> { });
            System.out.printf("cut-over took %.2f s: %s%n", (System.nanoTime() - t0) / 1e9, cut.checked());
            assertThat(cut.differences()).isEmpty();
            assertThat(cut.checked()).anyMatch(c -> c.startsWith("sequences set"))
                    .anyMatch(c -> c.contains("\"items\"") && c.contains("changed rows compared"))
                    .anyMatch(c -> c.startsWith("slot and publication"));
            assertThat(src.replicationSlots()).noneMatch(s -> s.name().equals(r.slot()));
            Databases.Comparison full = Databases.compare(src, to);
            assertThat(full.differences()).isEmpty();
            assertThat(full.targetRows()).isGreaterThan(60_000);
        }
    }

    @Test
    void refusesTablesWithoutAKeyBeforeCreatingAnything() throws Exception {
        PgServers.exec(LOGICAL, source, "create table nokey (a int, b text); create table social.nokey2 (x int);");
        String dst = target(LOGICAL);
        try (Database src = PgServers.open(LOGICAL, source); Database to = PgServers.open(LOGICAL, dst);
             Replication r = replicate(src, to)) {
            assertThatThrownBy(() -> r.start(l -> { }))
                    .isInstanceOf(MigratorException.class)
                    .satisfies(e -> assertThat(((MigratorException) e).code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining("2 table(s) have no primary key")
                    .hasMessageContaining("public.nokey, social.nokey2")
                    .hasMessageContaining("REPLICA IDENTITY FULL");
            assertThat(src.replicationSlots()).noneMatch(s -> s.database().equals(source));
            assertThat(((PostgresDatabase) to).databaseExists(dst)).isFalse();
        }
    }

    @Test
    void aFailureSaysHowToDropTheSlotAndSlotsListsAndDropsIt() throws Exception {
        String dst = target(LOGICAL);
        try (Database src = PgServers.open(LOGICAL, source); Database to = PgServers.open(LOGICAL, dst);
             Replication r = replicate(src, to)) {
            r.start(l -> { });
            // someone writes to the target: the replica has diverged, and the apply must say so, not carry on
            PgServers.exec(LOGICAL, dst, "delete from items where id = 77");
            PgServers.exec(LOGICAL, source, "update items set n = 0 where id = 77");
            assertThatThrownBy(() -> r.drain(l -> { }))
                    .isInstanceOf(MigratorException.class)
                    .hasMessageContaining("diverged")
                    .hasMessageContaining("migrator db slots postgresql://postgres@127.0.0.1:5434/" + source + " --drop " + r.slot());
            List<Replication.Slot> slots = src.replicationSlots();
            assertThat(slots).anyMatch(s -> s.name().equals(r.slot()) && s.target().endsWith("/" + dst) && !s.active());
            src.dropReplicationSlot(r.slot());
            assertThat(src.replicationSlots()).noneMatch(s -> s.name().equals(r.slot()));
            assertThat(count(LOGICAL, source, "select count(*) from pg_publication where pubname = '" + r.slot() + "'")).isZero();
            assertThatThrownBy(() -> src.dropReplicationSlot(r.slot()))
                    .satisfies(e -> assertThat(((MigratorException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
            assertThatThrownBy(() -> src.dropReplicationSlot("someone_elses"))
                    .hasMessageContaining("not one of migrator's slots");
        }
    }

    @Test
    void ddlAtTheSourceIsCaughtAtTheCutover() throws Exception {
        String dst = target(LOGICAL);
        try (Database src = PgServers.open(LOGICAL, source); Database to = PgServers.open(LOGICAL, dst);
             Replication r = replicate(src, to)) {
            r.start(l -> { });
            PgServers.exec(LOGICAL, source, "alter table items add column extra int; create index items_n on items (n);");
            Replication.Cutover cut = r.cutover(l -> { });
            assertThat(cut.differences()).anyMatch(d -> d.contains("schema changed during replication") && d.contains("public.items"));
            assertThat(src.replicationSlots()).anyMatch(s -> s.name().equals(r.slot())); // kept: nothing is dropped on a failed check
        }
    }

    @Test
    void killMinus9WhileStreamingThenResumeLosesAndDuplicatesNothing() throws Exception {
        String dst = target(LOGICAL);
        String srcUri = PgServers.uri(LOGICAL, source);
        String dstUri = PgServers.uri(LOGICAL, dst);
        try (Database src = PgServers.open(LOGICAL, source); Database to = PgServers.open(LOGICAL, dst);
             Replication r = replicate(src, to)) {
            r.start(l -> { });
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                try (Connection c = PgServers.connect(LOGICAL, source); Statement st = c.createStatement()) {
                    for (int i = 0; writing.get(); i++) {
                        st.execute("insert into items (name, n) select 'w" + i + "', g from generate_series(1, 50) g;"
                                + " update items set n = n + 1 where id = " + (1 + i % 4000) + ";"
                                + " delete from items where id = " + (4000 + i) + "; select nextval('invoice_no')");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), FollowMain.class.getName(), srcUri, dstUri)
                    .redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                long applied = 0;
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("applied ")) {
                        applied = Long.parseLong(line.substring(8));
                        if (applied >= 20) {
                            break;
                        }
                    }
                }
                assertThat(applied).as("the child applied transactions before it was killed").isGreaterThanOrEqualTo(20);
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            Thread.sleep(500);
            writing.set(false);
            writer.join();
            Replication.Cutover cut = r.cutover(l -> { });
            assertThat(cut.differences()).isEmpty();
            assertThat(Databases.compare(src, to).differences()).isEmpty();
            assertThat(count(LOGICAL, dst, "select last_value from invoice_no"))
                    .isEqualTo(count(LOGICAL, source, "select last_value from invoice_no"));
        }
    }

    private static long count(int port, String db, String sql) throws Exception {
        try (Connection c = PgServers.connect(port, db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
