package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.transfer.Progress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --encrypt: parts are Tink streaming-AEAD ciphertext; the right key reads them back, no key or a wrong key is bad input. */
class EncryptionTest {
    static final String KEY = "q8b0wH2m5y3c2VwGf6mUuS1oZ0d7kq3kz9d6Qm1tXo4=";
    static final String OTHER = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @TempDir
    Path dir;

    ObjectStore local(String name) {
        return Stores.open(dir.resolve(name).toUri().toString(), StoreOptions.DEFAULTS);
    }

    @Test
    void encryptedBundleRoundTrip() throws Exception {
        Encryption key = Encryption.fromText(KEY, "test key");
        try (ObjectStore source = local("src"); ObjectStore bundle = local("bundle"); ObjectStore restored = local("restored")) {
            Map<String, byte[]> seeded = Seed.objects(source);
            BundleOptions options = new BundleOptions(1024 * 1024, 2, 4, 3, 2, dir.resolve("state"), BundleFailureTest.FAST, key);
            BundleRef ref = new BundleWriter(bundle, options, Progress.NONE).create(List.of(new BundleSource.Objects(source)));

            Manifest.Header header = BundleReader.open(bundle).inspect();
            assertThat(header.encryption()).isNotNull();
            assertThat(header.encryption().scheme()).isEqualTo(Encryption.SCHEME);
            assertThat(header.parts()).allSatisfy(p -> {
                assertThat(p.encrypted()).isTrue();
                assertThat(p.name()).endsWith(".tar.zst.tink");
            });
            Path part = dir.resolve("bundle").resolve(header.parts().get(0).name());
            byte[] stored = Files.readAllBytes(part);
            assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("<h1>hello</h1>").doesNotContain("index.html");
            assertThat(stored[0] == (byte) 0x28 && stored[1] == (byte) 0xb5).as("not a readable zstd frame").isFalse();

            BundleReader reader = BundleReader.open(bundle, BundleFailureTest.FAST, Progress.NONE, key);
            BundleCheck check = reader.verify(Progress.NONE);
            assertThat(check.damage()).isEmpty();
            assertThat(check.entries()).isEqualTo(ref.entries());
            reader.restore(Map.of("s1", new RestoreTarget.Objects(restored)), RestoreOptions.defaults(), Progress.NONE);
            BundleRoundTripTest.assertIdentical(source, restored, seeded.size());

            assertThatThrownBy(() -> BundleReader.open(bundle).verify(Progress.NONE))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining("is encrypted").hasMessageContaining(Encryption.KEY_ENV);
            assertThatThrownBy(() -> BundleReader.open(bundle, BundleFailureTest.FAST, Progress.NONE, Encryption.fromText(OTHER, "other"))
                    .restore(Map.of("s1", new RestoreTarget.Objects(local("elsewhere"))), RestoreOptions.defaults(), Progress.NONE))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining("not the key");
            assertThat(dir.resolve("elsewhere")).doesNotExist();

            // A flipped byte in the ciphertext is found (the part's SHA-256 and the AEAD tag both catch it).
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
                ch.read(b, stored.length / 2);
                b.put(0, (byte) (b.get(0) ^ 1));
                b.rewind();
                ch.write(b, stored.length / 2);
            }
            assertThat(reader.verify(Progress.NONE).damage()).anySatisfy(d -> assertThat(d.what()).startsWith(header.parts().get(0).name()));
        }
    }

    @Test
    void keysAreCheckedForShape() {
        assertThatThrownBy(() -> Encryption.fromText("too-short", "key file k"))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("key file k").hasMessageContaining("openssl rand -base64 32");
        assertThat(Encryption.fromText("00".repeat(32), "hex").keyCheck()).hasSize(16);
    }
}
