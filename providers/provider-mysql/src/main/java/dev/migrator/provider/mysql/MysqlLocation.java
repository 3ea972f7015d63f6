package dev.migrator.provider.mysql;

import dev.migrator.provider.DatabaseUri;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where a MySQL/MariaDB database is and how to log in, parsed once from
 * {@code mysql://[user[:password]@]host[:port]/database[?password-file=PATH]} (or {@code mariadb://}).
 *
 * <p>The tools read the usual option files themselves ({@code ~/.my.cnf} and the system ones). The
 * JDBC side reads {@code user}, {@code password}, {@code host} and {@code port} from the {@code [client]},
 * {@code [client-server]} and {@code [client-mariadb]} groups of {@code ~/.my.cnf} for what the URI leaves
 * out, and {@code MYSQL_PWD}. A password given with the URI (its user info, or the first line of the file
 * named by {@code password-file=}, which keeps it out of {@code ps}) reaches the tools in their
 * environment ({@link #toolEnvironment}), never as an argument or in a file.
 */
record MysqlLocation(String host, int port, String user, String password, boolean passwordFromUri, String database) implements dev.migrator.provider.ToolDatabase.Location {

    static MysqlLocation parse(URI uri, Map<String, String> env, Path myCnf) {
        DatabaseUri u = DatabaseUri.parse(uri, "mysql://user@host:3306/database");
        String shown = u.shown();
        if (!u.options().isEmpty()) {
            throw MigratorException.badInput("'" + shown + "' has the option '" + u.options().keySet().iterator().next()
                    + "'; a MySQL URI takes only password-file=PATH: put other client settings in ~/.my.cnf");
        }
        if (u.database() == null) {
            throw MigratorException.badInput("'" + shown + "' must name one database: mysql://user@host:3306/database");
        }
        String password = u.password();
        boolean fromUri = password != null;
        Map<String, String> cnf = readOptionFile(myCnf);
        String host = u.host() != null ? u.host() : cnf.getOrDefault("host", "127.0.0.1");
        if (host.equals("localhost")) {
            host = "127.0.0.1"; // the tools would take "localhost" to mean the Unix socket; we speak TCP on both sides
        }
        int port = u.portOr(cnf.getOrDefault("port", "3306"), "port in ~/.my.cnf");
        String user = u.user() != null ? u.user() : cnf.getOrDefault("user", System.getProperty("user.name"));
        if (fromUri && cnf.containsKey("password") && !cnf.get("password").equals(password)) {
            // the tools take an option file's password before MYSQL_PWD, so they would log in with that one
            throw MigratorException.badInput(myCnf + " sets a password, and the MySQL tools would use it instead of the one "
                    + "given with " + shown + "; remove one of the two");
        }
        password = password != null ? password : env.getOrDefault("MYSQL_PWD", cnf.get("password"));
        return new MysqlLocation(host, port, user, password, fromUri, u.database());
    }

    /** {@code key=value} lines of the client groups of a MySQL option file; missing file: empty. */
    static Map<String, String> readOptionFile(Path file) {
        Map<String, String> out = new HashMap<>();
        if (file == null || !Files.isReadable(file)) {
            return out;
        }
        try {
            boolean client = false;
            for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String line = raw.strip();
                if (line.startsWith("[")) {
                    String group = line.replaceAll("[\\[\\]\\s]", "").toLowerCase(Locale.ROOT);
                    client = group.equals("client") || group.equals("client-server") || group.equals("client-mariadb");
                } else if (client && !line.startsWith("#") && !line.startsWith(";") && line.contains("=")) {
                    int eq = line.indexOf('=');
                    String value = line.substring(eq + 1).strip();
                    if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                            || value.startsWith("'") && value.endsWith("'"))) {
                        value = value.substring(1, value.length() - 1);
                    }
                    out.put(line.substring(0, eq).strip().toLowerCase(Locale.ROOT).replace('_', '-'), value);
                }
            }
        } catch (IOException e) {
            // an unreadable option file is the same as none; the tools will say so if it matters
        }
        return out;
    }

    MysqlLocation withDatabase(String other) {
        return new MysqlLocation(host, port, user, password, passwordFromUri, other);
    }

    /** {@code mysql://user@host:port/db}: what people see; never the password. */
    @Override
    public String display() {
        return DatabaseUri.display("mysql", user, host, port, database);
    }

    @Override
    public String toString() {
        return display();
    }

    /** Connection arguments for mariadb/mariadb-dump, after the executable; never the password. */
    List<String> toolArguments() {
        return List.of("--protocol=TCP", "--host=" + host, "--port=" + port, "--user=" + user);
    }

    /**
     * The environment that logs the tools in: the password in {@code MYSQL_PWD} (removed when there is none,
     * so the caller's own cannot reach the other side's tool).
     *
     * <p>Why the environment and not a 0600 option file ({@code --defaults-extra-file}, as before): a file
     * must be deleted by migrator, and a kill -9 of migrator deletes nothing, so the password stayed in the
     * temporary directory. A child's environment is readable only by its owner (like a 0600 file) and lives
     * in that process's memory alone: nothing is on disk, whatever happens to migrator or the tool.
     */
    Map<String, String> toolEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("MYSQL_PWD", password);
        return env;
    }

    Connection connect() {
        return connect(false);
    }

    /**
     * A session; with {@code localInfile} the driver may answer a {@code LOAD DATA LOCAL INFILE} of this session
     * (the snapshot copy's writers stream rows that way; the driver only sends a file the statement itself named, or
     * the stream the caller set).
     */
    Connection connect(boolean localInfile) {
        Properties props = new Properties();
        if (localInfile) {
            props.setProperty("allowLocalInfile", "true");
        }
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("permitMysqlScheme", "true");
        try {
            return DriverManager.getConnection("jdbc:mariadb://" + DatabaseUri.hostPort(host, port) + "/" + database, props);
        } catch (SQLException e) {
            throw failure(e, "connect to");
        }
    }

    /** Classifies a failure: credentials (1045), missing database (1049), unreachable server. */
    MigratorException failure(SQLException e, String doing) {
        String reason = oneLine(e.getMessage());
        int code = e.getErrorCode();
        MigratorException unknownHost = DatabaseUri.unknownHost(e, doing, display(), host);
        if (unknownHost != null) {
            return unknownHost;
        }
        if (code == 1045 || code == 1698) {
            return new MigratorException(ErrorCode.AUTH, display() + " rejected user '" + user + "': " + reason
                    + "; give the password in ~/.my.cnf ([client] password=...), MYSQL_PWD or the URI (mysql://user:password@host/db, "
                    + "or ?password-file=PATH to keep it off the command line)");
        }
        if (code == 1049) {
            return MigratorException.notFound("database '" + database + "' does not exist on " + display()
                    + "; check the name (CREATE DATABASE creates it)");
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || e instanceof java.sql.SQLNonTransientConnectionException) {
            return MigratorException.badInput("cannot " + doing + " " + display() + ": " + reason
                    + "; is the server running there and accepting TCP connections?");
        }
        return new MigratorException(ErrorCode.FAILED, "cannot " + doing + " " + display() + ": " + reason, e);
    }

    static String oneLine(String message) {
        return DatabaseUri.oneLine(message);
    }
}
