package dev.migrator.provider.mysql;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The MariaDB instance with the binlog on (ROW, FULL images) on 127.0.0.1:3307 that .ci/run creates and starts for the
 * replication tests; root, no password. Tests that need it skip with a message when it is not running.
 */
final class BinlogServer {
    static final int PORT = 3307;

    private BinlogServer() {
    }

    static void assumeRunning() {
        boolean up;
        try (Connection c = connect("")) {
            up = c.isValid(2);
        } catch (SQLException e) {
            up = false;
        }
        assumeTrue(up, "MariaDB with the binlog on at 127.0.0.1:" + PORT + " is not running; .ci/run creates and starts it");
    }

    static String uri(String database) {
        return "mysql://root@127.0.0.1:" + PORT + "/" + database;
    }

    static MysqlDatabase open(String database) {
        return (MysqlDatabase) new MysqlProviderFactory().database(URI.create(uri(database)));
    }

    static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + PORT + "/" + database, "root", "");
    }

    static void exec(String database, String... statements) throws SQLException {
        try (Connection c = connect(database); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    static long value(String database, String sql) throws SQLException {
        try (Connection c = connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Loads a script with the real client, as a person would. */
    static void load(String database, String resource) throws Exception {
        java.nio.file.Path script = java.nio.file.Path.of(URI.create(BinlogServer.class.getResource("/" + resource).toString()));
        Process p = new ProcessBuilder("mariadb", "--default-character-set=utf8mb4", "--protocol=TCP", "-h", "127.0.0.1",
                "-P", Integer.toString(PORT), "-u", "root", database)
                .redirectInput(script.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("loading " + resource + " failed: " + out);
        }
    }
}
