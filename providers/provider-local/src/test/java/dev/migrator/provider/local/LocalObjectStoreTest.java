package dev.migrator.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.Stores;
import dev.migrator.provider.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
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
        assertThat(there.checksums().md5()).as("no cached checksum").isNull();
        assertThat(there.metadata().contentType()).isEqualTo("text/plain");
        assertThat(there.metadata().userMetadata()).containsEntry("k", "v");
    }

    @Test
    void aMovableFileWithAKnownMd5IsRenamedWithoutBeingReadAgain() throws Exception {
        Path spool = Files.createDirectories(dir.resolve("spool")).resolve("part.tmp");
        Files.writeString(spool, "spooled bytes");
        LocalObjectStore store = new LocalObjectStore(dir.resolve("store"));
        // Not the bytes' MD5: reported as given, which shows the store took the caller's value instead of reading.
        String claimed = "0123456789abcdef0123456789abcdef";

        ObjectInfo put = store.put("a/part", Content.movable(spool, dev.migrator.provider.Checksums.md5(claimed)), ObjectMetadata.EMPTY);

        assertThat(spool).doesNotExist();
        assertThat(dir.resolve("store/a/part")).hasContent("spooled bytes");
        assertThat(put.size()).isEqualTo(13);
        assertThat(put.checksums().md5()).isEqualTo(claimed);
    }

    @Test
    void aMovableFileWithAKnownMd5ThatIsShorterThanDeclaredIsStillRejected() throws Exception {
        Path spool = dir.resolve("part.tmp");
        Files.writeString(spool, "12345");
        Content content = Content.movable(spool, dev.migrator.provider.Checksums.md5("0123456789abcdef0123456789abcdef"));
        Files.writeString(spool, "123");
        LocalObjectStore store = new LocalObjectStore(dir.resolve("store"));

        assertThatThrownBy(() -> store.put("p", content, ObjectMetadata.EMPTY))
                .isInstanceOf(MigratorException.class)
                .satisfies(e -> assertThat(((MigratorException) e).code()).isEqualTo(ErrorCode.INTEGRITY));
        assertThat(spool).exists();
        assertThat(store.stat("p")).isEmpty();
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
    void aSameSizeChangeWithItsMtimeRestoredIsNeverHiddenByACachedChecksum() throws Exception {
        LocalObjectStore store = new LocalObjectStore(dir);
        store.put("x", Content.of("hello world".getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
        Path file = dir.resolve("x");
        FileTime mtime = Files.getLastModifiedTime(file);

        // Bit rot, or a writer that puts the mtime back: same size, same mtime, other bytes.
        byte[] bytes = Files.readAllBytes(file);
        bytes[3] ^= 1;
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, mtime);

        String now = dev.migrator.provider.Digests.hex(dev.migrator.provider.Digests.md5().digest(bytes));
        for (ObjectInfo info : List.of(store.stat("x").orElseThrow(), store.list("").findFirst().orElseThrow())) {
            assertThat(info.checksums().md5()).as("a checksum reported must be the bytes' own").isIn(null, now);
        }
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
        try (var store = Stores.openAdapter(dir.toUri().toString(), StoreOptions.DEFAULTS)) {
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
        assertThatThrownBy(() -> Stores.openAdapter(file.toUri().toString(), StoreOptions.DEFAULTS))
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("plain.txt").contains("not a directory");
                });
        assertThatThrownBy(() -> Stores.openAdapter("file://host/x", StoreOptions.DEFAULTS))
                .hasMessageContaining("three slashes");
        assertThatThrownBy(() -> Stores.openAdapter("nope://x", StoreOptions.DEFAULTS))
                .hasMessageContaining("unknown scheme 'nope'").hasMessageContaining("file://");
        assertThatThrownBy(() -> new LocalObjectStore(dir.resolve("missing")).list("").count())
                .hasMessageContaining("does not exist");
    }

    @Test
    void writesNeverFollowALinkOutOfTheRoot() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("y.txt"), "not ours");
        Path root = Files.createDirectories(dir.resolve("target"));
        Files.createSymbolicLink(root.resolve("link"), elsewhere);
        Files.createDirectories(root.resolve("a"));
        Files.createSymbolicLink(root.resolve("a/b"), elsewhere);
        Files.createSymbolicLink(root.resolve("file-link"), elsewhere.resolve("y.txt"));
        LocalObjectStore store = new LocalObjectStore(root);

        for (String key : List.of("link/x.txt", "a/b/c/d.txt", "file-link", "link/y.txt")) {
            assertThatThrownBy(() -> store.put(key, Content.of("payload".getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY))
                    .as(key).isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                        assertThat(e.getMessage()).contains("'" + key + "'").contains("symbolic link").contains(elsewhere.toString());
                    });
        }
        assertThatThrownBy(() -> store.delete("link/y.txt"))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.getMessage()).contains("'link/y.txt'")
                        .contains(root.resolve("link").toString()));
        // Nothing written, created, replaced or deleted outside, not even a temporary file.
        try (Stream<Path> outside = Files.list(elsewhere)) {
            assertThat(outside.map(p -> p.getFileName().toString())).containsExactly("y.txt");
        }
        assertThat(elsewhere.resolve("y.txt")).hasContent("not ours");
        assertThat(Files.isSymbolicLink(root.resolve("file-link"))).isTrue();
        // Real folders still work, and a delete there still removes the folders it emptied.
        store.put("a/real/z.txt", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
        store.delete("a/real/z.txt");
        assertThat(root.resolve("a/real")).doesNotExist();
        assertThat(root.resolve("a/b")).exists();
    }

    @Test
    void aRootGivenThroughALinkIsResolvedOnceAndUsed() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real"));
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), real);
        LocalObjectStore store = new LocalObjectStore(alias);
        store.put("k/v.txt", Content.of(new byte[] {7}), ObjectMetadata.EMPTY);
        assertThat(real.resolve("k/v.txt")).exists();
        assertThat(store.displayUri()).endsWith("/alias/");
        assertThat(store.location()).isEqualTo(real.toRealPath().toUri().toString());
    }

    @Test
    void aListingThatMeetsALinkFailsByDefaultNamingItAndTheOptions() throws Exception {
        Path root = linkedSource();
        assertThatThrownBy(() -> new LocalObjectStore(root).list("").count())
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("symbolic link 'shared'").contains("?links=skip").contains("?links=follow");
                });
    }

    @Test
    void linksSkipLeavesThemOutWithAWarningPerLink() throws Exception {
        Path root = linkedSource();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        List<String> keys;
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        try (var store = Stores.openAdapter(root.toUri() + "?links=skip", StoreOptions.DEFAULTS);
             Stream<ObjectInfo> all = store.list("")) {
            keys = all.map(ObjectInfo::key).toList();
        } finally {
            System.setErr(saved);
        }
        assertThat(keys).containsExactly("docs/real.txt");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("skipped symbolic link 'docs/linked.txt'")
                .contains("skipped symbolic link 'shared'");
    }

    @Test
    void linksFollowReadsWhatTheyPointToAndStopsALoop() throws Exception {
        Path root = linkedSource();
        try (var store = Stores.openAdapter(root.toUri() + "?links=follow", StoreOptions.DEFAULTS);
             Stream<ObjectInfo> all = store.list("")) {
            assertThat(all.map(ObjectInfo::key)).containsExactly("docs/linked.txt", "docs/real.txt", "shared/s.txt");
            assertThat(store.stat("docs/linked.txt").orElseThrow().size()).isEqualTo(6);
            assertThat(new String(store.open("shared/s.txt", 0, -1).readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("shared");
        }
        Files.createSymbolicLink(root.resolve("docs/loop"), root);
        assertThatThrownBy(() -> new LocalObjectStore(root, LocalObjectStore.Links.FOLLOW).list("").count())
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.getMessage()).contains("'docs/loop/'").contains("loop"));
        assertThatThrownBy(() -> Stores.openAdapter(root.toUri() + "?link=follow", StoreOptions.DEFAULTS))
                .hasMessageContaining("unknown option 'link'");
        assertThatThrownBy(() -> Stores.openAdapter(root.toUri() + "?links=yes", StoreOptions.DEFAULTS))
                .hasMessageContaining("refuse, skip or follow");
    }

    /** src/docs/real.txt, src/docs/linked.txt -> outside/o.txt ("linked"), src/shared -> outside/shared/. */
    private Path linkedSource() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside/shared"));
        Files.writeString(outside.resolve("s.txt"), "shared");
        Path o = Files.writeString(dir.resolve("outside/o.txt"), "linked");
        Path root = Files.createDirectories(dir.resolve("src/docs")).getParent();
        Files.writeString(root.resolve("docs/real.txt"), "real");
        Files.createSymbolicLink(root.resolve("docs/linked.txt"), o);
        Files.createSymbolicLink(root.resolve("shared"), outside);
        return root;
    }

    @Test
    void createInPlaceWritesUnderTheFinalNameOnlyIfItIsFreeAndOnlyUnderADeferral() throws Exception {
        LocalObjectStore store = new LocalObjectStore(dir.resolve("store"));
        Content bytes = Content.of("new".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.createInPlace("a/x", bytes, ObjectMetadata.EMPTY))
                .isInstanceOf(IllegalStateException.class);
        assertThat(store.deferSync()).isTrue();
        try {
            ObjectMetadata meta = new ObjectMetadata("text/plain", null, null, null, java.util.Map.of("k", "v"));
            assertThat(store.createInPlace("a/x", bytes, meta)).get().extracting(ObjectInfo::size).isEqualTo(3L);
            assertThat(dir.resolve("store/a/x")).hasContent("new");
            assertThat(store.stat("a/x").orElseThrow().metadata().contentType()).isEqualTo("text/plain");
            try (Stream<Path> files = Files.list(dir.resolve("store/a"))) {
                assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file").containsExactly("x");
            }

            // Taken by anything: nothing written, nothing followed.
            Files.writeString(dir.resolve("store/a/foreign"), "theirs");
            assertThat(store.createInPlace("a/foreign", bytes, ObjectMetadata.EMPTY)).isEmpty();
            assertThat(dir.resolve("store/a/foreign")).hasContent("theirs");
            Files.createDirectories(dir.resolve("store/a/folder"));
            assertThat(store.createInPlace("a/folder", bytes, ObjectMetadata.EMPTY)).isEmpty();
            Path outside = Files.writeString(dir.resolve("outside"), "outside");
            Files.createDirectories(dir.resolve("store/b"));
            Files.createSymbolicLink(dir.resolve("store/b/link"), outside);
            assertThat(store.createInPlace("b/link", bytes, ObjectMetadata.EMPTY)).isEmpty();
            assertThat(outside).hasContent("outside");

            // A name kept in an attribute is set before the object can be listed.
            String longName = "n".repeat(300);
            assertThat(store.createInPlace("a/" + longName, bytes, ObjectMetadata.EMPTY)).isPresent();
            assertThat(store.stat("a/" + longName)).isPresent();
            try (Stream<ObjectInfo> all = store.list("a/n")) {
                assertThat(all.map(ObjectInfo::key)).containsExactly("a/" + longName);
            }
        } finally {
            store.syncDeferred();
        }
    }

    @Test
    void aFailedCreateInPlaceLeavesNothingUnderTheName() throws Exception {
        LocalObjectStore store = new LocalObjectStore(dir.resolve("store"));
        Content failing = new Content() {
            @Override
            public long size() {
                return 1 << 20;
            }

            @Override
            public java.io.InputStream open() {
                return new java.io.InputStream() {
                    int left = 100_000; // then every read fails

                    @Override
                    public int read() throws java.io.IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0];
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws java.io.IOException {
                        if (left <= 0) {
                            throw new java.io.IOException("source went away");
                        }
                        int n = Math.min(len, left);
                        java.util.Arrays.fill(b, off, off + n, (byte) 7);
                        left -= n;
                        return n;
                    }
                };
            }
        };
        Content short_ = Content.of(new byte[10]);
        Content claimsMore = new Content() {
            @Override
            public long size() {
                return 11;
            }

            @Override
            public java.io.InputStream open() throws java.io.IOException {
                return short_.open();
            }
        };
        assertThat(store.deferSync()).isTrue();
        try {
            assertThatThrownBy(() -> store.createInPlace("a/x", failing, ObjectMetadata.EMPTY)).isInstanceOf(MigratorException.class)
                    .hasMessageContaining("source went away");
            assertThat(dir.resolve("store/a/x")).doesNotExist();
            assertThatThrownBy(() -> store.createInPlace("a/y", claimsMore, ObjectMetadata.EMPTY)).isInstanceOf(MigratorException.class)
                    .hasMessageContaining("expected 11 bytes");
            assertThat(dir.resolve("store/a/y")).doesNotExist();
            assertThat(store.createInPlace("a/x", Content.of(new byte[] {1}), ObjectMetadata.EMPTY)).as("the name is free again").isPresent();
        } finally {
            store.syncDeferred();
        }
    }

    @Test
    void createInPlaceLinksAMovableFileIntoPlaceWithoutReplacingAnything() throws Exception {
        Path spool = Files.createDirectories(dir.resolve("spool")).resolve("entry.tmp");
        Files.writeString(spool, "spooled bytes");
        LocalObjectStore store = new LocalObjectStore(dir.resolve("store"));
        ObjectMetadata meta = new ObjectMetadata("text/plain", null, null, null, java.util.Map.of());
        assertThat(store.deferSync()).isTrue();
        try {
            assertThat(store.createInPlace("a/part", Content.movable(spool), meta)).get().extracting(ObjectInfo::size).isEqualTo(13L);
            assertThat(dir.resolve("store/a/part")).hasContent("spooled bytes");
            assertThat(store.stat("a/part").orElseThrow().metadata().contentType()).isEqualTo("text/plain");
            Path other = Files.writeString(dir.resolve("spool/other.tmp"), "other bytes!!");
            assertThat(store.createInPlace("a/part", Content.movable(other), meta)).isEmpty();
            assertThat(dir.resolve("store/a/part")).hasContent("spooled bytes");
        } finally {
            store.syncDeferred();
        }
    }
}
