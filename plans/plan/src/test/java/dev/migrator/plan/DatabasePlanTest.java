package dev.migrator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.report.RunReport;
import dev.migrator.bundle.Manifest;
import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.Databases;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Database moves of a plan against the real PostgreSQL service (127.0.0.1:5432): direct copy, dump/restore and bundle, verified. */
class DatabasePlanTest {
    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final String source = "mig_plan_src_" + suffix;
    final List<String> created = new ArrayList<>(List.of(source, "mig_plan_direct_" + suffix, "mig_plan_dump_" + suffix,
            "mig_plan_drill_" + suffix, "mig_plan_bundle_" + suffix));

    @TempDir
    Path dir;

    static Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "");
    }

    @AfterEach
    void drop() throws SQLException {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            for (String db : created) {
                st.execute("drop database if exists " + db + " with (force)");
            }
        }
    }

    static void seed(String db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            st.execute("create table users (id bigserial primary key, handle text unique not null, bio text)");
            st.execute("create table posts (id bigserial primary key, user_id bigint references users, body text, at timestamptz default now())");
            st.execute("create table follows (follower bigint references users, followee bigint references users, primary key (follower, followee))");
            st.execute("insert into users (handle, bio) select 'user' || i, 'bio ☕ ' || i from generate_series(1, 500) i");
            st.execute("insert into posts (user_id, body) select 1 + i % 500, 'post ' || i from generate_series(1, 3000) i");
            st.execute("insert into follows select i, 1 + (i * 7) % 500 from generate_series(1, 500) i where i <> 1 + (i * 7) % 500");
        }
    }

    static long count(String db, String table) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A dump folder in a staging location that already holds someone else's files is refused, never cleared. */
    @Test
    void aDumpNeverClearsAStagingFolderItDidNotMake() throws Exception {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + source + " template template0");
        }
        seed(source);
        Path staging = dir.resolve("staging");
        Files.createDirectories(staging.resolve("db-dump"));
        Files.writeString(staging.resolve("db-dump/keep-me.txt"), "not migrator's");
        Path file = dir.resolve("db.yaml");
        Files.writeString(file, """
                sources: {db: 'postgresql://postgres@127.0.0.1:5432/%s'}
                targets: {dumped: 'postgresql://postgres@127.0.0.1:5432/%s'}
                moves:
                  - {name: db-dump, from: db, to: dumped, via: dump, staging: '%s'}
                limits: {attempts: 1}
                """.formatted(source, created.get(2), staging.toUri()));
        RunReport r = PlanRunner.run(PlanParser.parse(file), PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        assertThat(r.exitCode()).as(r.summary()).isNotZero();
        assertThat(r.result().outcomes()).filteredOn(o -> o.step().id().equals("cutover/db-dump/db-dump")).singleElement()
                .satisfies(o -> assertThat(o.error()).contains("already holds files that migrator did not write"));
        assertThat(Files.readString(staging.resolve("db-dump/keep-me.txt"))).isEqualTo("not migrator's");
    }

    @Test
    void directAndDumpMovesCopyAndVerifyTheDatabase() throws Exception {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + source + " template template0");
        }
        seed(source);
        Path file = dir.resolve("db.yaml");
        Files.writeString(file, """
                sources: {db: 'postgresql://postgres@127.0.0.1:5432/%s'}
                targets:
                  direct: 'postgresql://postgres@127.0.0.1:5432/%s'
                  dumped: 'postgresql://postgres@127.0.0.1:5432/%s'
                moves:
                  - {name: db-direct, from: db, to: direct}
                  - {name: db-dump, from: db, to: dumped, via: dump, dump: {jobs: 2}}
                limits: {attempts: 1}
                drill:
                  targets:
                    direct: 'postgresql://postgres@127.0.0.1:5432/%s'
                    dumped: 'postgresql://postgres@127.0.0.1:5432/%s'
                """.formatted(source, created.get(1), created.get(2), created.get(3), created.get(3) + "b"));
        created.add(created.get(3) + "b");
        Plan plan = PlanParser.parse(file);
        RunReport r = PlanRunner.run(plan, PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        assertThat(r.exitCode()).as(r.summary()).isZero();
        assertThat(r.result().outcomes()).extracting(o -> o.step().id()).contains("cutover/db-direct/db-copy",
                "cutover/db-dump/db-dump", "cutover/db-dump/db-restore", "cutover/db-direct/db-verify", "cutover/db-dump/db-verify");
        assertThat(r.result().outcomes()).filteredOn(o -> o.step().kind().equals("db-verify"))
                .allSatisfy(o -> assertThat(o.result().verified()).isTrue());
        assertThat(count(created.get(1), "posts")).isEqualTo(3000);
        assertThat(count(created.get(2), "follows")).isEqualTo(count(source, "follows"));
        assertThat(Files.exists(dir.resolve("state/dumps/db-dump/dump.json"))).isTrue();

        // The same plan again: the targets are identical to the source, so the copies find nothing to do.
        RunReport same = PlanRunner.run(plan, PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        assertThat(same.exitCode()).as(same.summary()).isZero();

        // The source changed since: the non-empty targets differ and are refused as conflicts, never overwritten.
        try (Connection c = connect(source); Statement st = c.createStatement()) {
            st.execute("insert into posts (user_id, body) values (1, 'written after the copy')");
        }
        RunReport again = PlanRunner.run(plan, PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        assertThat(again.exitCode()).isNotZero();
        assertThat(again.result().outcomes()).filteredOn(o -> o.step().kind().equals("db-copy") || o.step().kind().equals("db-restore"))
                .hasSize(2).allSatisfy(o -> {
                    assertThat(o.status()).isEqualTo(StepOutcome.Status.FAILED);
                    assertThat(o.code()).isEqualTo("CONFLICT");
                });
        assertThat(count(created.get(1), "posts")).isEqualTo(3000);
    }

    /**
     * The rules the CLI applies (Databases.open) hold in a plan too, and before the dump runs: a PostgreSQL
     * dump for a MariaDB target, or a database moved onto itself, is refused as bad input naming both ends,
     * and no dump is written.
     */
    @Test
    void aDumpForAnotherEngineOrTheSameDatabaseIsRefusedBeforeItRuns() throws Exception {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + source + " template template0");
        }
        seed(source);
        Path file = dir.resolve("db.yaml");
        Files.writeString(file, """
                sources: {db: 'postgresql://postgres@127.0.0.1:5432/%s'}
                targets:
                  maria: 'mysql://root@127.0.0.1:3306/mig_plan_never_%s'
                  itself: 'postgresql://postgres@127.0.0.1:5432/%s'
                moves:
                  - {name: to-maria, from: db, to: maria, via: dump}
                  - {name: onto-itself, from: db, to: itself, via: dump}
                limits: {attempts: 1}
                """.formatted(source, suffix, source));
        RunReport r = PlanRunner.run(PlanParser.parse(file), PlanRunner.Options.of(dir.resolve("state")), false, null,
                new ArrayList<>());
        assertThat(r.exitCode()).as(r.summary()).isNotZero();
        assertThat(r.result().outcomes()).filteredOn(o -> o.step().kind().equals("db-dump")).hasSize(2).allSatisfy(o -> {
            assertThat(o.status()).isEqualTo(StepOutcome.Status.FAILED);
            assertThat(o.code()).isEqualTo("BAD_INPUT");
        });
        assertThat(r.result().outcomes()).filteredOn(o -> o.step().id().equals("cutover/to-maria/db-dump"))
                .singleElement().satisfies(o -> assertThat(o.error()).contains("same engine").contains("mysql://root@127.0.0.1:3306/"));
        assertThat(r.result().outcomes()).filteredOn(o -> o.step().id().equals("cutover/onto-itself/db-dump"))
                .singleElement().satisfies(o -> assertThat(o.error()).contains("same database"));
        assertThat(dir.resolve("state/dumps/to-maria/dump.json")).doesNotExist();
        assertThat(dir.resolve("state/dumps/onto-itself/dump.json")).doesNotExist();
    }

    /**
     * A database and a bucket moved through bundles on one staging store in one plan: the database's dump is packed
     * into STAGING/db/, restored into a new database and verified by fingerprint; the objects arrive identical.
     */
    @Test
    void aDatabaseAndObjectsMoveThroughBundlesOnOneStagingStore() throws Exception {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + source + " template template0");
        }
        seed(source);
        Path objects = Files.createDirectories(dir.resolve("objects/media"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(objects.resolve("file-" + i + ".txt"), "object " + i + " ☕ ".repeat(i * 50));
        }
        Path target = dir.resolve("restored");
        Path staging = dir.resolve("staging");
        String targetDb = created.get(4);
        Path file = dir.resolve("bundle.yaml");
        Files.writeString(file, """
                sources:
                  db: 'postgresql://postgres@127.0.0.1:5432/%s'
                  files: '%s'
                targets:
                  newdb: 'postgresql://postgres@127.0.0.1:5432/%s'
                  newfiles: '%s'
                moves:
                  - {name: db, from: db, to: newdb, via: bundle, staging: '%s'}
                  - {name: files, from: files, to: newfiles, via: bundle, staging: '%s'}
                limits: {attempts: 1}
                """.formatted(source, dir.resolve("objects").toUri(), targetDb, target.toUri(), staging.toUri(), staging.toUri()));
        RunReport r = PlanRunner.run(PlanParser.parse(file), PlanRunner.Options.of(dir.resolve("state")), false, null,
                new ArrayList<>());
        assertThat(r.exitCode()).as(r.summary()).isZero();
        assertThat(r.result().outcomes()).extracting(o -> o.step().id()).containsSubsequence(
                "cutover/db/bundle-pack", "cutover/db/bundle-restore", "cutover/db/db-verify");
        assertThat(r.result().outcomes()).extracting(o -> o.step().id()).contains("presync/files/bundle-pack",
                "presync/files/bundle-restore", "cutover/files/verify");
        assertThat(r.result().outcomes()).filteredOn(o -> o.step().kind().equals("db-verify"))
                .singleElement().satisfies(o -> assertThat(o.result().verified()).isTrue());
        // The dump went through the bundle on the staging store, not through dump files.
        assertThat(staging.resolve("db/SHA256SUMS")).exists();
        assertThat(dir.resolve("state/dumps/db")).doesNotExist();

        try (Databases.Pair pair = Databases.open("postgresql://postgres@127.0.0.1:5432/" + source,
                "postgresql://postgres@127.0.0.1:5432/" + targetDb, "verify")) {
            Databases.Comparison c = Databases.compare(pair.source(), pair.target());
            assertThat(c.differences()).isEmpty();
            assertThat(c.targetRows()).isEqualTo(500 + 3000 + count(source, "follows"));
        }
        try (var walk = Files.walk(objects)) {
            List<Path> files = walk.filter(Files::isRegularFile).toList();
            assertThat(files).hasSize(20);
            for (Path f : files) {
                Path copy = target.resolve(dir.resolve("objects").relativize(f).toString());
                assertThat(copy).exists().hasSameBinaryContentAs(f);
            }
        }
        try (var walk = Files.walk(target)) {
            assertThat(walk.filter(Files::isRegularFile).count()).isEqualTo(20);
        }

        // The same plan again: the target database is identical, so nothing is packed or restored.
        RunReport same = PlanRunner.run(PlanParser.parse(file), PlanRunner.Options.of(dir.resolve("state")), false, null,
                new ArrayList<>());
        assertThat(same.result().outcomes()).filteredOn(o -> o.step().move() != null && o.step().move().equals("db"))
                .allSatisfy(o -> assertThat(o.status()).as(o.step().id() + ": " + o.error()).isNotEqualTo(StepOutcome.Status.FAILED));
    }

    /**
     * A database and a bucket in ONE bundle (both moves name {@code bundle: exit}) on an S3 staging store: the bundle is
     * packed in the cut-over, after the freeze, so the dump and the objects are one snapshot; the plan restores both,
     * and the database and every object are verified at their targets.
     */
    @Test
    void aDatabaseAndABucketShareOneBundleRestoredByThePlan() throws Exception {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + source + " template template0");
        }
        seed(source);
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("media");
            s3.createBucket("staging");
            Map<String, byte[]> objects = new java.util.TreeMap<>();
            try (ObjectStore media = Stores.openAdapter(s3.s3Uri("media", ""), StoreOptions.DEFAULTS)) {
                java.util.Random r = new java.util.Random(7);
                for (int i = 0; i < 30; i++) {
                    byte[] b = new byte[100 + r.nextInt(5000)];
                    r.nextBytes(b);
                    String key = "posts/" + i + ".jpg";
                    media.put(key, Content.of(b), new ObjectMetadata("image/jpeg", null, null, null, Map.of("n", "" + i)));
                    objects.put(key, b);
                }
            }
            String targetDb = created.get(4);
            Path target = dir.resolve("new-media");
            Path file = dir.resolve("one-bundle.yaml");
            Files.writeString(file, """
                    sources:
                      db: 'postgresql://postgres@127.0.0.1:5432/%s'
                      media: '%s'
                    targets:
                      newdb: 'postgresql://postgres@127.0.0.1:5432/%s'
                      newmedia: '%s'
                    moves:
                      - {name: posts, from: db, to: newdb, via: bundle, bundle: exit, staging: '%s'}
                      - {name: media, from: media, to: newmedia, via: bundle, bundle: exit, staging: '%s'}
                    limits: {attempts: 1}
                    """.formatted(source, s3.s3Uri("media", ""), targetDb, target.toUri(), s3.s3Uri("staging", ""),
                    s3.s3Uri("staging", "")));
            RunReport r = PlanRunner.run(PlanParser.parse(file), PlanRunner.Options.of(dir.resolve("state")), false, null,
                    new ArrayList<>());
            assertThat(r.exitCode()).as(r.summary()).isZero();
            List<String> ids = r.result().outcomes().stream().map(o -> o.step().id()).toList();
            // One pack and one restore, in the cut-over; no bundle of its own for either move.
            assertThat(ids).containsSubsequence("cutover/exit/bundle-pack", "cutover/exit/bundle-restore", "cutover/posts/db-verify");
            assertThat(ids).contains("cutover/media/verify").noneMatch(id -> id.startsWith("presync/"))
                    .doesNotContain("cutover/posts/bundle-pack", "cutover/media/bundle-pack");
            assertThat(r.result().outcomes()).filteredOn(o -> o.step().kind().equals("db-verify") || o.step().kind().equals("verify"))
                    .hasSize(2).allSatisfy(o -> assertThat(o.result().verified()).as(o.step().id()).isTrue());

            // The bundle holds both, as s1 (the dump) and s2 (the objects), in one manifest at STAGING/exit/.
            try (ObjectStore staging = Stores.openAdapter(s3.s3Uri("staging", "exit/"), StoreOptions.DEFAULTS)) {
                Manifest.Header header = dev.migrator.bundle.BundleReader.open(staging).inspect();
                assertThat(header.sources()).extracting(Manifest.Source::kind).containsExactly(Manifest.Source.DATABASE, "objects");
            }
            try (Databases.Pair pair = Databases.open("postgresql://postgres@127.0.0.1:5432/" + source,
                    "postgresql://postgres@127.0.0.1:5432/" + targetDb, "verify")) {
                assertThat(Databases.compare(pair.source(), pair.target()).differences()).isEmpty();
            }
            for (Map.Entry<String, byte[]> e : objects.entrySet()) {
                assertThat(target.resolve(e.getKey())).hasBinaryContent(e.getValue());
            }
            try (var walk = Files.walk(target)) {
                assertThat(walk.filter(Files::isRegularFile).count()).isEqualTo(objects.size());
            }
        }
    }

    /** Moves of one bundle write it to one staging store; a bundle cannot take the name of a move outside it. */
    @Test
    void sharedBundlesAreCheckedWhenThePlanIsLoaded() throws Exception {
        Path file = dir.resolve("bad.yaml");
        String head = """
                sources: {db: 'postgresql://postgres@127.0.0.1:5432/x', files: '%s'}
                targets: {newdb: 'postgresql://postgres@127.0.0.1:5432/y', newfiles: '%s'}
                moves:
                """.formatted(dir.resolve("a").toUri(), dir.resolve("b").toUri());
        Files.writeString(file, head + """
                  - {name: posts, from: db, to: newdb, via: bundle, bundle: exit, staging: 'file:///tmp/s1/'}
                  - {name: media, from: files, to: newfiles, via: bundle, bundle: exit, staging: 'file:///tmp/s2/'}
                """);
        assertThatThrownBy(() -> PlanParser.parse(file)).isInstanceOf(MigratorException.class)
                .hasMessageContaining("bad.yaml:5").hasMessageContaining("shares bundle 'exit' with move 'posts' but names another 'staging'");
        Files.writeString(file, head + """
                  - {name: posts, from: db, to: newdb, via: bundle, bundle: media, staging: 'file:///tmp/s1/'}
                  - {name: media, from: files, to: newfiles, staging: 'file:///tmp/s1/'}
                """);
        assertThatThrownBy(() -> PlanParser.parse(file)).isInstanceOf(MigratorException.class)
                .hasMessageContaining("bundle 'media' has the name of move 'media', which is not in it");
        Files.writeString(file, head + """
                  - {name: posts, from: db, to: newdb, bundle: exit}
                """);
        assertThatThrownBy(() -> PlanParser.parse(file)).isInstanceOf(MigratorException.class)
                .hasMessageContaining("'bundle' names the bundle of a via bundle move; this move is via direct");
    }
}
