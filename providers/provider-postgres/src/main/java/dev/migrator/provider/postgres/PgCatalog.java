package dev.migrator.provider.postgres;

import dev.migrator.provider.Fingerprint;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Catalog queries: what a database holds, and its {@link Fingerprint}.
 *
 * <p><b>Schema</b>: every user object (not in pg_catalog/information_schema/pg_toast, not part of an
 * extension) as a normalized definition from the server's own deparsers ({@code pg_get_indexdef},
 * {@code pg_get_constraintdef}, {@code pg_get_viewdef}, {@code pg_get_functiondef},
 * {@code pg_get_triggerdef}, {@code format_type}), with {@code search_path} emptied so every name is
 * schema-qualified. Owners and grants are left out: a restore with {@code --no-owner} changes them on
 * purpose. Sequences carry their current value; comments are compared by the object they describe.
 *
 * <p><b>Data</b>: per table (each leaf partition and populated materialized view), the row count and
 * the sum over rows of md5(row text) taken as two 64-bit halves, summed in {@code numeric} (no
 * overflow). A sum is independent of the physical row order and of how pages are laid out, needs no
 * sort, reads each row once in one sequential scan, and keeps nothing but two numbers in memory — so it
 * scales to multi-GB tables, inside the server. The row text is made independent of session settings
 * (time zone, date and interval style, float digits, bytea output) by fixing them first. It detects
 * accidental change (a lost, duplicated or altered row), which is its purpose; it is not a
 * cryptographic commitment against deliberate forgery.
 */
final class PgCatalog {
    private PgCatalog() {
    }

    /** SQL condition: the relation alias {@code c} is a user object. */
    static String userObject(String c) {
        return (c + ".relnamespace in (select oid from pg_namespace where " + USER_SCHEMA + ")"
                + " and not exists (select 1 from pg_depend e where e.classid = 'pg_class'::regclass"
                + " and e.objid = " + c + ".oid and e.deptype = 'e')");
    }

    private static final String USER_SCHEMA = "nspname not in ('pg_catalog', 'information_schema')"
            + " and nspname not like 'pg_toast%' and nspname not like 'pg_temp%'";

    private static final String NOT_EXTENSION = "not exists (select 1 from pg_depend e where e.objid = %s.oid and e.deptype = 'e')";

