package dev.migrator.provider.mysql;

import dev.migrator.provider.Fingerprint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Catalog queries (information_schema) for one MySQL/MariaDB database: what it holds, and its
 * {@link Fingerprint}.
 *
 * <p><b>Schema</b>: tables with their columns (type, nullability, default, extra, character set,
 * collation, comment), engine, collation, comment and AUTO_INCREMENT counter (MySQL's sequences); indexes;
 * constraints (keys, foreign keys with their rules, checks); views; routines, triggers and events (bodies
 * hashed). Definers are left out: restoring with {@code --no-owner} changes them on purpose. References
 * to the database's own name are removed, so a copy under another name compares equal.
 *
 * <p><b>Data</b>: per base table, the row count and the sum over rows of MD5(row text) taken as two 64-bit
 * halves, summed as DECIMAL (no overflow). The row text joins every column with a separator: string,
 * binary, JSON and spatial columns as HEX of their bytes (exact, whatever the character set), NULL as
 * {@code N}, other types through CAST AS CHAR with the session time zone fixed to UTC. A sum does not
 * depend on the physical order of rows or on how the storage engine lays them out, needs no sort and one
 * sequential scan, and keeps two numbers in memory, so it scales to multi-GB tables inside the server.
 * CHECKSUM TABLE is not used: its result depends on the row format and storage engine, so it differs
 * between servers holding the same rows. It detects accidental change (a lost, duplicated or altered
 * row); it is not a cryptographic commitment against deliberate forgery.
 */
final class MysqlCatalog {
    /** Types whose values are bytes (compared as HEX, copied as bytes). */
    static final Set<String> HEX_TYPES = Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext",
            "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "enum", "set", "json", "geometry",
            "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "bit",
            "inet6", "inet4", "uuid");

    private MysqlCatalog() {
    }

    static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    /** Up to {@code limit} objects of the database ("table users"), for the emptiness check. */
    static List<String> userObjects(Connection c, String db, int limit) throws SQLException {
        List<String> out = new ArrayList<>();
        String sql = """
                select concat(lower(replace(table_type, 'BASE ', '')), ' ', table_name) from information_schema.tables where table_schema = ?
                union all select concat(lower(routine_type), ' ', routine_name) from information_schema.routines where routine_schema = ?
                union all select concat('event ', event_name) from information_schema.events where event_schema = ?
                limit %d""".formatted(limit);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, db);
            ps.setString(2, db);
            ps.setString(3, db);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    static Fingerprint fingerprint(Connection c, String db) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("set session time_zone = '+00:00'");
            st.execute("set session transaction isolation level repeatable read");
            st.execute("start transaction with consistent snapshot");
        }
        Map<String, List<String[]>> columns = new LinkedHashMap<>();
        Map<String, String> schema = schema(c, db, columns);
        Map<String, Fingerprint.TableData> data = new TreeMap<>();
        for (Map.Entry<String, List<String[]>> t : columns.entrySet()) {
            data.put(t.getKey(), tableData(c, db, t.getKey(), t.getValue()));
        }
        try (Statement st = c.createStatement()) {
            st.execute("commit");
        }
        return new Fingerprint(schema, data);
    }

    /**
     * The schema half of {@link #fingerprint}, read in the caller's transaction: what a cut-over compares (cheap: the
     * catalog only). {@code columns} receives each base table's columns as {name, data type}.
     */
    static Map<String, String> schema(Connection c, String db, Map<String, List<String[]>> columns) throws SQLException {
        String self = quote(db) + ".";
        Map<String, String> schema = new TreeMap<>();
        Map<String, StringBuilder> tables = new LinkedHashMap<>();
        query(c, db, """
                select table_name, table_type, coalesce(engine, ''), coalesce(table_collation, ''),
                       coalesce(table_comment, ''), coalesce(auto_increment, '')
                from information_schema.tables where table_schema = ? order by table_name""", r -> {
            String kind = r[1].equals("BASE TABLE") ? "table" : r[1].toLowerCase(Locale.ROOT);
            if (kind.equals("view")) {
                return;
            }
            StringBuilder def = new StringBuilder(kind).append(" engine ").append(r[2]).append(" collate ").append(r[3])
                    .append(r[4].isEmpty() ? "" : " comment '" + r[4] + "'")
                    .append(r[5].isEmpty() ? "" : " auto_increment " + r[5]).append(" (");
            tables.put(r[0], def);
            if (kind.equals("table")) {
                columns.put(r[0], new ArrayList<>());
            }
        });
        query(c, db, """
                select table_name, column_name, column_type, is_nullable, coalesce(column_default, 'NULL'), extra,
                       coalesce(character_set_name, ''), coalesce(collation_name, ''), column_comment, data_type
                from information_schema.columns where table_schema = ? order by table_name, ordinal_position""", r -> {
            StringBuilder def = tables.get(r[0]);
            if (def == null) {
                return; // a view's columns: the view definition covers them
            }
            if (def.charAt(def.length() - 1) != '(') {
                def.append(", ");
            }
            def.append(quote(r[1])).append(' ').append(r[2]).append(r[3].equals("NO") ? " not null" : "")
                    .append(" default ").append(r[4]).append(r[5].isEmpty() ? "" : " " + r[5])
                    .append(r[6].isEmpty() ? "" : " charset " + r[6]).append(r[7].isEmpty() ? "" : " collate " + r[7])
                    .append(r[8].isEmpty() ? "" : " comment '" + r[8] + "'");
            List<String[]> cols = columns.get(r[0]);
            if (cols != null) {
                cols.add(new String[] {r[1], r[9].toLowerCase(Locale.ROOT)});
            }
        });
        tables.forEach((name, def) -> schema.put(def.substring(0, def.indexOf(" ")) + " " + name, def.append(')').toString()));
        query(c, db, """
                select table_name, index_name, non_unique, index_type,
                       group_concat(concat(column_name, coalesce(concat('(', sub_part, ')'), ''), ' ', coalesce(collation, ''))
                                    order by seq_in_index separator ', ')
                from information_schema.statistics where table_schema = ? group by table_name, index_name, non_unique, index_type""",
                r -> schema.put("index " + r[0] + "." + r[1], (r[2].equals("0") ? "unique " : "") + r[3] + " (" + r[4] + ")"));
        query(c, db, """
                select k.table_name, k.constraint_name, k.constraint_type,
                       coalesce((select group_concat(u.column_name order by u.ordinal_position separator ', ')
                                 from information_schema.key_column_usage u
                                 where u.constraint_schema = k.constraint_schema and u.table_name = k.table_name
                                   and u.constraint_name = k.constraint_name), ''),
                       coalesce((select concat(' references ', u.referenced_table_name, ' (',
                                        group_concat(u.referenced_column_name order by u.ordinal_position separator ', '), ')')
                                 from information_schema.key_column_usage u
                                 where u.constraint_schema = k.constraint_schema and u.table_name = k.table_name
                                   and u.constraint_name = k.constraint_name and u.referenced_table_name is not null
                                 group by u.referenced_table_name), ''),
                       coalesce((select concat(' on update ', r.update_rule, ' on delete ', r.delete_rule)
                                 from information_schema.referential_constraints r
                                 where r.constraint_schema = k.constraint_schema and r.table_name = k.table_name
                                   and r.constraint_name = k.constraint_name), ''),
                       coalesce((select concat(' check ', cc.check_clause) from information_schema.check_constraints cc
                                 where cc.constraint_schema = k.constraint_schema and cc.table_name = k.table_name
                                   and cc.constraint_name = k.constraint_name), '')
                from information_schema.table_constraints k where k.constraint_schema = ?""",
                r -> schema.put("constraint " + r[0] + "." + r[1], r[2].toLowerCase(Locale.ROOT) + " (" + r[3] + ")" + r[4] + r[5] + r[6]));
        query(c, db, "select table_name, view_definition, check_option, security_type from information_schema.views where table_schema = ?",
                r -> schema.put("view " + r[0], r[1].replace(self, "") + " check " + r[2] + " security " + r[3]));
        query(c, db, """
                select routine_type, routine_name, coalesce(dtd_identifier, ''), md5(coalesce(routine_definition, '')),
                       coalesce((select group_concat(concat(coalesce(p.parameter_mode, ''), ' ', coalesce(p.parameter_name, ''), ' ',
                                                            p.dtd_identifier) order by p.ordinal_position separator ', ')
                                 from information_schema.parameters p
                                 where p.specific_schema = r.routine_schema and p.specific_name = r.specific_name
                                   and p.routine_type = r.routine_type and p.ordinal_position > 0), ''),
                       is_deterministic, sql_data_access, security_type
                from information_schema.routines r where routine_schema = ?""",
                r -> schema.put(r[0].toLowerCase(Locale.ROOT) + " " + r[1], "(" + r[4] + ") returns '" + r[2] + "' deterministic "
                        + r[5] + " " + r[6] + " security " + r[7] + " body md5 " + r[3]));
        query(c, db, """
                select trigger_name, event_object_table, action_timing, event_manipulation, action_order, md5(action_statement)
                from information_schema.triggers where trigger_schema = ?""",
                r -> schema.put("trigger " + r[1] + "." + r[0], r[2] + " " + r[3] + " order " + r[4] + " body md5 " + r[5]));
        query(c, db, """
                select event_name, event_type, coalesce(execute_at, ''), coalesce(interval_value, ''), coalesce(interval_field, ''),
                       status, on_completion, md5(event_definition)
                from information_schema.events where event_schema = ?""",
                r -> schema.put("event " + r[0], r[1] + " at " + r[2] + " every " + r[3] + " " + r[4] + " " + r[5] + " "
                        + r[6] + " body md5 " + r[7]));

        return schema;
    }

    private static Fingerprint.TableData tableData(Connection c, String db, String table, List<String[]> cols) throws SQLException {
        return rowsData(c, db, table, cols, "");
    }

    /**
     * Row count and hash sum (as in {@link #fingerprint}) of the rows of {@code table} that {@code where} selects
     * ({@code ""} for all): the cut-over compares the rows the change stream touched this way on both sides.
     */
    static Fingerprint.TableData rowsData(Connection c, String db, String table, List<String[]> cols, String where)
            throws SQLException {
        return rowsData(c, db, table, cols, where, List.of());
    }

    /** {@link #rowsData} with {@code where} holding {@code ?} placeholders bound to {@code params} in order. */
    static Fingerprint.TableData rowsData(Connection c, String db, String table, List<String[]> cols, String where,
                                          List<Object> params) throws SQLException {
        List<String> parts = new ArrayList<>();
        for (String[] col : cols) {
            String expr = HEX_TYPES.contains(col[1]) ? "hex(" + quote(col[0]) + ")" : "cast(" + quote(col[0]) + " as char)";
            parts.add("coalesce(" + expr + ", 'N')");
        }
        String row = parts.isEmpty() ? "''" : "concat_ws(','," + String.join(", ", parts) + ")";
        String sql = """
                select count(*),
                       concat(coalesce(sum(cast(conv(substring(h, 1, 16), 16, 10) as decimal(20, 0))), 0), ':',
                              coalesce(sum(cast(conv(substring(h, 17, 16), 16, 10) as decimal(20, 0))), 0))
                from (select md5(%s) h from %s.%s%s) rows_""".formatted(row, quote(db), quote(table),
                where.isEmpty() ? "" : " where " + where);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Fingerprint.TableData(rs.getLong(1), rs.getString(2));
            }
        }
    }

    private interface Row {
        void accept(String[] values) throws SQLException;
    }

    private static void query(Connection c, String db, String sql, Row row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    String[] v = new String[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = rs.getString(i + 1);
                        if (v[i] == null) {
                            v[i] = "";
                        }
                    }
                    row.accept(v);
                }
            }
        }
    }
}
