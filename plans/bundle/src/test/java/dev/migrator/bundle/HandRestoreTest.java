package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.transfer.Progress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bundle restores with GNU tar, zstd and sha256sum alone, as docs/bundle-format.md says. */
class HandRestoreTest {
    /** As in docs/bundle-format.md. */
    static final String JOIN_PIECES = "find . -name '*%piece-00001' | while IFS= read -r first; do f=\"${first%\\%piece-00001}\";"
            + " cat \"$f\"%piece-* > \"$f\" && rm \"$f\"%piece-*; done";

    @TempDir
    Path dir;

    static boolean has(String tool) {
        try {
            return new ProcessBuilder(tool, "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String run(Path cwd, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    @Test
    void gnuTarAndZstdRestoreEveryObject() throws Exception {
        assumeTrue(has("tar") && has("zstd") && has("sha256sum"),
                "GNU tar, zstd and sha256sum are needed for the restore-by-hand test (apt-get install zstd); skipped");
        Path bundleDir = dir.resolve("bundle");
        Map<String, byte[]> seeded;
        try (ObjectStore source = Stores.open(dir.resolve("src").toUri().toString(), StoreOptions.DEFAULTS);
             ObjectStore bundle = Stores.open(bundleDir.toUri().toString(), StoreOptions.DEFAULTS)) {
            seeded = Seed.objects(source);
            BundleRef ref = new BundleWriter(bundle, BundleRoundTripTest.small(dir.resolve("state")), Progress.NONE)
                    .create(List.of(new BundleSource.Objects(source)));
            assertThat(ref.parts()).isGreaterThan(1);
        }
        // The documented commands: check, then extract every part into one folder.
        assertThat(run(bundleDir, "sha256sum", "-c", "SHA256SUMS")).doesNotContain("FAILED");
        Path out = Files.createDirectories(dir.resolve("by-hand"));
        List<Path> parts;
        try (var list = Files.list(bundleDir.resolve("data"))) {
            parts = list.sorted().toList();
        }
        for (Path part : parts) {
            String output = run(out, "tar", "-I", "zstd", "-xf", part.toString());
            assertThat(output).as("GNU tar warns about nothing").isEmpty();
        }
        // Objects larger than a part come in pieces; the documented command joins them.
        run(out, "bash", "-c", JOIN_PIECES);
        for (Map.Entry<String, byte[]> e : seeded.entrySet()) {
            Path file = out.resolve(BundleLayout.entryPath("s1", e.getKey()));
            assertThat(file).as(e.getKey()).isRegularFile();
            assertThat(Files.readAllBytes(file)).as(e.getKey()).isEqualTo(e.getValue());
        }
        try (var walk = Files.walk(out)) {
            assertThat(walk.filter(Files::isRegularFile).count()).isEqualTo(seeded.size());
        }
    }

    @Test
    void anEncryptedPartDecryptsWithTheDocumentedProgram() throws Exception {
        assumeTrue(has("tar") && has("zstd"), "GNU tar and zstd are needed for the restore-by-hand test (apt-get install zstd); skipped");
        Path program = Path.of("../../docs/bundle-tools/DecryptPart.java").toAbsolutePath().normalize();
        assertThat(program).isRegularFile();
        Path bundleDir = dir.resolve("bundle");
        Path keyFile = dir.resolve("key");
        Files.writeString(keyFile, EncryptionTest.KEY + "\n");
        Map<String, byte[]> seeded;
        try (ObjectStore source = Stores.open(dir.resolve("src").toUri().toString(), StoreOptions.DEFAULTS);
             ObjectStore bundle = Stores.open(bundleDir.toUri().toString(), StoreOptions.DEFAULTS)) {
            seeded = Seed.objects(source);
            new BundleWriter(bundle, new BundleOptions(64L << 20, 2, 4, 3, 2, dir.resolve("state"), BundleFailureTest.FAST,
                    Encryption.load(keyFile)), Progress.NONE).create(List.of(new BundleSource.Objects(source)));
        }
        String tinkJar = Path.of(com.google.crypto.tink.subtle.AesGcmHkdfStreaming.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).toString();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = Files.createDirectories(dir.resolve("by-hand"));
        Path plain = dir.resolve("part.tar.zst");
        Process p = new ProcessBuilder(java, "-cp", tinkJar, program.toString(), keyFile.toString(), "data/s1-000001.tar.zst.tink")
                .directory(bundleDir.toFile()).redirectOutput(plain.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertThat(p.waitFor()).isZero();
        run(out, "tar", "-I", "zstd", "-xf", plain.toString());
        run(out, "bash", "-c", JOIN_PIECES);
        for (Map.Entry<String, byte[]> e : seeded.entrySet()) {
            assertThat(Files.readAllBytes(out.resolve(BundleLayout.entryPath("s1", e.getKey())))).as(e.getKey()).isEqualTo(e.getValue());
        }
    }
}
