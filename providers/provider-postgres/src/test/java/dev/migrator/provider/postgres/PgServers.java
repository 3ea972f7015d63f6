package dev.migrator.provider.postgres;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The test servers: the PostgreSQL service on 5432 and the second cluster on 5433 ("another host",
 * created by .ci/run). Databases are named mig_db_* and dropped by the tests that create them.
 */
final class PgServers {
    static final int MAIN = 5432;
    static final int OTHER = 5433;
    /** The cluster with wal_level=logical (created by .ci/run) for the replication tests. */
    static final int LOGICAL = 5434;

    private PgServers() {
    }

    static String uniqueName(String what) {
        return "mig_db_" + what + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String uri(int port, String database) {
        return "postgresql://postgres@127.0.0.1:" + port + "/" + database;
    }

    static PostgresDatabase open(int port, String database) {
        return (PostgresDatabase) new PostgresProviderFactory().database(java.net.URI.create(uri(port, database)));
    }

    static Connection connect(int port, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", "");
    }

    /** Skips the test with a clear message when the second cluster is not running. */
    static void assumeOtherCluster() {
        boolean up;
        try (Connection c = connect(OTHER, "postgres")) {
            up = c.isValid(2);
        } catch (SQLException e) {
            up = false;
        }
        assumeTrue(up, "second PostgreSQL cluster on 127.0.0.1:" + OTHER + " is not running; .ci/run creates and starts it");
    }

    /** Skips the test with a clear message when the logical-replication cluster is not running. */
    static void assumeLogicalCluster() {
        boolean up;
        try (Connection c = connect(LOGICAL, "postgres")) {
            up = c.isValid(2);
        } catch (SQLException e) {
            up = false;
        }
        assumeTrue(up, "PostgreSQL cluster with wal_level=logical on 127.0.0.1:" + LOGICAL
                + " is not running; .ci/run creates (15/mig3) and starts it");
    }

    static void create(int port, String database) throws SQLException {
        try (Connection c = connect(port, "postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + database + " template template0");
        }
    }

    static void drop(int port, String database) {
        try (Connection c = connect(port, "postgres"); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + database + " with (force)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test database " + database + " on port " + port, e);
        }
    }

    static void exec(int port, String database, String sql) throws SQLException {
        try (Connection c = connect(port, database); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = PgServers.class.getResourceAsStream("/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
