package dev.migrator.provider.postgres;

import dev.migrator.provider.Fingerprint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the cut-over does once the stream is drained, with writes frozen at the source: sequences (logical
 * replication does not carry them), then checks whose cost follows what changed, not the database's size — the
 * schema, and the rows the change stream touched, compared key by key.
 */
final class PgCutover {
    /** Keys per comparison query. */
    private static final int CHUNK = 1000;

    private PgCutover() {
    }

    /** Sets every target sequence to the source's value; returns how many. */
    static int copySequences(Connection s, Connection t) throws SQLException {
        int n = 0;
        try (Statement st = s.createStatement(); PreparedStatement set = t.prepareStatement("select setval(?::regclass, ?, ?)")) {
            st.execute("set search_path = pg_catalog");
            try (ResultSet rs = st.executeQuery("""
                    select quote_ident(q.schemaname) || '.' || quote_ident(q.sequencename), q.last_value, q.start_value
                    from pg_sequences q join pg_class c on c.oid = (quote_ident(q.schemaname) || '.' || quote_ident(q.sequencename))::regclass
                    where %s""".formatted(PgCatalog.userObject("c")))) {
                while (rs.next()) {
                    long value = rs.getLong(2);
                    boolean called = !rs.wasNull();
                    set.setString(1, rs.getString(1));
                    set.setLong(2, called ? value : rs.getLong(3));
                    set.setBoolean(3, called);
                    set.execute();
                    n++;
                }
            }
        }
        return n;
    }

    /** Schema objects that differ (DDL at the source during replication shows here). */
    static List<String> schemaDifferences(Connection s, Connection t, String publication) throws SQLException {
        Map<String, String> a;
        Map<String, String> b;
        try (Statement x = s.createStatement(); Statement y = t.createStatement()) {
            PgCatalog.fixFormats(x);
            PgCatalog.fixFormats(y);
            a = PgCatalog.schema(x);
            b = PgCatalog.schema(y);
        }
        a.remove("comment on publication " + publication); // the replication's own, gone with it
        b.remove("comment on publication " + publication);
        List<String> out = new ArrayList<>();
        Fingerprint fa = new Fingerprint(a, Map.of());
        for (String d : fa.differences(new Fingerprint(b, Map.of()))) {
            out.add("schema changed during replication (DDL at the source is not replicated): " + d);
        }
        return out;
    }

    static List<String> compareWhole(Connection s, Connection t, String table) throws SQLException {
        try (Statement x = s.createStatement(); Statement y = t.createStatement()) {
            PgCatalog.fixFormats(x);
            PgCatalog.fixFormats(y);
            Fingerprint.TableData a = PgCatalog.tableData(x, table);
            Fingerprint.TableData b = PgCatalog.tableData(y, table);
            if (a.equals(b)) {
                return List.of();
            }
            return List.of("table " + table + ": source has " + a.rows() + " rows, target " + b.rows()
                    + (a.rows() == b.rows() ? " with different contents" : ""));
        }
    }

    /** Compares the rows with the given keys on both sides; names up to five keys that differ. */
    static List<String> compareKeys(Connection s, Connection t, PgOutput.Relation r, Set<List<String>> keys) throws SQLException {
        List<String> keyCols = new ArrayList<>();
        for (int i = 0; i < r.columns().size(); i++) {
            if (r.key()[i]) {
                keyCols.add(r.columns().get(i));
            }
        }
        List<String> types = new ArrayList<>();
        try (PreparedStatement ps = s.prepareStatement("select format_type(a.atttypid, a.atttypmod) from pg_attribute a"
                + " where a.attrelid = ?::regclass and a.attname = ?")) {
            for (String col : keyCols) {
                ps.setString(1, r.qualified());
                ps.setString(2, col);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    types.add(rs.getString(1));
                }
            }
        }
        // Key lookups through the key's index: a hash join would scan the whole table, and the cut-over's checks must not
        // grow with the table's size.
        String[] planner = {"enable_hashjoin", "enable_mergejoin", "enable_seqscan"};
        try (Statement x = s.createStatement(); Statement y = t.createStatement()) {
            PgCatalog.fixFormats(x);
            PgCatalog.fixFormats(y);
            for (String setting : planner) {
                x.execute("set " + setting + " = off");
                y.execute("set " + setting + " = off");
            }
        }
        try {
            return compareKeyRows(s, t, r, keys, keyCols, types);
        } finally {
            try (Statement x = s.createStatement(); Statement y = t.createStatement()) {
                for (String setting : planner) {
                    x.execute("reset " + setting);
                    y.execute("reset " + setting);
                }
            }
        }
    }

    private static List<String> compareKeyRows(Connection s, Connection t, PgOutput.Relation r, Set<List<String>> keys,
                                               List<String> keyCols, List<String> types) throws SQLException {
        List<String> out = new ArrayList<>();
        List<List<String>> all = new ArrayList<>(keys);
        for (int from = 0; from < all.size() && out.size() < 5; from += CHUNK) {
            List<List<String>> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
            Map<Integer, String> a = rows(s, r, keyCols, types, chunk);
            Map<Integer, String> b = rows(t, r, keyCols, types, chunk);
            for (int i = 0; i < chunk.size(); i++) {
                List<String> k = chunk.get(i);
                String ha = a.get(i);
                String hb = b.get(i);
                if (ha == null ? hb != null : !ha.equals(hb)) {
                    out.add("table " + r.qualified() + ", key " + keyCols + " = " + k + ": "
                            + (ha == null ? "gone at the source, still on the target"
                            : hb == null ? "missing on the target" : "differs"));
                    if (out.size() >= 5) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** Row hashes by the key's position in {@code keys} (positions, not key text: text depends on session settings). */
    private static Map<Integer, String> rows(Connection c, PgOutput.Relation r, List<String> keyCols, List<String> types,
                                             List<List<String>> keys) throws SQLException {
        StringBuilder tuple = new StringBuilder("?::int");
        StringBuilder on = new StringBuilder();
        StringBuilder names = new StringBuilder("ord");
        for (int i = 0; i < keyCols.size(); i++) {
            tuple.append(", ?::text::").append(types.get(i));
            on.append(i == 0 ? "" : " and ").append("t.").append(PgCatalog.quoteIdent(keyCols.get(i))).append(" = k.c").append(i);
            names.append(", c").append(i);
        }
        StringBuilder values = new StringBuilder();
        for (int k = 0; k < keys.size(); k++) {
            values.append(k == 0 ? "" : ", ").append("(").append(tuple).append(")");
        }
        String sql = "select k.ord, md5(t::text) from only " + r.qualified() + " t join (values " + values + ") k("
                + names + ") on " + on;
        Map<Integer, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            for (int k = 0; k < keys.size(); k++) {
                ps.setString(p++, Integer.toString(k));
                for (String v : keys.get(k)) {
                    ps.setString(p++, v);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getString(2));
                }
            }
        }
        return out;
    }
}
