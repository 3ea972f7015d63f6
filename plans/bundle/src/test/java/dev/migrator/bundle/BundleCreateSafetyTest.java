package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StateLock;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.transfer.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bundle create} refuses a bundle location overlapping a source (also through a symlink) and a state directory in use. */
class BundleCreateSafetyTest {
    @TempDir
    Path dir;

    private BundleRef create(Path source, Path bundle) {
        try (ObjectStore src = Stores.open(source.toUri().toString(), StoreOptions.DEFAULTS);
             ObjectStore dst = Stores.open(bundle.toUri().toString(), StoreOptions.DEFAULTS)) {
            return new BundleWriter(dst, new BundleOptions(1024 * 1024, 1, 2, 3, 1, dir.resolve("state"), BundleFailureTest.FAST), Progress.NONE)
                    .create(List.of(new BundleSource.Objects(src)));
        }
    }

    private Path seeded() {
        Path src = dir.resolve("src");
        try (ObjectStore s = Stores.open(src.toUri().toString(), StoreOptions.DEFAULTS)) {
            s.put("a.txt", Content.of("a".getBytes()), ObjectMetadata.EMPTY);
        }
        return src;
    }

    @Test
    void aBundleInsideItsSourceIsRefused() {
        Path src = seeded();
        assertThatThrownBy(() -> create(src, src.resolve("bundle")))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("overlap").hasMessageContaining("source").hasMessageContaining("bundle");
        assertThat(src.resolve("bundle")).doesNotExist();
    }

    @Test
    void aBundleInsideItsSourceThroughASymlinkIsRefused() throws Exception {
        Path src = seeded();
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), src);
        assertThatThrownBy(() -> create(src, alias.resolve("bundle")))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("overlap");
        assertThat(src.resolve("bundle")).doesNotExist();
    }

    @Test
    void aStateDirectoryInUseIsRefusedNamingItsHolder() {
        Path src = seeded();
        try (StateLock held = StateLock.acquire(dir.resolve("state"), "the other bundle create")) {
            assertThatThrownBy(() -> create(src, dir.resolve("bundle")))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining("in use").hasMessageContaining("the other bundle create");
        }
        assertThat(dir.resolve("bundle")).doesNotExist();
        // Released: the same create now runs, and leaves no state directory behind.
        assertThat(create(src, dir.resolve("bundle")).entries()).isEqualTo(1);
        assertThat(dir.resolve("state")).doesNotExist();
    }
}
