package dev.migrator.bundle;

import static dev.migrator.bundle.DatabaseBundleTest.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Database;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.transfer.Progress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bundle sources and restore targets resolved from URIs alone (what the CLI and a plan give): a real
 * PostgreSQL database and a folder in one bundle, restored by URI into another database and folder.
 */
class BundleEndpointsTest {
    @TempDir
    Path dir;

    @Test
    void aDatabaseAndAFolderByUriInOneBundleRestoredByUri() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String source = "mig_bundle_ep_src_" + suffix;
        String target = "mig_bundle_ep_dst_" + suffix;
        exec(5432, "postgres", "create database " + source + " template template0");
        try {
            exec(5432, source, "create table notes (id int primary key, body text not null);"
                    + " insert into notes select g, 'note ' || g from generate_series(1, 300) g;");
            String sourceDb = "postgresql://postgres@127.0.0.1:5432/" + source;
            String targetDb = "postgresql://postgres@127.0.0.1:5432/" + target;
            Map<String, byte[]> seeded;
            try (ObjectStore media = Stores.open(dir.resolve("media").toUri().toString(), StoreOptions.DEFAULTS)) {
                seeded = Seed.objects(media);
            }
            try (BundleEndpoints ends = new BundleEndpoints(StoreOptions.DEFAULTS)) {
                BundleSource objects = ends.source(dir.resolve("media").toUri().toString());
                BundleSource db = ends.source(sourceDb);
                assertThat(objects).isInstanceOf(BundleSource.Objects.class);
                assertThat(db).isInstanceOfSatisfying(BundleSource.Db.class,
                        d -> assertThat(d.options()).isEqualTo(Database.DumpOptions.defaults()));
                ObjectStore bundle = ends.store(dir.resolve("bundle").toUri().toString());
                BundleRef ref = new BundleWriter(bundle, BundleRoundTripTest.small(dir.resolve("state")), Progress.NONE)
                        .create(List.of(objects, db));
                assertThat(ref.sources()).isEqualTo(2);

                RestoreTarget folder = ends.target(dir.resolve("restored").toUri().toString(), false);
                RestoreTarget restoredDb = ends.target(targetDb, false);
                assertThat(folder).isInstanceOf(RestoreTarget.Objects.class);
                assertThat(restoredDb).isInstanceOfSatisfying(RestoreTarget.Db.class,
                        d -> assertThat(d.options()).isEqualTo(Database.RestoreOptions.defaults()));
                assertThat(((RestoreTarget.Db) ends.target(targetDb, true)).options().allowNonEmpty()).isTrue();

                RestoreSummary s = BundleReader.open(bundle).restore(Map.of("s1", folder, "s2", restoredDb),
                        RestoreOptions.defaults(), Progress.NONE);
                assertThat(s.conflicts()).isZero();
                Database src = ((BundleSource.Db) db).database();
                Database dst = ((RestoreTarget.Db) restoredDb).database();
                assertThat(src.fingerprint().differences(dst.fingerprint())).isEmpty();
                assertThat(dst.fingerprint().tables()).containsKey("public.notes");
                BundleRoundTripTest.assertIdentical(((BundleSource.Objects) objects).store(),
                        ((RestoreTarget.Objects) folder).store(), seeded.size());
            }
        } finally {
            exec(5432, "postgres", "drop database if exists " + source + " with (force)");
            exec(5432, "postgres", "drop database if exists " + target + " with (force)");
        }
    }

    @Test
    void anUnknownSchemeIsBadInputNamingIt() {
        try (BundleEndpoints ends = new BundleEndpoints(StoreOptions.DEFAULTS)) {
            assertThatThrownBy(() -> ends.source("ftp://host/dir"))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.getMessage()).contains("unknown scheme 'ftp'");
                    });
        }
    }
}
