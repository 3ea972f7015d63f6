package dev.migrator.provider;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a database holds, reduced to comparable strings: each schema object's normalized definition
 * ({@code "table public.posts"}, {@code "index public.posts_pkey"}, {@code "sequence public.posts_id_seq"}
 * with its current value, views, functions, triggers, ...) and each table's row count and content hash
 * computed in the database.
 *
 * @param schema normalized definition by object name
 * @param tables row count and content hash by schema-qualified table name
 */
public record Fingerprint(Map<String, String> schema, Map<String, TableData> tables) {

    public Fingerprint {
        schema = new TreeMap<>(schema);
        tables = new TreeMap<>(tables);
    }

    /** Rows and an order-independent-of-storage content hash of one table. */
    public record TableData(long rows, String hash) {
    }

    /** One line per difference, naming the object; empty when identical. */
    public List<String> differences(Fingerprint other) {
        List<String> out = new ArrayList<>();
        for (String name : new TreeSet<>(union(schema.keySet(), other.schema.keySet()))) {
            String a = schema.get(name);
            String b = other.schema.get(name);
            if (a == null) {
                out.add("EXTRA " + name);
            } else if (b == null) {
                out.add("MISSING " + name);
            } else if (!a.equals(b)) {
                out.add("SCHEMA " + name + ": " + a + " <> " + b);
            }
        }
        for (String name : new TreeSet<>(union(tables.keySet(), other.tables.keySet()))) {
            TableData a = tables.get(name);
            TableData b = other.tables.get(name);
            if (a == null || b == null) {
                continue; // already reported through the schema
            }
            if (a.rows() != b.rows()) {
                out.add("ROWS " + name + ": " + a.rows() + " <> " + b.rows());
            } else if (!Objects.equals(a.hash(), b.hash())) {
                out.add("DATA " + name + ": same " + a.rows() + " rows, different content");
            }
        }
        return out;
    }

    private static TreeSet<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        TreeSet<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
