package dev.migrator.provider;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What every database adapter reads alike in {@code scheme://[user[:password]@][host][:port]/database[?options]},
 * parsed once: the user info, the one database of the path, the host and port, and the query options (decoded,
 * keys in lower case). {@code password-file=PATH} is read here for all engines: the first line of the file is
 * the password, which keeps it out of {@code ps}. A part the URI leaves out is {@code null} (port: -1); what an
 * engine takes for it (its environment, its option files) and which other options it accepts is the adapter's.
 *
 * @param shown    the URI as people may see it (redacted)
 * @param options  the query options other than {@code password-file}, in URI order
 */
public record DatabaseUri(String shown, String user, String password, String host, int port, String database,
                          Map<String, String> options) {

    /** Parses {@code uri}; {@code example} (e.g. {@code postgresql://user@host:5432/database}) is shown on bad input. */
    public static DatabaseUri parse(URI uri, String example) {
        String shown = Redaction.uri(uri.toString());
        if (uri.isOpaque() || uri.getRawPath() == null) {
            throw MigratorException.badInput("'" + shown + "' is not a database URI; use " + example);
        }
        String user = null;
        String password = null;
        String info = uri.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        String authority = uri.getRawAuthority();
        if (uri.getHost() == null && authority != null && !authority.isEmpty() && !authority.endsWith("@")) {
            // java.net.URI keeps an authority it cannot split into host and port, and says nothing
            throw MigratorException.badInput("cannot read the host and port of '" + shown + "'; use " + example);
        }
        String path = uri.getRawPath();
        String database = path.length() > 1 ? decode(path.substring(1)) : null;
        if (database != null && database.contains("/")) {
            throw MigratorException.badInput("'" + shown + "' names '" + database + "'; a database URI names one database: "
                    + example);
        }
        Map<String, String> options = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (key.equals("password-file")) {
                    if (value.isEmpty()) {
                        throw MigratorException.badInput("password-file in " + shown + " names no file; use password-file=PATH");
                    }
                    password = Redaction.secretFromFile(key, value, shown);
                } else {
                    options.put(key, value);
                }
            }
        }
        return new DatabaseUri(shown, user, password, uri.getHost(), uri.getPort(), database,
                Collections.unmodifiableMap(options));
    }

    /**
     * The URI's port, else {@code fallback} (taken from {@code source}, e.g. {@code PGPORT}); either must be a
     * port from 1 to 65535.
     */
    public int portOr(String fallback, String source) {
        int p;
        if (port > 0) {
            p = port;
        } else {
            try {
                p = Integer.parseInt(fallback.strip());
            } catch (NumberFormatException e) {
                throw MigratorException.badInput(source + " '" + fallback + "' is not a port number (for " + shown + ")");
            }
        }
        if (p < 1 || p > 65535) {
            throw MigratorException.badInput("port " + p + " of " + shown + " is out of range; use a port from 1 to 65535");
        }
        return p;
    }

    /** {@code host:port}, an IPv6 host in brackets: for JDBC URLs and {@link #display}. */
    public static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** {@code scheme://user@host:port/database}: what people see of a database; never the password. */
    public static String display(String scheme, String user, String host, int port, String database) {
        return scheme + "://" + user + "@" + hostPort(host, port) + "/" + database;
    }

    /** A driver's or tool's message on one line. */
    public static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /**
     * {@link ErrorCode#BAD_INPUT} naming the host when {@code e} was caused by a host name that does not
     * resolve (the drivers say only that the connection failed), else {@code null}.
     */
    public static MigratorException unknownHost(Throwable e, String doing, String display, String host) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.UnknownHostException) {
                return MigratorException.badInput("cannot " + doing + " " + display + ": unknown host '" + host
                        + "'; check the host name");
            }
        }
        return null;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
