package dev.migrator.provider.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A base table as replication sees it: its columns in ordinal order (the order of a binlog row image) and the
 * columns that find one row — the primary key, else the first unique key on NOT NULL columns; empty when there is
 * neither (such a table is refused).
 *
 * @param name    the table's name (the database is implied)
 * @param engine  its storage engine (only InnoDB gives a consistent snapshot)
 * @param columns every column, in ordinal position
 * @param key     positions in {@code columns} of the key that identifies a row
 */
record MysqlTable(String name, String engine, List<Column> columns, List<Integer> key) {

    /**
     * One column.
     *
     * @param dataType  information_schema's data_type, lower case ({@code int}, {@code varchar}, ...)
     * @param unsigned  an unsigned integer type: the binlog carries its bits as a signed number
     * @param generated a generated column: its value is computed, never written
     */
    record Column(String name, String dataType, boolean unsigned, boolean generated) {
    }

    MysqlTable {
        columns = List.copyOf(columns);
        key = List.copyOf(key);
    }

    /** The columns a copy or an insert writes: all but the generated ones. */
    List<Column> writable() {
        return columns.stream().filter(c -> !c.generated()).toList();
    }

    String quotedName() {
        return MysqlCatalog.quote(name);
    }

    /** {@code `a` = ? and `b` = ?} over the key. */
    String keyPredicate() {
        return key.stream().map(i -> MysqlCatalog.quote(columns.get(i).name()) + " = ?").collect(Collectors.joining(" and "));
    }

    /** The base tables of {@code db} with their keys, by name. */
    static Map<String, MysqlTable> read(Connection c, String db) throws SQLException {
        Map<String, String> engines = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select table_name, coalesce(engine, '') from information_schema.tables"
                + " where table_schema = ? and table_type = 'BASE TABLE' order by table_name")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    engines.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        Map<String, List<Column>> columns = new LinkedHashMap<>();
        Map<String, Map<String, Boolean>> nullable = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select table_name, column_name, data_type, column_type, extra, is_nullable"
                + " from information_schema.columns where table_schema = ? order by table_name, ordinal_position")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String extra = rs.getString(5).toLowerCase(Locale.ROOT);
                    columns.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(new Column(rs.getString(2),
                            rs.getString(3).toLowerCase(Locale.ROOT), rs.getString(4).toLowerCase(Locale.ROOT).contains("unsigned"),
                            extra.contains("generated") || extra.contains("virtual") || extra.contains("persistent")
                                    || extra.contains("stored")));
                    nullable.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(6).equals("YES"));
                }
            }
        }
        // unique indexes, primary first, each with its columns in order
        Map<String, List<List<String>>> uniques = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select table_name, index_name, column_name from information_schema.statistics"
                + " where table_schema = ? and non_unique = 0 and sub_part is null"
                + " order by table_name, index_name <> 'PRIMARY', index_name, seq_in_index")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                String lastTable = null;
                String lastIndex = null;
                while (rs.next()) {
                    String t = rs.getString(1);
                    String i = rs.getString(2);
                    List<List<String>> list = uniques.computeIfAbsent(t, x -> new ArrayList<>());
                    if (!t.equals(lastTable) || !i.equals(lastIndex)) {
                        list.add(new ArrayList<>());
                    }
                    list.get(list.size() - 1).add(rs.getString(3));
                    lastTable = t;
                    lastIndex = i;
                }
            }
        }
        Map<String, MysqlTable> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : engines.entrySet()) {
            String t = e.getKey();
            List<Column> cols = columns.getOrDefault(t, List.of());
            List<Integer> key = List.of();
            for (List<String> idx : uniques.getOrDefault(t, List.of())) {
                if (idx.stream().noneMatch(col -> nullable.get(t).getOrDefault(col, true))) {
                    key = idx.stream().map(col -> indexOf(cols, col)).toList();
                    break;
                }
            }
            out.put(t, new MysqlTable(t, e.getValue(), cols, key));
        }
        return out;
    }

    private static int indexOf(List<Column> cols, String name) {
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).name().equalsIgnoreCase(name)) {
                return i;
            }
        }
        throw new IllegalStateException("index column " + name + " is not a column");
    }
}
