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

    /** Keys no file system path can hold as they are, with their data. */
    static Map<String, byte[]> longKeys(ObjectStore store) {
        java.util.Random random = new java.util.Random(7);
        Map<String, byte[]> all = new java.util.LinkedHashMap<>();
        String thousand = "deep/" + "k".repeat(995);
        all.put(thousand, Seed.bytes(random, 100));
        // Four segments of 249 bytes (1,000 with the slashes): each too long once a piece suffix is added.
        all.put(String.join("/", java.util.Collections.nCopies(4, "s".repeat(249))), Seed.bytes(random, 200));
        // A segment of 250 bytes that fits on disk but not with '%piece-00001': the object is cut into pieces.
        all.put("big/" + "p".repeat(250), Seed.bytes(random, 1_500_000));
        // A non-ASCII segment of 300 bytes, and a '%' segment whose escaped form is three times as long.
        all.put("menu/" + "é".repeat(150) + ".png", Seed.bytes(random, 30));
        all.put("pct/" + "%".repeat(100), Seed.bytes(random, 40));
        // The longest escaped path a 1,024-byte key can have: 12 segments of 81 '%' (243 bytes each once escaped).
        all.put(String.join("/", java.util.Collections.nCopies(12, "%".repeat(81))) + "/" + "%".repeat(39), Seed.bytes(random, 50));
        all.forEach((k, v) -> store.put(k, dev.migrator.provider.Content.of(v), dev.migrator.provider.ObjectMetadata.EMPTY));
        return all;
    }

    /** The block of docs/bundle-format.md between its by-hand-keys markers, without the code fence. */
    static String documentedKeyLoop() throws IOException {
        String doc = Files.readString(Path.of("../../docs/bundle-format.md"));
        String block = doc.substring(doc.indexOf("<!-- by-hand-keys begin -->"), doc.indexOf("<!-- by-hand-keys end -->"));
        return block.substring(block.indexOf("```sh\n") + 6, block.lastIndexOf("```"));
    }

    @Test
    void longKeysExtractWithGnuTarAndTheDocumentedLoopRestoresEveryRealKey() throws Exception {
        assumeTrue(has("tar") && has("zstd") && has("sha256sum") && has("jq"),
                "GNU tar, zstd, jq and sha256sum are needed for the restore-by-hand test (apt-get install zstd jq); skipped");
        Path bundleDir = dir.resolve("bundle");
        Map<String, byte[]> seeded = new java.util.TreeMap<>();
        try (ObjectStore source = Stores.open(dir.resolve("src").toUri().toString(), StoreOptions.DEFAULTS);
             ObjectStore bundle = Stores.open(bundleDir.toUri().toString(), StoreOptions.DEFAULTS)) {
            seeded.putAll(Seed.objects(source));
            seeded.putAll(longKeys(source));
            new BundleWriter(bundle, BundleRoundTripTest.small(dir.resolve("state")), Progress.NONE)
                    .create(List.of(new BundleSource.Objects(source)));
        }
        assertThat(run(bundleDir, "sha256sum", "-c", "SHA256SUMS")).doesNotContain("FAILED");
        Path out = Files.createDirectories(dir.resolve("by-hand"));
        List<Path> parts;
        try (var list = Files.list(bundleDir.resolve("data"))) {
            parts = list.sorted().toList();
        }
        for (Path part : parts) {
            assertThat(run(out, "tar", "-I", "zstd", "-xf", part.toString())).as("GNU tar extracts " + part + " silently").isEmpty();
        }
        run(out, "bash", "-c", JOIN_PIECES);
        try (var walk = Files.walk(out)) {
            assertThat(walk.filter(Files::isRegularFile).count()).as("every entry extracted").isEqualTo(seeded.size());
        }
        // The documented loop, with the aws command recording each key and the SHA-256 of the file it was given.
        Path record = dir.resolve("uploaded");
        String recorder = "aws() { [ -f \"$8\" ] || return 1; printf '%s\\0%s\\0' \"$6\" \"$(sha256sum < \"$8\" | cut -d' ' -f1)\" >> '"
                + record + "'; }\n";
        String loop = documentedKeyLoop().replace("/path/to/bundle/", bundleDir + "/");
        assertThat(run(out, "bash", "-c", "set -o pipefail\n" + recorder + loop)).doesNotContain("FAILED");
        String[] fields = Files.readString(record, StandardCharsets.UTF_8).split("\0", -1);
        Map<String, String> uploaded = new java.util.TreeMap<>();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            uploaded.put(fields[i], fields[i + 1]);
        }
        Map<String, String> expected = new java.util.TreeMap<>();
        seeded.forEach((k, v) -> expected.put(k, dev.migrator.provider.Digests.hex(dev.migrator.provider.Digests.sha256().digest(v))));
        assertThat(uploaded).isEqualTo(expected);
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
