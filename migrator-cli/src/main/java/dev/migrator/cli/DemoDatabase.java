package dev.migrator.cli;

import dev.migrator.provider.Redaction;
import dev.migrator.provider.Stores;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The demo's PostgreSQL part: a microblog database (users, posts, follows) on a server the user already has.
 * Used only when the postgresql provider, a reachable server and pg_dump are all there; otherwise the demo
 * says why and goes on with the objects alone. The demo owns its databases and resets them on every run.
 */
record DemoDatabase(String server, String sourceDb, String targetDb) {

    String sourceUri() {
        return server + sourceDb;
    }

    String targetUri() {
        return server + targetDb;
    }

    String drillUri() {
        return server + targetDb + "_drill";
    }

    /** Creates and seeds the source database and drops the demo's targets; null (having said why) when PostgreSQL is not usable. */
    static DemoDatabase prepare(String server, String sourceDb, String targetDb, int users) {
        String base = server.endsWith("/") ? server : server + "/";
        String why = unusable(base);
        if (why != null) {
            System.out.println("PostgreSQL part skipped: " + why + ". The demo goes on with the object store alone.");
            return null;
        }
        DemoDatabase db = new DemoDatabase(base, sourceDb, targetDb);
        try (Connection c = db.connect("postgres"); Statement st = c.createStatement()) {
            for (String name : new String[] {sourceDb, targetDb, targetDb + "_drill"}) {
                st.execute("drop database if exists " + name + " with (force)");
            }
            st.execute("create database " + sourceDb + " template template0");
        } catch (SQLException e) {
            System.out.println("PostgreSQL part skipped: cannot create the demo databases on " + Redaction.uri(base) + " ("
                    + e.getMessage().lines().findFirst().orElse("") + "). The demo goes on with the object store alone.");
            return null;
        }
        try (Connection c = db.connect(sourceDb); Statement st = c.createStatement()) {
            st.execute("create table users (id bigint primary key, handle text unique not null, bio text, joined date not null)");
            st.execute("create table posts (id bigint primary key, user_id bigint not null references users, body text not null, "
                    + "media_key text)");
            st.execute("create table follows (follower bigint references users, followee bigint references users, "
                    + "primary key (follower, followee))");
            st.execute("insert into users select u, format('user-%s', lpad(u::text, 5, '0')), format('hello from user %s ☕', u), "
                    + "date '2020-01-01' + (u % 2000) from generate_series(1, " + users + ") u");
            st.execute("insert into posts select 1000000 + u * 10 + p, u, format('post %s of user %s', p, u), "
                    + "format('media/2026/11/%s.jpg', 1000000 + u * 10 + p) from generate_series(1, " + users + ") u, generate_series(0, 2) p");
            st.execute("insert into follows select a, b from generate_series(1, " + users + ") a, generate_series(1, " + users
                    + ") b where a <> b and (a * 31 + b * 17) % 23 = 0");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot seed the demo database " + sourceDb + ": " + e.getMessage(), e);
        }
        return db;
    }

    /** New rows written while the pre-copy runs. */
    void liveWrites() throws SQLException {
        try (Connection c = connect(sourceDb); Statement st = c.createStatement()) {
            st.execute("insert into posts values (9999999, 1, 'written during the pre-copy', 'media/2026/11/9999999.jpg')");
            st.execute("update users set bio = 'moved to a new host' where id = 1");
        }
    }

    private Connection connect(String database) throws SQLException {
        URI u = URI.create(server);
        String user = u.getUserInfo() == null ? "postgres" : u.getUserInfo().split(":", 2)[0];
        String password = u.getUserInfo() != null && u.getUserInfo().contains(":") ? u.getUserInfo().split(":", 2)[1] : "";
        String host = u.getHost() == null ? "127.0.0.1" : u.getHost();
        int port = u.getPort() < 0 ? 5432 : u.getPort();
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, user, password);
    }

    private static String unusable(String base) {
        if (!Stores.factories().containsKey("postgresql")) {
            return "this build has no postgresql provider";
        }
        if (!hasPgDump()) {
            return "pg_dump is not installed (apt-get install postgresql-client)";
        }
        try (Connection c = new DemoDatabase(base, "", "").connect("postgres")) {
            return c.isValid(3) ? null : "no answer from " + Redaction.uri(base);
        } catch (SQLException | IllegalArgumentException e) {
            return "no PostgreSQL server at " + Redaction.uri(base) + " (" + e.getMessage().lines().findFirst().orElse("") + ")";
        }
    }

    private static boolean hasPgDump() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "pg_dump"))) {
                return true;
            }
        }
        try (var dirs = Files.list(Path.of("/usr/lib/postgresql"))) {
            return dirs.anyMatch(d -> Files.isExecutable(d.resolve("bin/pg_dump")));
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
