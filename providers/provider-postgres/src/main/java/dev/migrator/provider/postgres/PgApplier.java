package dev.migrator.provider.postgres;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies decoded changes to the target, in the order they come, batched: consecutive rows of one shape go to the
 * server as one JDBC batch (one round trip), and many source transactions commit as one target transaction. Each target commit
 * records the source position it reached in a replication origin ({@code pg_replication_origin_xact_setup}), in
 * the same transaction as the rows: after a crash the target says exactly where to continue, so nothing is
 * applied twice and nothing is skipped.
 *
 * <p>Every update and delete must hit exactly one row: a row missing on the target means the replica diverged,
 * which fails the apply loudly rather than carrying on. The session runs with
 * {@code session_replication_role = replica}: the target's triggers and foreign-key checks do not fire again
 * for rows the source already checked. Values travel as text literals and take the column's type on the server.
 *
 * <p>It also remembers what it touched (keys per table, or "the whole table" for truncates, tables without a key
 * and tables touched too often) so the cut-over can compare only what can have changed.
 */
final class PgApplier implements AutoCloseable {
    /** Rows in one JDBC batch. */
    private static final int BATCH = 1000;
    /** Keys remembered per table; beyond that the whole table is compared. */
    static final int KEYS_PER_TABLE = 100_000;

    private final Connection c;
    private final String origin;
    private final Map<Integer, PgOutput.Relation> relations = new HashMap<>();
    private final Statement batch;
    private String pendingSql;
    private int pendingRows;
    private final List<Integer> pendingExpect = new ArrayList<>();
    private long pendingEnd;
    private long pendingCommitMicros;
    private int pendingTransactions;
    private long applied;
    private long changes;
    private long transactions;
    /** Tables touched, by qualified name: keys, or null for the whole table. */
    final Map<String, Set<List<String>>> touched = new HashMap<>();
    /** The relation of each touched table, for building comparison queries. */
    final Map<String, PgOutput.Relation> touchedRelations = new HashMap<>();

    PgApplier(PgLocation target, String origin) {
        this.origin = origin;
        this.c = target.connect(Map.of());
        try (Statement st = c.createStatement()) {
            st.execute("set session_replication_role = replica");
            st.execute("set standard_conforming_strings = on"); // what the literal quoting of add() relies on
            try (ResultSet rs = st.executeQuery("select pg_replication_origin_session_setup('" + origin + "')")) {
                rs.next();
            }
            try (ResultSet rs = st.executeQuery("select coalesce(pg_replication_origin_session_progress(false), '0/0')::text")) {
                rs.next();
                applied = lsn(rs.getString(1));
            }
            c.setAutoCommit(false);
            batch = c.createStatement();
        } catch (SQLException e) {
            close();
            throw target.failure(e, "set up applying changes on");
        }
    }

    /** The end of the last source transaction the target committed. */
    long applied() {
        return applied;
    }

    long changes() {
        return changes;
    }

    long transactions() {
        return transactions;
    }

    /** Whether source transactions are applied but not committed on the target yet. */
    boolean pending() {
        return pendingTransactions > 0 || pendingRows > 0;
    }

    void relation(PgOutput.Relation r) {
        relations.put(r.oid(), r);
    }

    void change(PgOutput.Change ch) throws SQLException {
        PgOutput.Relation r = relation(ch.relation());
        String table = r.qualified();
        List<String> cols = r.columns();
        List<String> values = new ArrayList<>();
        String sql;
        if (ch.op() == 'I') {
            StringBuilder names = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (int i = 0; i < cols.size(); i++) {
                names.append(i == 0 ? "" : ", ").append(PgCatalog.quoteIdent(cols.get(i)));
                marks.append(i == 0 ? "?" : ", ?");
                values.add(ch.row()[i].text());
            }
            sql = "insert into " + table + " (" + names + ") values (" + marks + ")";
            remember(r, keyOf(r, ch.row()));
        } else {
            StringBuilder set = new StringBuilder();
            if (ch.op() == 'U') {
                for (int i = 0; i < cols.size(); i++) {
                    PgOutput.Value v = ch.row()[i];
                    if (v.kind() == 'u') {
                        continue; // an unchanged TOASTed value: the target keeps its own, which is the same
                    }
                    set.append(set.isEmpty() ? "" : ", ").append(PgCatalog.quoteIdent(cols.get(i))).append(" = ?");
                    values.add(v.text());
                }
                if (set.isEmpty()) {
                    return; // only unchanged TOASTed columns: nothing to write
                }
            }
            String where;
            if (ch.oldKind() == 'O') {
                // replica identity full: the row is the one whose every column matches (one of them, if duplicates)
                StringBuilder w = new StringBuilder();
                for (int i = 0; i < cols.size(); i++) {
                    PgOutput.Value v = ch.old()[i];
                    if (v.kind() == 'u') {
                        continue;
                    }
                    w.append(w.isEmpty() ? "" : " and ").append(PgCatalog.quoteIdent(cols.get(i))).append(" is not distinct from ?");
                    values.add(v.text());
                }
                where = "ctid = (select ctid from " + table + " where " + w + " limit 1)";
                remember(r, null);
            } else {
                PgOutput.Value[] keyRow = ch.old() != null ? ch.old() : ch.row();
                StringBuilder w = new StringBuilder();
                for (int i = 0; i < cols.size(); i++) {
                    if (r.key()[i]) {
                        w.append(w.isEmpty() ? "" : " and ").append(PgCatalog.quoteIdent(cols.get(i))).append(" = ?");
                        values.add(keyRow[i].text());
                    }
                }
                where = w.toString();
                remember(r, keyOf(r, keyRow));
                if (ch.row() != null && ch.old() != null) {
                    remember(r, keyOf(r, ch.row()));
                }
            }
            sql = ch.op() == 'U' ? "update " + table + " set " + set + " where " + where
                    : "delete from " + table + " where " + where;
        }
        add(sql, values, 1);
        changes++;
    }

