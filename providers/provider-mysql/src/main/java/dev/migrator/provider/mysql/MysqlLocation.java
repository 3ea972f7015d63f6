package dev.migrator.provider.mysql;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Redaction;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
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
record MysqlLocation(String host, int port, String user, String password, boolean passwordFromUri, String database) {

    static MysqlLocation parse(URI uri, Map<String, String> env, Path myCnf) {
        String shown = Redaction.uri(uri.toString());
        if (uri.isOpaque() || uri.getRawPath() == null) {
            throw MigratorException.badInput("'" + shown + "' is not a database URI; use mysql://user@host:3306/database");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
                if (!key.equals("password-file") || eq < 0) {
                    throw MigratorException.badInput("'" + shown + "' has the option '" + key + "'; a MySQL URI takes only "
                            + "password-file=PATH: put other client settings in ~/.my.cnf");
                }
                password = Redaction.secretFromFile(key, decode(pair.substring(eq + 1)), shown);
            }
        }
        String path = uri.getRawPath();
        String database = path.length() > 1 ? decode(path.substring(1)) : "";
        if (database.isEmpty() || database.contains("/")) {
            throw MigratorException.badInput("'" + shown + "' must name one database: mysql://user@host:3306/database");
        }
        boolean fromUri = password != null;
        Map<String, String> cnf = readOptionFile(myCnf);
        String host = uri.getHost() != null ? uri.getHost() : cnf.getOrDefault("host", "127.0.0.1");
        if (host.equals("localhost")) {
            host = "127.0.0.1"; // the tools would take "localhost" to mean the Unix socket; we speak TCP on both sides
        }
        int port = uri.getPort() > 0 ? uri.getPort() : parsePort(cnf.getOrDefault("port", "3306"), shown);
        if (port < 1 || port > 65535) {
            throw MigratorException.badInput("port " + port + " of " + shown + " is out of range; use a port from 1 to 65535");
        }
        user = user != null ? user : cnf.getOrDefault("user", System.getProperty("user.name"));
        if (fromUri && cnf.containsKey("password") && !cnf.get("password").equals(password)) {
            // the tools take an option file's password before MYSQL_PWD, so they would log in with that one
            throw MigratorException.badInput(myCnf + " sets a password, and the MySQL tools would use it instead of the one "
                    + "given with " + shown + "; remove one of the two");
        }
        password = password != null ? password : env.getOrDefault("MYSQL_PWD", cnf.get("password"));
        return new MysqlLocation(host, port, user, password, fromUri, database);
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

    private static int parsePort(String port, String shown) {
        try {
            return Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw MigratorException.badInput("port '" + port + "' in ~/.my.cnf is not a number (for " + shown + ")");
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    MysqlLocation withDatabase(String other) {
        return new MysqlLocation(host, port, user, password, passwordFromUri, other);
    }

    /** {@code mysql://user@host:port/db}: what people see; never the password. */
    String display() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "mysql://" + user + "@" + h + ":" + port + "/" + database;
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
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("permitMysqlScheme", "true");
        String h = host.contains(":") ? "[" + host + "]" : host;
        try {
            return DriverManager.getConnection("jdbc:mariadb://" + h + ":" + port + "/" + database, props);
        } catch (SQLException e) {
            throw failure(e, "connect to");
        }
    }

    /** Classifies a failure: credentials (1045), missing database (1049), unreachable server. */
    MigratorException failure(SQLException e, String doing) {
        String reason = oneLine(e.getMessage());
        int code = e.getErrorCode();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.UnknownHostException) {
                return MigratorException.badInput("cannot " + doing + " " + display() + ": unknown host '" + host
                        + "'; check the host name");
            }
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
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
