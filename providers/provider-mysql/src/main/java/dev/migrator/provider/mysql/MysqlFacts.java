package dev.migrator.provider.mysql;

import dev.migrator.provider.Database.Facts;
import dev.migrator.provider.Database.ToolCheck;
import dev.migrator.provider.MigratorException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link MysqlDatabase#facts()}: server variables and information_schema only, nothing written. */
final class MysqlFacts {
    private static final int LIMIT = 50;

    private MysqlFacts() {
    }

    static Facts read(MysqlDatabase db, MysqlLocation location) {
        // The server, not the database: it may not exist yet (a restore creates it).
        try (Connection c = location.withDatabase("").connect(); Statement st = c.createStatement()) {
            String version;
            Map<String, String> settings = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("select version(), @@log_bin, @@binlog_format, @@server_id")) {
                rs.next();
                version = rs.getString(1);
                settings.put("log_bin", "1".equals(rs.getString(2)) ? "ON" : "OFF");
                settings.put("binlog_format", rs.getString(3));
                settings.put("server_id", rs.getString(4));
            }
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement("select 1 from information_schema.schemata where schema_name = ?")) {
                ps.setString(1, location.database());
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            List<String> noKey = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select concat(t.table_schema, '.', t.table_name) from information_schema.tables t
                    where t.table_schema = ? and t.table_type = 'BASE TABLE'
                      and not exists (select 1 from information_schema.table_constraints k where k.table_schema = t.table_schema
                                      and k.table_name = t.table_name and k.constraint_type = 'PRIMARY KEY')
                    order by 1 limit %d""".formatted(LIMIT))) {
                ps.setString(1, location.database());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        noKey.add(rs.getString(1));
                    }
                }
            }
            List<String> longOnes = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("""
                    select concat('thread ', t.trx_mysql_thread_id, ', user ', coalesce(p.user, '?'), ', open ',
                                  timestampdiff(minute, t.trx_started, now()), ' min: ', left(coalesce(t.trx_query, ''), 80))
                    from information_schema.innodb_trx t left join information_schema.processlist p on p.id = t.trx_mysql_thread_id
                    where t.trx_started < now() - interval %d minute order by t.trx_started limit %d"""
                    .formatted(Facts.LONG_TRANSACTION_MINUTES, LIMIT))) {
                while (rs.next()) {
                    longOnes.add(rs.getString(1));
                }
            }
            List<ToolCheck> tools = List.of(tool(db, "dump", db.dumpTool(), version), tool(db, "restore", db.clientTool(), version));
            return new Facts(version, exists, tools, settings, -1, noKey, longOnes, List.of(), List.of());
        } catch (SQLException e) {
            throw location.failure(e, "read the settings of");
        }
    }

    private static ToolCheck tool(MysqlDatabase db, String use, String exe, String serverVersion) {
        String name = java.nio.file.Path.of(exe).getFileName().toString();
        try {
            MysqlDatabase.Tool t = db.tool(exe, serverVersion);
            return new ToolCheck(use, name, t.path(), t.version(), null);
        } catch (MigratorException e) {
            return new ToolCheck(use, name, exe, null, e.getMessage());
        }
    }
}
