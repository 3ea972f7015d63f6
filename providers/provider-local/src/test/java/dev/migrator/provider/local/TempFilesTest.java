package dev.migrator.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep of temporary files that killed writers left behind ({@link TempFiles}), with real processes. */
class TempFilesTest {
    @TempDir
    Path dir;

    static final Content ONE = Content.of("1".getBytes(StandardCharsets.UTF_8));

    @Test
    void aKilledWritersFileGoesAtTheNextWriteIntoItsFolderAndALiveWritersStays() throws Exception {
        Path root = dir.resolve("dst");
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StalledWriter.class.getName(), root.toString(), "media/x")
                .redirectErrorStream(true).redirectOutput(dir.resolve("writer.log").toFile()).start();
        Path temp;
        try {
            temp = awaitTemp(root.resolve("media"), writer);
            assertThat(temp.getFileName().toString()).startsWith(LocalLayout.TEMP + writer.pid() + "@");

            // Another process writing into the same folder while that writer lives leaves its file alone.
            new LocalObjectStore(root).put("media/y", ONE, ObjectMetadata.EMPTY);
            assertThat(temp).exists();
        } finally {
            writer.destroyForcibly(); // kill -9: the writer's finally blocks do not run
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(temp).as("kill -9 leaves the half-written file").exists();

        LocalObjectStore next = new LocalObjectStore(root);
        // Reading never deletes anything (a store opened as a source is never written).
        try (Stream<ObjectInfo> all = next.list("")) {
            assertThat(all.map(ObjectInfo::key)).containsExactly("media/y");
        }
        assertThat(next.stat("media/y")).isPresent();
        assertThat(temp).exists();
        // A write into another folder does not look into media/: the sweep is per folder written to.
        next.put("other/z", ONE, ObjectMetadata.EMPTY);
        assertThat(temp).exists();

        next.put("media/w", ONE, ObjectMetadata.EMPTY);
        assertThat(temp).as("swept: its writer is gone").doesNotExist();
        assertThat(names(root.resolve("media"))).containsExactly("w", "y");
    }

    @Test
    void filesOfOtherHostsOrUnknownWritersGoOnlyWhenOldAndNothingButRegularFilesIsTouched() throws Exception {
        Path root = dir.resolve("dst");
        Path folder = Files.createDirectories(root.resolve("a"));
        Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
        Path oldUnnamed = touch(folder.resolve(LocalLayout.TEMP + "0b6c5a2e-unnamed"), twoHoursAgo);
        Path freshUnnamed = touch(folder.resolve(LocalLayout.TEMP + "123"), Instant.now());
        Path freshOtherHost = touch(folder.resolve(LocalLayout.TEMP + "1@elsewhere-" + "f".repeat(36)), Instant.now());
        Path oldOtherHost = touch(folder.resolve(LocalLayout.TEMP + "1@elsewhere-" + "e".repeat(36)), twoHoursAgo);
        // A link with a temporary name, to a file outside the store: neither the link nor its target is deleted.
        Path outside = touch(dir.resolve("precious"), twoHoursAgo);
        Path link = Files.createSymbolicLink(folder.resolve(LocalLayout.TEMP + "1@elsewhere-link"), outside);
        Path directory = Files.createDirectories(folder.resolve(LocalLayout.TEMP + "dir"));
        Files.setLastModifiedTime(directory, FileTime.from(twoHoursAgo));
        // This process's own files are never swept: another thread may be writing them.
        Path ours = touch(folder.resolve(TempFiles.nameOf(ProcessHandle.current().pid())), twoHoursAgo);

        new LocalObjectStore(root).put("a/b", ONE, ObjectMetadata.EMPTY);

        assertThat(oldUnnamed).doesNotExist();
        assertThat(oldOtherHost).doesNotExist();
        assertThat(freshUnnamed).exists();
        assertThat(freshOtherHost).exists();
        assertThat(link).isSymbolicLink();
        assertThat(outside).exists();
        assertThat(directory).isDirectory();
        assertThat(ours).exists();
    }

    @Test
    void aDeadWriterOfThisHostIsToldFromALiveOne() throws Exception {
        Process live = new ProcessBuilder("sleep", "60").start();
        Process dead = new ProcessBuilder("true").start();
        try {
            assertThat(dead.waitFor(10, TimeUnit.SECONDS)).isTrue();
            Instant staleBefore = Instant.now().minus(TempFiles.STALE_AFTER);
            assertThat(TempFiles.stale(TempFiles.nameOf(live.pid()), Instant.now(), staleBefore, true)).isFalse();
            assertThat(TempFiles.stale(TempFiles.nameOf(dead.pid()), Instant.now(), staleBefore, true)).isTrue();
            // Another user's file: its writer may be hidden from us, so only its age counts.
            assertThat(TempFiles.stale(TempFiles.nameOf(dead.pid()), Instant.now(), staleBefore, false)).isFalse();
        } finally {
            live.destroyForcibly();
        }
    }

    private static Path touch(Path file, Instant modified) throws Exception {
        Files.writeString(file, "half written");
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Path awaitTemp(Path folder, Process writer) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> files = Files.list(folder)) {
                    List<Path> temps = new ArrayList<>(files.filter(p -> p.getFileName().toString().startsWith(LocalLayout.TEMP)).toList());
                    if (!temps.isEmpty() && Files.size(temps.get(0)) > 0) {
                        return temps.get(0);
                    }
                }
            }
            assertThat(writer.isAlive()).as("the writer ended before it was killed").isTrue();
            Thread.sleep(20);
        }
        throw new AssertionError("the writer made no temporary file in 60 s");
    }

    /** A writer that sends the first bytes of a large object and then waits forever (until it is killed). */
    public static final class StalledWriter {
        public static void main(String[] args) {
            new LocalObjectStore(Path.of(args[0])).put(args[1], new Content() {
                @Override
                public long size() {
                    return 1 << 30;
                }

                @Override
                public InputStream open() {
                    return new InputStream() {
                        int sent;

                        @Override
                        public int read() {
                            if (sent++ < 64 * 1024) {
                                return 'x';
                            }
                            try {
                                Thread.sleep(Long.MAX_VALUE);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return -1;
                        }
                    };
                }
            }, ObjectMetadata.EMPTY);
        }
    }
}
