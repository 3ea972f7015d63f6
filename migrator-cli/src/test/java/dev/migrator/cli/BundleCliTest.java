package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.azure.Azurite;
import dev.migrator.testkit.gcs.GcsTestServer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle commands end to end: S3 -> bundle on disk -> GCS and a local folder, `migrator verify` agrees; damage exits 3. */
class BundleCliTest {
    @TempDir
    Path dir;

    @Test
    void s3ToBundleToGcsAndLocalThenDamage() throws Exception {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory(); GcsTestServer gcs = GcsTestServer.start()) {
            s3.createBucket("old-cloud");
            gcs.createBucket("new-cloud");
            long[] seeded;
            try (ObjectStore store = Stores.open(s3.s3Uri("old-cloud", ""), StoreOptions.DEFAULTS)) {
                seeded = DemoCommand.seed(store, 5);
            }
            String source = s3.s3Uri("old-cloud", "");
            Path bundleDir = dir.resolve("bundles/b1");
            String state = dir.resolve("state").toString();

            CliRun create = CliRun.of("bundle", "create", source, "--to", bundleDir.toString(), "--part-size", "4M", "--state", state, "-q");
            assertThat(create.exit()).as(create.all()).isZero();
            assertThat(create.out().strip()).isEqualTo(bundleDir.toUri().toString());
            assertThat(create.err()).contains("Bundled " + seeded[0] + " entries").doesNotContain(EmbeddedS3Server.SECRET_KEY);

            CliRun inspect = CliRun.of("bundle", "inspect", bundleDir.toString());
            assertThat(inspect.exit()).as(inspect.all()).isZero();
            assertThat(inspect.out()).contains("s1  objects  s3://old-cloud/").contains(seeded[0] + " entries")
                    .doesNotContain(EmbeddedS3Server.SECRET_KEY);

            CliRun verify = CliRun.of("bundle", "verify", bundleDir.toString(), "-q");
            assertThat(verify.exit()).as(verify.all()).isZero();
            assertThat(verify.out()).startsWith("Intact:");

            String gcsTarget = "gs://new-cloud/restored/?endpoint=" + gcs.endpoint();
            String local = dir.resolve("new-host").toString();
            for (String target : new String[] {gcsTarget, local}) {
                CliRun restore = CliRun.of("bundle", "restore", bundleDir.toString(), "--to", target, "-q");
                assertThat(restore.exit()).as(restore.all()).isZero();
                assertThat(restore.out()).contains("Restored " + seeded[0] + " objects");
                CliRun same = CliRun.of("verify", source, target, "-q");
                assertThat(same.exit()).as(same.all()).isZero();
                assertThat(same.out()).startsWith("Identical: " + seeded[0] + " objects");
            }

            // Damage: one flipped byte in a part, then a missing part: exit 3 naming it.
            Path part = bundleDir.resolve("data/s1-000001.tar.zst");
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
                long at = ch.size() / 3;
                ch.read(b, at);
                b.put(0, (byte) (b.get(0) ^ 1));
                b.rewind();
                ch.write(b, at);
            }
            CliRun flipped = CliRun.of("bundle", "verify", bundleDir.toString(), "-q");
            assertThat(flipped.exit()).as(flipped.all()).isEqualTo(3);
            assertThat(flipped.out()).contains("DAMAGED data/s1-000001.tar.zst");
            CliRun refused = CliRun.of("bundle", "restore", bundleDir.toString(), "--to", dir.resolve("other").toString(), "-q");
            assertThat(refused.exit()).as(refused.all()).isEqualTo(1);
            assertThat(refused.err()).contains("data/s1-000001.tar.zst").contains("bundle verify");

            Files.delete(part);
            CliRun missing = CliRun.of("bundle", "verify", bundleDir.toString(), "-q");
            assertThat(missing.exit()).isEqualTo(3);
            assertThat(missing.out()).contains("DAMAGED data/s1-000001.tar.zst: missing");