    void truncate(PgOutput.Truncate t) throws SQLException {
        List<String> names = new ArrayList<>();
        for (int rel : t.relations()) {
            PgOutput.Relation r = relation(rel);
            names.add(r.qualified());
            remember(r, null);
        }
        add("truncate " + String.join(", ", names) + (t.restartIdentity() ? " restart identity" : "")
                + (t.cascade() ? " cascade" : ""), List.of(), -1);
        changes++;
    }

    /** A source transaction ended: its rows are applied (not yet committed on the target). */
    void commitSeen(PgOutput.Commit commit) {
        pendingEnd = commit.endLsn();
        pendingCommitMicros = commit.commitMicros();
        pendingTransactions++;
    }

    /** Commits what is applied, recording the source position in the same transaction. Returns the applied end. */
    long flush() throws SQLException {
        execute();
        if (pendingTransactions == 0) {
            return applied;
        }
        try (PreparedStatement ps = c.prepareStatement("select pg_replication_origin_xact_setup(?::pg_lsn, to_timestamp(? / 1e6))")) {
            ps.setString(1, lsnText(pendingEnd));
            ps.setLong(2, pendingCommitMicros);
            ps.execute();
        }
        c.commit();
        applied = pendingEnd;
        transactions += pendingTransactions;
        pendingTransactions = 0;
        return applied;
    }

    private PgOutput.Relation relation(int oid) {
        PgOutput.Relation r = relations.get(oid);
        if (r == null) {
            throw new MigratorException(ErrorCode.FAILED, "the change stream named table oid " + oid
                    + " before describing it; run the same command again to resume");
        }
        return r;
    }

    private void remember(PgOutput.Relation r, List<String> key) {
        String table = r.qualified();
        touchedRelations.put(table, r);
        if (key == null || r.identity() == 'f') {
            touched.put(table, null);
            return;
        }
        if (touched.containsKey(table) && touched.get(table) == null) {
            return;
        }
        Set<List<String>> keys = touched.computeIfAbsent(table, k -> new LinkedHashSet<>());
        keys.add(key);
        if (keys.size() > KEYS_PER_TABLE) {
            touched.put(table, null);
        }
    }

    private static List<String> keyOf(PgOutput.Relation r, PgOutput.Value[] row) {
        List<String> key = new ArrayList<>();
        for (int i = 0; i < r.key().length; i++) {
            if (r.key()[i]) {
                key.add(row[i].text());
            }
        }
        return key.isEmpty() ? null : key;
    }

    /**
     * Queues one statement, its values inlined as literals (with standard_conforming_strings on, a quote doubled is
     * the only escape): statements of any shape then share one JDBC batch, which the driver sends in one round trip.
     * A row of pgbench touches four tables; one prepared statement per shape would cost a round trip per row.
     */
    private void add(String sql, List<String> values, int expect) throws SQLException {
        if (pendingRows >= BATCH) {
            execute();
        }
        StringBuilder b = new StringBuilder(sql.length() + 16 * values.size());
        int v = 0;
        for (int i = 0; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            if (ch == '?') {
                String value = values.get(v++);
                b.append(value == null ? "NULL" : "'" + value.replace("'", "''") + "'");
            } else {
                b.append(ch);
            }
        }
        batch.addBatch(b.toString());
        pendingSql = sql;
        pendingExpect.add(expect);
        pendingRows++;
    }

    private void execute() throws SQLException {
        if (pendingRows == 0) {
            return;
        }
        int[] counts;
        try {
            counts = batch.executeBatch();
        } catch (SQLException e) {
            SQLException cause = e.getNextException() != null ? e.getNextException() : e;
            throw new MigratorException(ErrorCode.FAILED, "cannot apply a change to the target: "
                    + PgLocation.oneLine(cause.getMessage()), cause);
        }
        for (int i = 0; i < counts.length; i++) {
            int expect = pendingExpect.get(i);
            if (expect >= 0 && counts[i] != expect && counts[i] != Statement.SUCCESS_NO_INFO) {
                throw new MigratorException(ErrorCode.INTEGRITY, "the target diverged from the source: change " + (i + 1)
                        + " of a batch changed " + counts[i] + " rows instead of " + expect + "; the target was written to by"
                        + " something else: start the replication again into an empty target");
            }
        }
        batch.clearBatch();
        pendingSql = null;
        pendingRows = 0;
        pendingExpect.clear();
    }

    /** Tables the apply touched, sorted, for messages. */
    Set<String> touchedTables() {
        return new TreeSet<>(touched.keySet());
    }

    @Override
    public void close() {
        try {
            if (!c.isClosed() && !c.getAutoCommit()) {
                c.rollback();
            }
            c.close();
        } catch (SQLException ignored) {
            // closing: nothing more to save
        }
    }

    static long lsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    static String lsnText(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }
}
