package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Database;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.transfer.Progress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL database and a folder of objects in one bundle (two sources), restored into another
 * database (the second cluster on 5433 when it runs, else a new database on 5432) and another folder:
 * the database fingerprints and the objects agree. Databases are named mig_bundle_* and dropped.
 */
class DatabaseBundleTest {
    @TempDir
    Path dir;

    static Connection connect(int port, String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db, "postgres", "");
    }

    static void exec(int port, String db, String sql) throws SQLException {
        try (Connection c = connect(port, db); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static int targetPort() {
        try (Connection c = connect(5433, "postgres")) {
            return c.isValid(2) ? 5433 : 5432;
        } catch (SQLException e) {
            return 5432;
        }
    }

    @Test
    void postgresAndObjectsInOneBundle() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String source = "mig_bundle_src_" + suffix;
        String target = "mig_bundle_dst_" + suffix;
        int targetPort = targetPort();
        exec(5432, "postgres", "create database " + source + " template template0");
        try {
            exec(5432, source, """
                    create table users (id bigserial primary key, handle text unique not null, bio text, avatar bytea);
                    create table posts (id bigserial primary key, user_id bigint references users(id), body text not null,
                                        created timestamptz not null default now());
                    create index posts_user on posts(user_id);
                    insert into users (handle, bio, avatar) select 'user' || g, 'bio ☕ ' || g, decode(md5(g::text), 'hex')
                        from generate_series(1, 500) g;
                    insert into posts (user_id, body) select 1 + g % 500, repeat('post ' || g || ' ', 20) from generate_series(1, 5000) g;
                    """);
            try (Database db = Stores.database("postgresql://postgres@127.0.0.1:5432/" + source);
                 ObjectStore objects = Stores.open(dir.resolve("media").toUri().toString(), StoreOptions.DEFAULTS);
                 ObjectStore bundle = Stores.open(dir.resolve("bundle").toUri().toString(), StoreOptions.DEFAULTS);
                 ObjectStore restoredObjects = Stores.open(dir.resolve("restored").toUri().toString(), StoreOptions.DEFAULTS);
                 Database restoredDb = Stores.database("postgresql://postgres@127.0.0.1:" + targetPort + "/" + target)) {
                Map<String, byte[]> seeded = Seed.objects(objects);
                BundleRef ref = new BundleWriter(bundle, BundleRoundTripTest.small(dir.resolve("state")), Progress.NONE)
                        .create(List.of(new BundleSource.Objects(objects), new BundleSource.Db(db, Database.DumpOptions.defaults())));
                assertThat(ref.sources()).isEqualTo(2);

                BundleReader reader = BundleReader.open(bundle);
                Manifest.Source pg = reader.inspect().sources().get(1);
                assertThat(pg.kind()).isEqualTo(Manifest.Source.DATABASE);
                assertThat(pg.uri()).contains(source);
                assertThat(pg.dump().engine()).isEqualTo("postgresql");
                assertThat(pg.dump().restoreByHand()).isNotBlank();
                assertThat(pg.entries()).isPositive();
                assertThat(reader.verify(Progress.NONE).damage()).isEmpty();

                RestoreSummary summary = reader.restore(Map.of(
                        "s1", new RestoreTarget.Objects(restoredObjects),
                        "s2", new RestoreTarget.Db(restoredDb, Database.RestoreOptions.defaults())), RestoreOptions.defaults(), Progress.NONE);
                assertThat(summary.conflicts()).isZero();
                assertThat(db.fingerprint().differences(restoredDb.fingerprint())).isEmpty();
                assertThat(restoredDb.fingerprint().tables()).containsKeys("public.users", "public.posts");
                BundleRoundTripTest.assertIdentical(objects, restoredObjects, seeded.size());
            }
        } finally {
            exec(5432, "postgres", "drop database if exists " + source + " with (force)");
            exec(targetPort, "postgres", "drop database if exists " + target + " with (force)");
        }
    }
}