            CliRun again = CliRun.of("bundle", "create", source, "--to", bundleDir.toString(), "--state", state, "-q");
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("already a bundle");
        }
    }

    @Test
    void encryptedBundleNeedsItsKey() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/docs"));
        Files.writeString(src.resolve("secret-plan.txt"), "leave on friday\n".repeat(1000));
        Path key = dir.resolve("bundle.key");
        Files.writeString(key, "q8b0wH2m5y3c2VwGf6mUuS1oZ0d7kq3kz9d6Qm1tXo4=\n");
        Path other = dir.resolve("other.key");
        Files.writeString(other, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
        Path bundle = dir.resolve("enc");

        CliRun create = CliRun.of("bundle", "create", dir.resolve("src").toString(), "--to", bundle.toString(), "--encrypt",
                "--key-file", key.toString(), "--state", dir.resolve("state").toString(), "-q");
        assertThat(create.exit()).as(create.all()).isZero();
        assertThat(Files.readString(bundle.resolve("data/s1-000001.tar.zst.tink"), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain("leave on friday");
        assertThat(CliRun.of("bundle", "inspect", bundle.toString()).out()).contains("encrypted (tink-streaming-aead");

        CliRun noKey = CliRun.of("bundle", "verify", bundle.toString(), "-q");
        assertThat(noKey.exit()).isEqualTo(2);
        assertThat(noKey.err()).contains("MIGRATOR_BUNDLE_KEY");
        CliRun wrongKey = CliRun.of("bundle", "restore", bundle.toString(), "--to", dir.resolve("out").toString(), "--key-file", other.toString(), "-q");
        assertThat(wrongKey.exit()).isEqualTo(2);
        assertThat(wrongKey.err()).contains("not the key");

        assertThat(CliRun.of("bundle", "verify", bundle.toString(), "--key-file", key.toString(), "-q").exit()).isZero();
        CliRun restore = CliRun.of("bundle", "restore", bundle.toString(), "--to", dir.resolve("out").toString(), "--key-file", key.toString(), "-q");
        assertThat(restore.exit()).as(restore.all()).isZero();
        assertThat(CliRun.of("verify", dir.resolve("src").toString(), dir.resolve("out").toString(), "-q").exit()).isZero();
    }

    @Test
    void aFolderAndAPostgresDatabaseInOneBundle() throws Exception {
        String suffix = java.util.UUID.randomUUID().toString().substring(0, 8);
        String source = "mig_bundle_cli_src_" + suffix;
        String target = "mig_bundle_cli_dst_" + suffix;
        sql("postgres", "create database " + source + " template template0");
        try {
            sql(source, "create table notes (id serial primary key, body text not null);"
                    + " insert into notes (body) select 'note ' || g from generate_series(1, 300) g");
            Path files = Files.createDirectories(dir.resolve("files"));
            Files.writeString(files.resolve("readme.txt"), "hello\n");
            Path bundle = dir.resolve("two");
            String src = "postgresql://postgres@127.0.0.1:5432/" + source;
            String dst = "postgresql://postgres@127.0.0.1:5432/" + target;

            CliRun create = CliRun.of("bundle", "create", files.toString(), src, "--to", bundle.toString(),
                    "--state", dir.resolve("state").toString(), "-q");
            assertThat(create.exit()).as(create.all()).isZero();
            CliRun inspect = CliRun.of("bundle", "inspect", bundle.toString());
            assertThat(inspect.out()).contains("s2  database postgresql://postgres@127.0.0.1:5432/" + source).contains("by hand:");

            CliRun needsMap = CliRun.of("bundle", "restore", bundle.toString(), "--to", dir.resolve("x").toString());
            assertThat(needsMap.exit()).isEqualTo(2);
            assertThat(needsMap.err()).contains("--map");

            CliRun restore = CliRun.of("bundle", "restore", bundle.toString(), "--map", "s1=" + dir.resolve("files-back"),
                    "--map", "s2=" + dst, "-q");
            assertThat(restore.exit()).as(restore.all()).isZero();
            CliRun same = CliRun.of("verify", src, dst);
            assertThat(same.exit()).as(same.all()).isZero();
            assertThat(Files.readString(dir.resolve("files-back/readme.txt"))).isEqualTo("hello\n");
        } finally {
            sql("postgres", "drop database if exists " + source + " with (force)");
            sql("postgres", "drop database if exists " + target + " with (force)");
        }
    }

    private static void sql(String db, String statement) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "");
             java.sql.Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    @Test
    void badInputIsOneLineAndExit2() {
        CliRun none = CliRun.of("bundle", "inspect", dir.resolve("nothing-here").toString());
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).startsWith("migrator: no bundle at").doesNotContain("Exception");
        CliRun noTarget = CliRun.of("bundle", "create", dir.toString());
        assertThat(noTarget.exit()).isEqualTo(2);
        assertThat(noTarget.err()).contains("--to");
    }

    @Test
    void aBundleInsideItsSourceIsRefusedByTheBundleModule() throws Exception {
        Path src = Files.createDirectories(dir.resolve("overlap-src"));
        Files.writeString(src.resolve("a.txt"), "a");
        CliRun run = CliRun.of("bundle", "create", src.toString(), "--to", src.resolve("bundle").toString(),
                "--state", dir.resolve("overlap-state").toString(), "-q");
        assertThat(run.exit()).as(run.all()).isEqualTo(2);
        assertThat(run.err()).startsWith("migrator: ").contains("overlap").doesNotContain("Exception");
        assertThat(src.resolve("bundle")).doesNotExist();
    }

    @Test
    void aNegativeSizeInTheManifestIsOneLineNamingLineAndField() throws Exception {
        Path src = Files.createDirectories(dir.resolve("neg-src"));
        Files.writeString(src.resolve("a.txt"), "hello");
        Path bundle = dir.resolve("neg-bundle");
        CliRun create = CliRun.of("bundle", "create", src.toString(), "--to", bundle.toString(), "--state", dir.resolve("neg-state").toString(), "-q");
        assertThat(create.exit()).as(create.all()).isZero();
        // Make the manifest say -5 and SHA256SUMS agree with it, as a hostile writer would.
        Path manifest = bundle.resolve("manifest.jsonl");
        String text = Files.readString(manifest);
        assertThat(text).contains("\"size\":5,");
        String edited = text.replace("\"size\":5,", "\"size\":-5,");
        Files.writeString(manifest, edited);
        Path sums = bundle.resolve("SHA256SUMS");
        Files.writeString(sums, Files.readString(sums).replaceFirst("^[0-9a-f]{64}",
                Digests.hex(Digests.sha256().digest(edited.getBytes(StandardCharsets.UTF_8)))));

        CliRun restore = CliRun.of("bundle", "restore", bundle.toString(), "--to", dir.resolve("neg-target").toString(),
                "--state", dir.resolve("neg-restore-state").toString(), "-q");
        assertThat(restore.exit()).as(restore.all()).isEqualTo(2);
        assertThat(restore.err().strip()).doesNotContain("\n").startsWith("migrator: manifest.jsonl")
                .contains("line 2").contains("'size'").contains("-5").doesNotContain("Exception").doesNotContain("jackson");
        assertThat(dir.resolve("neg-target")).doesNotExist();
        CliRun verify = CliRun.of("bundle", "verify", bundle.toString(), "-q");
        assertThat(verify.exit()).as(verify.all()).isEqualTo(3);
        assertThat(verify.out()).contains("DAMAGED manifest.jsonl").contains("line 2, field 'size'");
    }

    /**
     * Into Azure and back: an S3 bucket's bundle restored into Azure Blob (Azurite); then Azure bundled onto Azure
     * itself and that bundle restored to local disk; both identical to the source.
     */
    @Test
    void bundleRestoresIntoAzureAndBack() {
        Azurite azurite = Azurite.shared();
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("old-cloud");
            long[] seeded;
            try (ObjectStore store = Stores.open(s3.s3Uri("old-cloud", ""), StoreOptions.DEFAULTS)) {
                seeded = DemoCommand.seed(store, 3);
            }
            String source = s3.s3Uri("old-cloud", "");
            Path bundle = dir.resolve("bundles/to-azure");
            String state = dir.resolve("state").toString();
            CliRun create = CliRun.of("bundle", "create", source, "--to", bundle.toString(), "--state", state, "-q");
            assertThat(create.exit()).as(create.all()).isZero();

            String azure = AzuriteContainers.create(azurite, "bundled", "restored/");
            CliRun restore = CliRun.of("bundle", "restore", bundle.toString(), "--to", azure, "-q");
            assertThat(restore.exit()).as(restore.all()).isZero();
            assertThat(restore.out()).contains("Restored " + seeded[0] + " objects");
            CliRun same = CliRun.of("verify", source, azure, "-q");
            assertThat(same.exit()).as(same.all()).isZero();
            assertThat(same.out()).startsWith("Identical: " + seeded[0] + " objects");

            // Back: a bundle of the Azure objects, written to Azure, restored to a local folder.
            String azureBundle = AzuriteContainers.create(azurite, "bundles", "b2/");
            CliRun back = CliRun.of("bundle", "create", azure, "--to", azureBundle, "--state", dir.resolve("state2").toString(), "-q");
            assertThat(back.exit()).as(back.all()).isZero();
            assertThat(back.all()).doesNotContain(Azurite.KEY);
            CliRun check = CliRun.of("bundle", "verify", azureBundle, "-q");
            assertThat(check.exit()).as(check.all()).isZero();
            String local = dir.resolve("home").toString();
            CliRun home = CliRun.of("bundle", "restore", azureBundle, "--to", local, "-q");
            assertThat(home.exit()).as(home.all()).isZero();
            CliRun identical = CliRun.of("verify", source, local, "-q");
            assertThat(identical.exit()).as(identical.all()).isZero();
            assertThat(identical.out()).startsWith("Identical: " + seeded[0] + " objects");
        }
    }
}
