package dev.migrator.provider.postgres;

import dev.migrator.provider.DatabaseUri;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where a PostgreSQL database is and how to log in, parsed once from
 * {@code postgresql://[user[:password]@][host][:port]/database[?sslmode=...&password-file=PATH]}.
 *
 * <p>What the URI leaves out comes from the libpq environment ({@code PGHOST}, {@code PGPORT},
 * {@code PGUSER}, {@code PGDATABASE}, {@code PGPASSWORD}), as psql would take it. The password is looked
 * up in this order: the URI (its user info, or the first line of the file named by {@code password-file=},
 * which keeps it out of {@code ps}), {@code PGPASSWORD}, then {@code ~/.pgpass} (or {@code PGPASSFILE}), which
 * the tools read through libpq and the JDBC driver reads itself. The tools get every part through
 * {@code PG*} environment variables, never as arguments, so no password shows in a process list.
 */
record PgLocation(String host, int port, String user, String password, String database, Map<String, String> libpq) implements dev.migrator.provider.ToolDatabase.Location {

    /**
     * The PostgreSQL driver itself, not {@link java.sql.DriverManager}: that loads and initializes every JDBC driver on
     * the class path first (MariaDB's too) before the first connection, time each copy would pay for nothing.
     */
    private static final java.sql.Driver DRIVER = new org.postgresql.Driver();

    /** URI query parameters passed on to libpq (as PG* variables) and to the JDBC driver. */
    private static final Map<String, String> PARAMS = Map.of(
            "sslmode", "PGSSLMODE", "sslrootcert", "PGSSLROOTCERT", "sslcert", "PGSSLCERT",
            "sslkey", "PGSSLKEY", "connect_timeout", "PGCONNECT_TIMEOUT", "application_name", "PGAPPNAME");

    static PgLocation parse(URI uri, Map<String, String> env) {
        DatabaseUri u = DatabaseUri.parse(uri, "postgresql://user@host:5432/database");
        String shown = u.shown();
        String user = u.user();
        String password = u.password();
        Map<String, String> libpq = new LinkedHashMap<>();
        for (Map.Entry<String, String> o : u.options().entrySet()) {
            switch (o.getKey()) {
                case "password" -> password = o.getValue();
                case "user" -> user = o.getValue();
                default -> {
                    if (!PARAMS.containsKey(o.getKey())) {
                        throw MigratorException.badInput("unknown option '" + o.getKey() + "' in " + shown + "; known: "
                                + String.join(", ", new java.util.TreeSet<>(PARAMS.keySet())) + ", password-file");
                    }
                    libpq.put(o.getKey(), o.getValue());
                }
            }
        }
        String host = u.host() != null ? u.host() : env.getOrDefault("PGHOST", "localhost");
        if (host.startsWith("/")) {
            throw MigratorException.badInput("PGHOST=" + host + " is a Unix socket directory; migrator connects over TCP: "
                    + "give the host in the URI, e.g. postgresql://user@127.0.0.1:5432/database");
        }
        int port = u.portOr(env.getOrDefault("PGPORT", "5432"), "PGPORT");
        checkOptions(libpq, shown);
        user = user != null ? user : env.getOrDefault("PGUSER", System.getProperty("user.name"));
        password = password != null ? password : env.get("PGPASSWORD");
        String database = u.database() != null ? u.database() : env.getOrDefault("PGDATABASE", user);
        return new PgLocation(host, port, user, password, database, libpq);
    }

    /** Values the JDBC driver would otherwise reject with its own, misleading, text. */
    private static void checkOptions(Map<String, String> libpq, String shown) {
        String mode = libpq.get("sslmode");
        if (mode != null && !java.util.Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full").contains(mode)) {
            throw MigratorException.badInput("sslmode=" + mode + " in " + shown
                    + " is not an SSL mode; use disable, allow, prefer, require, verify-ca or verify-full");
        }
        String timeout = libpq.get("connect_timeout");
        if (timeout != null && !timeout.matches("\\d{1,6}")) {
            throw MigratorException.badInput("connect_timeout=" + timeout + " in " + shown + " is not a number of seconds");
        }
    }

    /** The same server, another database. */
    PgLocation withDatabase(String other) {
        return new PgLocation(host, port, user, password, other, libpq);
    }

    /** {@code postgresql://user@host:port/db}: what people see; never the password. */
    @Override
    public String display() {
        return DatabaseUri.display("postgresql", user, host, port, database);
    }

    /** The environment that points pg_dump/pg_restore/psql at this database. */
    Map<String, String> toolEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", host);
        env.put("PGPORT", Integer.toString(port));
        env.put("PGUSER", user);
        env.put("PGDATABASE", database);
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        libpq.forEach((k, v) -> env.put(PARAMS.get(k), v));
        return env;
    }

    /** A JDBC connection; failures become one clear {@link MigratorException}. */
    Connection connect() {
        return connect(Map.of());
    }

    /** A JDBC connection with extra driver properties (e.g. {@code replication=database}). */
    Connection connect(Map<String, String> extra) {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", libpq.getOrDefault("application_name", "migrator"));
        libpq.forEach((k, v) -> {
            switch (k) {
                case "sslmode", "sslrootcert", "sslcert", "sslkey" -> props.setProperty(k, v);
                case "connect_timeout" -> props.setProperty("connectTimeout", v);
                default -> { }
            }
        });
        extra.forEach(props::setProperty);
        try {
            return DRIVER.connect("jdbc:postgresql://" + DatabaseUri.hostPort(host, port) + "/" + database, props);
        } catch (SQLException e) {
            throw failure(e, "connect to");
        }
    }

    /** Classifies a connection or query failure: credentials, missing database, unreachable server. */
    MigratorException failure(SQLException e, String doing) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String reason = oneLine(e.getMessage());
        MigratorException unknownHost = DatabaseUri.unknownHost(e, doing, display(), host);
        if (unknownHost != null) {
            return unknownHost;
        }
        // 08004: the driver found no password to answer the server's password request
        if (state.equals("28P01") || state.equals("28000") || state.equals("08004") && reason.contains("password")) {
            return new MigratorException(ErrorCode.AUTH, display() + " rejected user '" + user + "': " + reason
                    + "; give the password in PGPASSWORD, ~/.pgpass or the URI (postgresql://user:password@host/db, or "
                    + "?password-file=PATH to keep it off the command line)");
        }
        if (state.equals("3D000")) {
            return MigratorException.notFound("database '" + database + "' does not exist on " + display()
                    + "; check the name (createdb creates it)");
        }
        if (state.startsWith("08")) {
            return MigratorException.badInput("cannot " + doing + " " + display() + ": " + reason
                    + "; is PostgreSQL running there and accepting TCP connections?");
        }
        return new MigratorException(ErrorCode.FAILED, "cannot " + doing + " " + display() + ": " + reason, e);
    }

    /** Never the password: records print every component otherwise. */
    @Override
    public String toString() {
        return display();
    }

    static String oneLine(String message) {
        return DatabaseUri.oneLine(message);
    }
}
