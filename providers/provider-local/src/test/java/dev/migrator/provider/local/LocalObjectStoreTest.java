package dev.migrator.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.Providers;
import dev.migrator.provider.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalObjectStoreTest {
    @TempDir
    Path dir;

    @Test
    void plainKeysAreOrdinaryFilesAndFolders() throws Exception {
        LocalObjectStore store = new LocalObjectStore(dir);
        store.put("media/2024/cat.jpg", Content.of("meow".getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
        assertThat(dir.resolve("media/2024/cat.jpg")).hasContent("meow");
    }

    @Test
    void unrepresentableSegmentsGetReservedNames() throws Exception {
        LocalObjectStore store = new LocalObjectStore(dir);
        store.put("a//b", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
        store.put("dir/", Content.of(new byte[] {2}), ObjectMetadata.EMPTY);
        store.put("../escape", Content.of(new byte[] {3}), ObjectMetadata.EMPTY);
        assertThat(dir.resolve("a/.mig~empty/b")).exists();
        assertThat(dir.resolve("dir/.mig~empty")).exists();
        assertThat(dir.resolve(".mig~dotdot/escape")).exists();
        assertThat(dir.getParent().resolve("escape")).doesNotExist();
        try (Stream<ObjectInfo> all = store.list("")) {
            assertThat(all.map(ObjectInfo::key)).containsExactly("../escape", "a//b", "dir/");
        }
    }

    @Test
    void aMovableFileOnTheSameFileSystemIsRenamedIntoPlaceWithItsMetadataAndMd5() throws Exception {
        Path spool = Files.createDirectories(dir.resolve("spool")).resolve("part.tmp");
        Files.writeString(spool, "spooled bytes");
        Object inode = Files.readAttributes(spool, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        LocalObjectStore store = new LocalObjectStore(dir.resolve("store"));
        ObjectMetadata meta = new ObjectMetadata("text/plain", null, null, null, java.util.Map.of("k", "v"));

        ObjectInfo put = store.put("a/part", Content.movable(spool), meta);

        Path stored = dir.resolve("store/a/part");
        assertThat(spool).doesNotExist();
        assertThat(stored).hasContent("spooled bytes");
        assertThat(Files.readAttributes(stored, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(inode);
        String md5 = dev.migrator.provider.Digests.hex(dev.migrator.provider.Digests.md5()
                .digest("spooled bytes".getBytes(StandardCharsets.UTF_8)));
        assertThat(put.checksums().md5()).isEqualTo(md5);
        ObjectInfo there = store.stat("a/part").orElseThrow();
        assertThat(there.checksums().md5()).isEqualTo(md5);
        assertThat(there.metadata().contentType()).isEqualTo("text/plain");
        assertThat(there.metadata().userMetadata()).containsEntry("k", "v");
    }

    @Test
    void aMovableFileThatIsShorterThanDeclaredIsRejectedAndLeftAlone() throws Exception {
        Path spool = dir.resolve("part.tmp");
        Files.writeString(spool, "12345");
        Content content = Content.movable(spool);
        Files.writeString(spool, "123");
        LocalObjectStore store = new LocalObjectStore(dir.resolve("store"));

        assertThatThrownBy(() -> store.put("p", content, ObjectMetadata.EMPTY))
                .isInstanceOf(MigratorException.class)
                .satisfies(e -> assertThat(((MigratorException) e).code()).isEqualTo(ErrorCode.INTEGRITY));
        assertThat(spool).exists();
        assertThat(store.stat("p")).isEmpty();
    }

    @Test
    void stampedMd5IsDroppedWhenTheFileChangesBehindOurBack() throws Exception {
        LocalObjectStore store = new LocalObjectStore(dir);
        ObjectInfo put = store.put("x", Content.of("one".getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
        assertThat(store.stat("x").orElseThrow().checksums().md5()).isEqualTo(put.checksums().md5()).isNotNull();

        Files.writeString(dir.resolve("x"), "two");
        Files.setLastModifiedTime(dir.resolve("x"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        assertThat(store.stat("x").orElseThrow().checksums().md5()).isNull();
    }

    @Test
    void temporaryFilesOfUnfinishedWritesAreNeverListed() throws Exception {
        LocalObjectStore store = new LocalObjectStore(dir);
        store.put("done", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
        Files.writeString(dir.resolve(".mig~tmp-123"), "half written");
        try (Stream<ObjectInfo> all = store.list("")) {
            assertThat(all.map(ObjectInfo::key)).containsExactly("done");
        }
    }

    @Test
    void objectAndFolderOfTheSameNameIsAClearConflict() {
        LocalObjectStore store = new LocalObjectStore(dir);
        store.put("photos/1.jpg", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
        assertThatThrownBy(() -> store.put("photos", Content.of(new byte[] {2}), ObjectMetadata.EMPTY))
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(e.getMessage()).contains("'photos'");
                });
        store.put("cover", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
        assertThatThrownBy(() -> store.put("cover/x", Content.of(new byte[] {2}), ObjectMetadata.EMPTY))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
    }

    @Test
    void deleteRemovesFoldersItEmptied() {
        LocalObjectStore store = new LocalObjectStore(dir.resolve("r"));
        store.put("a/b/c", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
        store.delete("a/b/c");
        assertThat(dir.resolve("r/a")).doesNotExist();
        assertThat(dir.resolve("r")).isDirectory();
    }

    @Test
    void foundByFileScheme() {
        try (var store = Providers.objectStore(dir.toUri().toString(), StoreOptions.DEFAULTS)) {
            assertThat(store).isInstanceOf(LocalObjectStore.class);
            assertThat(store.displayUri()).isEqualTo(dir.toUri().toString());
        }
        String notYet = new LocalObjectStore(dir.resolve("later")).displayUri();
        new LocalObjectStore(dir.resolve("later")).put("x", Content.of(new byte[1]), ObjectMetadata.EMPTY);
        assertThat(new LocalObjectStore(dir.resolve("later")).displayUri()).isEqualTo(notYet).endsWith("/later/");
    }

    @Test
    void badUrisAreClearErrors() throws Exception {
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        assertThatThrownBy(() -> Providers.objectStore(file.toUri().toString(), StoreOptions.DEFAULTS))
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("plain.txt").contains("not a directory");
                });
        assertThatThrownBy(() -> Providers.objectStore("file://host/x", StoreOptions.DEFAULTS))
                .hasMessageContaining("three slashes");
        assertThatThrownBy(() -> Providers.objectStore("nope://x", StoreOptions.DEFAULTS))
                .hasMessageContaining("unknown scheme 'nope'").hasMessageContaining("file://");
        assertThatThrownBy(() -> new LocalObjectStore(dir.resolve("missing")).list("").count())
                .hasMessageContaining("does not exist");
    }
}
