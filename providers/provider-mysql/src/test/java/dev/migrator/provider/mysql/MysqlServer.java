package dev.migrator.provider.mysql;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The MariaDB service on 127.0.0.1:3306 (root, no password). A second database on the same server
 * plays "another host". Databases are named mig_db_* and dropped by the tests that create them.
 */
final class MysqlServer {
    private MysqlServer() {
    }

    static String uniqueName(String what) {
        return "mig_db_" + what + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    static MysqlDatabase open(String database) {
        return (MysqlDatabase) new MysqlProviderFactory().database(URI.create("mysql://root@127.0.0.1:3306/" + database));
    }

    static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + database, "root", "");
    }

    static void exec(String database, String... statements) throws SQLException {
        try (Connection c = connect(database); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    static void create(String database) throws SQLException {
        exec("", "create database " + database + " character set utf8mb4");
    }

    static void drop(String database) {
        try {
            exec("", "drop database if exists " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test database " + database, e);
        }
    }

    /** Runs a SQL script with the real client, as a person would load one. */
    static void load(String database, String resource) throws IOException, InterruptedException {
        Path script = Path.of(URI.create(MysqlServer.class.getResource("/" + resource).toString()));
        Process p = new ProcessBuilder("mariadb", "--default-character-set=utf8mb4", "--protocol=TCP", "-h", "127.0.0.1", "-u", "root", database)
                .redirectInput(script.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("loading " + resource + " failed: " + out);
        }
    }
}
