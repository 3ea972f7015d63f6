package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.transfer.Progress;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every single flipped byte, a truncated and a missing part are found and named. */
class BundleDamageTest {
    @TempDir
    Path dir;
    Path bundleDir;
    ObjectStore bundle;

    @BeforeEach
    void bundle() {
        bundleDir = dir.resolve("bundle");
        try (ObjectStore source = Stores.open(dir.resolve("src").toUri().toString(), StoreOptions.DEFAULTS)) {
            Seed.objects(source);
            bundle = Stores.open(bundleDir.toUri().toString(), StoreOptions.DEFAULTS);
            new BundleWriter(bundle, new BundleOptions(1024 * 1024, 2, 4, 3, 2, dir.resolve("state"), BundleFailureTest.FAST), Progress.NONE)
                    .create(List.of(new BundleSource.Objects(source)));
        }
        assertThat(BundleReader.open(bundle).verify(Progress.NONE).intact()).isTrue();
    }

    private static void flip(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5a));
            b.rewind();
            ch.write(b, at);
        }
    }

    private List<Damage> damage() {
        BundleCheck check = BundleReader.open(bundle).verify(Progress.NONE);
        assertThat(check.intact()).isFalse();
        return check.damage();
    }

    @Test
    void anyFlippedByteInADataPartIsFoundAndNamed() throws IOException {
        // Part 1 holds the small objects (tar headers, text, random data, the end of the archive).
        Path part = bundleDir.resolve(BundleLayout.partName("s1", 1));
        long size = Files.size(part);
        for (long at : positions(size, 40)) {
            flip(part, at);
            assertThat(damage()).as("byte %d of %d", at, size).anySatisfy(d -> assertThat(d.what()).startsWith(BundleLayout.partName("s1", 1)));
            flip(part, at);
        }
        assertThat(BundleReader.open(bundle).verify(Progress.NONE).intact()).isTrue();
    }

    @Test
    void aFlippedByteInsideAnEntryNamesTheEntry() throws IOException {
        // Random data is stored uncompressed by zstd: a flip there decompresses and only the entry's SHA-256 catches it.
        Path part = bundleDir.resolve(BundleLayout.partName("s1", 2));
        flip(part, Files.size(part) / 2);
        assertThat(damage()).anySatisfy(d -> assertThat(d.what()).isEqualTo(BundleLayout.partName("s1", 2) + ": media/video/launch.mp4"));
    }

    @Test
    void anyFlippedByteInTheManifestIsFound() throws IOException {
        Path manifest = bundleDir.resolve(BundleLayout.MANIFEST);
        long size = Files.size(manifest);
        for (long at : positions(size, 30)) {
            flip(manifest, at);
            assertThat(damage()).as("byte %d of %d", at, size).anySatisfy(d -> assertThat(d.what()).isEqualTo(BundleLayout.MANIFEST));
            assertThatThrownBy(() -> BundleReader.open(bundle).restore(Map.of("s1", new RestoreTarget.Objects(
                    Stores.open(dir.resolve("target").toUri().toString(), StoreOptions.DEFAULTS))), RestoreOptions.defaults(), Progress.NONE))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isIn(ErrorCode.INTEGRITY, ErrorCode.BAD_INPUT));
            assertThat(dir.resolve("target")).doesNotExist();
            flip(manifest, at);
        }
    }

    @Test
    void aTruncatedPartIsFound() throws IOException {
        Path part = bundleDir.resolve(BundleLayout.partName("s1", 1));
        long size = Files.size(part);
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
            ch.truncate(size - 1000);
        }
        assertThat(damage()).anySatisfy(d -> {
            assertThat(d.what()).isEqualTo(BundleLayout.partName("s1", 1));
            assertThat(d.detail()).contains("truncated");
        });
    }

    @Test
    void aMissingPartIsFoundAndRestoreStopsBeforeWritingIt() throws IOException {
        Files.delete(bundleDir.resolve(BundleLayout.partName("s1", 2)));
        assertThat(damage()).anySatisfy(d -> {
            assertThat(d.what()).isEqualTo(BundleLayout.partName("s1", 2));
            assertThat(d.detail()).startsWith("missing");
        });
        try (ObjectStore target = Stores.open(dir.resolve("target").toUri().toString(), StoreOptions.DEFAULTS)) {
            assertThatThrownBy(() -> BundleReader.open(bundle).restore(Map.of("s1", new RestoreTarget.Objects(target)),
                    RestoreOptions.defaults(), Progress.NONE))
                    .hasMessageContaining(BundleLayout.partName("s1", 2)).hasMessageContaining("missing");
        }
    }

    @Test
    void aDamagedEntryIsNeverWrittenByRestore() throws IOException {
        Path part = bundleDir.resolve(BundleLayout.partName("s1", 2));
        flip(part, Files.size(part) / 2);
        try (ObjectStore target = Stores.open(dir.resolve("target").toUri().toString(), StoreOptions.DEFAULTS)) {
            assertThatThrownBy(() -> BundleReader.open(bundle).restore(Map.of("s1", new RestoreTarget.Objects(target)),
                    RestoreOptions.defaults(), Progress.NONE))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY))
                    .hasMessageContaining("media/video/launch.mp4");
            assertThat(target.stat("media/video/launch.mp4")).isEmpty();
        }
    }

    /** {@code n} positions spread over a file, including its first and last byte. */
    static long[] positions(long size, int n) {
        long[] at = new long[n];
        for (int i = 0; i < n; i++) {
            at[i] = i == n - 1 ? size - 1 : i * size / (n - 1);
        }
        return at;
    }
}