    /** Up to {@code limit} user objects ("table public.users"), for the emptiness check. */
    static List<String> userObjects(Statement st, int limit) throws SQLException {
        List<String> out = new ArrayList<>();
        // Tables first, then by name: the same objects named on every run (a bare limit took pg_class's scan order)
        String sql = """
                select what from (
                select case c.relkind when 'r' then 'table' when 'p' then 'table' when 'v' then 'view'
                         when 'm' then 'materialized view' when 'S' then 'sequence' else 'foreign table' end
                       || ' ' || c.oid::regclass::text as what
                from pg_class c where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and %s
                union all
                select 'function ' || p.oid::regprocedure::text from pg_proc p
                where p.pronamespace in (select oid from pg_namespace where %s) and %s
                union all
                select 'type ' || t.oid::regtype::text from pg_type t
                where t.typtype in ('e', 'd') and t.typnamespace in (select oid from pg_namespace where %s) and %s
                ) held order by what not like 'table %%', what
                limit %d""".formatted(userObject("c"), USER_SCHEMA, NOT_EXTENSION.formatted("p"),
                USER_SCHEMA, NOT_EXTENSION.formatted("t"), limit);
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Fixed output formats: the same rows must give the same text on any server and session. */
    static void fixFormats(Statement st) throws SQLException {
        st.execute("set search_path = pg_catalog");
        st.execute("set timezone = 'UTC'");
        st.execute("set datestyle = 'ISO, YMD'");
        st.execute("set intervalstyle = 'postgres'");
        st.execute("set extra_float_digits = 3");
        st.execute("set bytea_output = 'hex'");
    }

    /** The schema part of the fingerprint (its cost does not grow with the data). */
    static Map<String, String> schema(Statement st) throws SQLException {
        Map<String, String> schema = new TreeMap<>();
        for (String sql : SCHEMA_QUERIES) {
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    schema.put(rs.getString(1), rs.getString(2) == null ? "" : rs.getString(2));
                }
            }
        }
        return schema;
    }

    /** One table's row count and order-independent hash (see the class comment). */
    static Fingerprint.TableData tableData(Statement st, String table) throws SQLException {
        return rowsData(st, table, 0);
    }

    /** {@link #tableData} of the first {@code limit} rows of {@code table} as a scan reads them (0: all): the probe's sample. */
    static Fingerprint.TableData rowsData(Statement st, String table, long limit) throws SQLException {
        try (ResultSet rs = st.executeQuery("""
                select count(*),
                       coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0)::text || ':' ||
                       coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0)::text
                from (select md5(t::text) h from only %s t%s) rows""".formatted(table, limit > 0 ? " limit " + limit : ""))) {
            rs.next();
            return new Fingerprint.TableData(rs.getLong(1), rs.getString(2));
        }
    }

    static Fingerprint fingerprint(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            fixFormats(st);
            // One snapshot for all the queries below, so schema and data are seen at one point in time.
            c.setAutoCommit(false);
            st.execute("set transaction isolation level repeatable read, read only");
            Map<String, String> schema = schema(st);
            Map<String, String> tables = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("select c.oid::regclass::text from pg_class c where "
                    + "(c.relkind = 'r' or (c.relkind = 'm' and c.relispopulated)) and " + userObject("c") + " order by 1")) {
                while (rs.next()) {
                    tables.put(rs.getString(1), null);
                }
            }
            Map<String, Fingerprint.TableData> data = new TreeMap<>();
            for (String table : tables.keySet()) {
                data.put(table, tableData(st, table));
            }
            c.commit();
            return new Fingerprint(schema, data);
        }
    }

    private static final String REL_KIND = "case c.relkind when 'p' then 'partitioned ' else '' end";

    /** Each query yields (object name, normalized definition). */
    private static final List<String> SCHEMA_QUERIES = List.of(
            // schemas
            "select 'schema ' || quote_ident(nspname), '' from pg_namespace n where " + USER_SCHEMA
                    + " and nspname <> 'public' and " + NOT_EXTENSION.formatted("n"),
            // tables with their columns, partitioning and partition bounds
            """
            select 'table ' || c.oid::regclass::text,
                   %s || 'table (' || coalesce((
                       select string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                              || case when a.attnotnull then ' not null' else '' end
                              || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
                              || case when a.attidentity <> '' then ' identity ' || a.attidentity::text else '' end
                              || case when a.attgenerated <> '' then ' generated' else '' end
                              || coalesce(' collate ' || nullif(co.collname, 'default'), ''),
                              ', ' order by a.attnum)
                       from pg_attribute a
                       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
                       left join pg_collation co on co.oid = a.attcollation
                       where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '') || ')'
                   || coalesce(' partition by ' || pg_get_partkeydef(c.oid), '')
                   || coalesce(' partition of ' || (select i.inhparent::regclass::text from pg_inherits i
                                                   where i.inhrelid = c.oid) || ' ' || pg_get_expr(c.relpartbound, c.oid), '')
            from pg_class c where c.relkind in ('r', 'p', 'f') and %s""".formatted(REL_KIND, userObject("c")),
            // views and materialized views
            """
            select case c.relkind when 'v' then 'view ' else 'materialized view ' end || c.oid::regclass::text,
                   pg_get_viewdef(c.oid)
            from pg_class c where c.relkind in ('v', 'm') and %s""".formatted(userObject("c")),
            // indexes
            """
            select 'index ' || c.oid::regclass::text, pg_get_indexdef(c.oid)
            from pg_class c where c.relkind in ('i', 'I') and %s""".formatted(userObject("c")),
            // table constraints
            """
            select 'constraint ' || k.conrelid::regclass::text || '.' || quote_ident(k.conname),
                   pg_get_constraintdef(k.oid)
            from pg_constraint k join pg_class c on c.oid = k.conrelid where %s""".formatted(userObject("c")),
            // sequences with their current value
            """
            select 'sequence ' || quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename),
                   s.data_type::text || ' start ' || s.start_value || ' increment ' || s.increment_by
                   || ' min ' || s.min_value || ' max ' || s.max_value || case when s.cycle then ' cycle' else '' end
                   || ' last_value ' || coalesce(s.last_value::text, 'none')
            from pg_sequences s join pg_class c on c.oid = (quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename))::regclass
            where %s""".formatted(userObject("c")),
            // functions and procedures (body hashed: definitions are long)
            """
            select case p.prokind when 'p' then 'procedure ' when 'a' then 'aggregate ' else 'function ' end
                   || p.oid::regprocedure::text,
                   case when p.prokind in ('f', 'p', 'w') then 'md5 ' || md5(pg_get_functiondef(p.oid)) else '' end
            from pg_proc p where p.pronamespace in (select oid from pg_namespace where %s) and %s"""
                    .formatted(USER_SCHEMA, NOT_EXTENSION.formatted("p")),
            // triggers
            """
            select 'trigger ' || t.tgrelid::regclass::text || '.' || quote_ident(t.tgname), pg_get_triggerdef(t.oid)
            from pg_trigger t join pg_class c on c.oid = t.tgrelid where not t.tgisinternal and %s"""
                    .formatted(userObject("c")),
            // enums, domains and composite types
            """
            select 'type ' || t.oid::regtype::text,
                   case t.typtype
                     when 'e' then 'enum (' || (select string_agg(quote_literal(e.enumlabel), ', ' order by e.enumsortorder)
                                                from pg_enum e where e.enumtypid = t.oid) || ')'
                     when 'd' then 'domain ' || format_type(t.typbasetype, t.typtypmod)
                                   || case when t.typnotnull then ' not null' else '' end
                                   || coalesce(' ' || (select string_agg(pg_get_constraintdef(k.oid), ' ' order by k.conname)
                                                       from pg_constraint k where k.contypid = t.oid), '')
                     else 'composite (' || (select string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod),
                                                              ', ' order by a.attnum)
                                            from pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0
                                            and not a.attisdropped) || ')'
                   end
            from pg_type t
            where (t.typtype in ('e', 'd') or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c'))
              and t.typnamespace in (select oid from pg_namespace where %s) and %s"""
                    .formatted(USER_SCHEMA, NOT_EXTENSION.formatted("t")),
            // extensions and their versions
            "select 'extension ' || quote_ident(extname), extversion from pg_extension",
            // comments on user objects (OIDs below 16384 are the system's own)
            """
            select 'comment on ' || pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
            from pg_description d
            where d.objoid >= 16384 and not exists (select 1 from pg_depend e where e.objid = d.objoid and e.deptype = 'e')""");

    static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
