package dev.migrator.provider.postgres;

import dev.migrator.provider.Database.Facts;
import dev.migrator.provider.Database.ToolCheck;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link PostgresDatabase#facts()}: catalog queries only, nothing written. */
final class PgFacts {
    /** Enough to name the problem; the rest is "and N more" in the caller's words. */
    private static final int LIMIT = 50;

    private PgFacts() {
    }

    static Facts read(PostgresDatabase db, PgLocation location) {
        boolean exists = true;
        Connection opened;
        try {
            opened = location.connect();
        } catch (MigratorException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            exists = false; // a restore creates it: read the server through its maintenance database
            opened = location.withDatabase("postgres").connect();
        }
        try (Connection c = opened; Statement st = c.createStatement()) {
            String version = one(st, "show server_version").split(" ")[0];
            int major = PostgresDatabase.major(version);
            Map<String, String> settings = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("select name, setting from pg_settings"
                    + " where name in ('wal_level', 'max_replication_slots', 'max_wal_senders') order by name")) {
                while (rs.next()) {
                    settings.put(rs.getString(1), rs.getString(2));
                }
            }
            int free = Integer.parseInt(one(st, "select current_setting('max_replication_slots')::int"
                    + " - (select count(*) from pg_replication_slots)"));
            List<String> noKey = exists ? list(st, """
                    select quote_ident(n.nspname) || '.' || quote_ident(c.relname)
                    from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where c.relkind in ('r', 'p') and not c.relispartition and %s
                      and not exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p')
                    order by 1 limit %d""".formatted(PgCatalog.userObject("c"), LIMIT)) : List.of();
            List<String> longOnes = list(st, """
                    select 'pid ' || pid || ', user ' || coalesce(usename, '?') || ', open '
                           || (extract(epoch from now() - xact_start)::bigint / 60) || ' min: '
                           || left(regexp_replace(query, '\\s+', ' ', 'g'), 80)
                    from pg_stat_activity
                    where xact_start < now() - interval '%d minutes' and pid <> pg_backend_pid()
                      and datname = current_database()
                    order by xact_start limit %d""".formatted(Facts.LONG_TRANSACTION_MINUTES, LIMIT));
            List<String> extensions = exists ? list(st, "select extname from pg_extension where extname <> 'plpgsql' order by 1")
                    : List.of();
            List<String> available = list(st, "select name from pg_available_extensions order by 1");
            List<ToolCheck> tools = List.of(tool(db, "dump", "pg_dump", major), tool(db, "restore", "pg_restore", major));
            return new Facts(version, exists, tools, settings, free, noKey, longOnes, extensions, available);
        } catch (SQLException e) {
            throw location.failure(e, "read the settings of");
        }
    }

    /** The tool the adapter would pick for a server of {@code major}, and whether it is new enough. */
    private static ToolCheck tool(PostgresDatabase db, String use, String name, int major) {
        PostgresDatabase.Tool t;
        try {
            t = db.tool(name, major);
        } catch (MigratorException e) {
            return new ToolCheck(use, name, null, null, e.getMessage());
        }
        String problem = t.major() < major ? PostgresDatabase.tooOld(t, use, major).getMessage() : null;
        return new ToolCheck(use, name, t.path(), t.version(), problem);
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static List<String> list(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
