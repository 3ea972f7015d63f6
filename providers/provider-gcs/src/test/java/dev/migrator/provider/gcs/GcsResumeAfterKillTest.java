package dev.migrator.provider.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Content;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large upload to GCS cut by {@code kill -9} (a child JVM) continues, in the next run, from the bytes GCS already
 * holds: the session URI kept in the upload state folder is asked how far it got, and only the rest is sent
 * (counted by the test server). Sessions that cannot be continued are started again, and bytes GCS holds that are
 * not the source's never become the object.
 */
class GcsResumeAfterKillTest {
    static final int CHUNK = 5 * 1024 * 1024; // the chunk size a 5 MiB part size gives
    static final int SIZE = 3 * CHUNK + 12345;
    static final ObjectMetadata META = new ObjectMetadata("application/octet-stream", null, null, null, Map.of("k", "v"));
    static GcsTestServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = GcsTestServer.start();
        server.createBucket("resume");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static ObjectStore open(String endpoint, Path state) {
        return Stores.openAdapter("gs://resume/in?endpoint=" + endpoint,
                new StoreOptions(CHUNK, 2, Retry.NONE).withUploadState(state));
    }

    static byte[] bytes(long seed) {
        byte[] b = new byte[SIZE];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * The child: uploads {@code bytes(seed)} as KEY, but its source stops (blocks) after {@code stopAfter} bytes,
     * so the parent can kill it once those chunks reached the server.
     */
    public static void main(String[] args) throws Exception {
        byte[] all = bytes(Long.parseLong(args[3]));
        int stopAfter = Integer.parseInt(args[4]);
        Content stalling = new Content() {
            @Override
            public long size() {
                return all.length;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(all) {
                    @Override
                    public synchronized int read(byte[] b, int off, int len) {
                        if (pos >= stopAfter) {
                            try {
                                Thread.sleep(Long.MAX_VALUE); // the parent kills the process here
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return -1;
                        }
                        return super.read(b, off, Math.min(len, stopAfter - pos));
                    }
                };
            }
        };
        try (ObjectStore store = open(args[0], Path.of(args[1]))) {
            store.put(args[2], stalling, META);
        }
    }

    @Test
    void aKilledUploadContinuesFromTheBytesGcsHolds() throws Exception {
        Path state = dir.resolve("uploads");
        long chunksBefore = server.count("objects.insert.resumable.chunk");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), GcsResumeAfterKillTest.class.getName(),
                server.endpoint().toString(), state.toString(), "killed.bin", "7", Integer.toString(2 * CHUNK))
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (server.count("objects.insert.resumable.chunk") < chunksBefore + 2) {
            assertThat(child.isAlive()).as("the child is uploading: " + log()).isTrue();
            assertThat(System.nanoTime()).as("two chunks within 60 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        child.destroyForcibly(); // SIGKILL: the session stays open at the server
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sessionFiles(state)).as("the session URI was kept").hasSize(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sessionFiles(state).get(0))))
                .as("a session URI lets its holder write: owner only").isEqualTo("rw-------");

        long sessions = server.count("objects.insert.resumable");
        long sent = server.count("objects.insert.resumable.bytes");
        byte[] bytes = bytes(7);
        try (ObjectStore store = open(server.endpoint().toString(), state)) {
            store.put("killed.bin", Content.of(bytes), META);
            assertThat(server.count("objects.insert.resumable.bytes") - sent)
                    .as("only what GCS did not hold yet: 2 chunks were not sent again").isEqualTo(SIZE - 2L * CHUNK);
            assertThat(server.count("objects.insert.resumable")).as("no new session").isEqualTo(sessions);
            assertThat(((GcsObjectStore) store).lastResumedBytes).isEqualTo(2L * CHUNK);
            try (InputStream in = store.open("killed.bin", 0, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(bytes);
            }
            assertThat(store.stat("killed.bin").orElseThrow().metadata().userMetadata()).containsEntry("k", "v");
        }
        assertThat(sessionFiles(state)).as("a finished upload leaves no session behind").isEmpty();
    }

    @Test
    void anExpiredSessionIsStartedAgain() throws Exception {
        Path state = dir.resolve("uploads");
        byte[] bytes = bytes(3);
        try (ObjectStore store = open(server.endpoint().toString(), state)) {
            interrupt(store, "expired.bin", bytes, CHUNK, META);
            server.expireUploadSessions();
            long sessions = server.count("objects.insert.resumable");
            long sent = server.count("objects.insert.resumable.bytes");
            store.put("expired.bin", Content.of(bytes), META);
            assertThat(server.count("objects.insert.resumable")).as("a new session").isEqualTo(sessions + 1);
            assertThat(server.count("objects.insert.resumable.bytes") - sent).as("every byte again").isEqualTo(SIZE);
            try (InputStream in = store.open("expired.bin", 0, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(bytes);
            }
        }
        assertThat(sessionFiles(state)).isEmpty();
    }

    /** A session started for other metadata would give the object the old headers: it is cancelled, not continued. */
    @Test
    void aSessionForOtherMetadataIsNotContinued() throws Exception {
        Path state = dir.resolve("uploads");
        byte[] bytes = bytes(4);
        ObjectMetadata now = new ObjectMetadata("image/png", null, "max-age=60", null, Map.of("k", "w"));
        try (ObjectStore store = open(server.endpoint().toString(), state)) {
            interrupt(store, "meta.bin", bytes, CHUNK, META);
            long sent = server.count("objects.insert.resumable.bytes");
            store.put("meta.bin", Content.of(bytes), now);
            assertThat(server.count("objects.insert.resumable.bytes") - sent).isEqualTo(SIZE);
            var meta = store.stat("meta.bin").orElseThrow().metadata();
            assertThat(meta.contentType()).isEqualTo("image/png");
            assertThat(meta.userMetadata()).containsEntry("k", "w");
        }
    }

    /**
     * The source changed since the interrupted run: the bytes GCS holds are not the source's, GCS refuses the final
     * hash, and the upload starts again and sends everything, so the object is the source as it is now.
     */
    @Test
    void bytesOfAChangedSourceNeverBecomeTheObject() throws Exception {
        Path state = dir.resolve("uploads");
        byte[] old = bytes(5);
        byte[] now = old.clone();
        now[10] ^= 1; // in the first chunk, which the interrupted run sent
        try (ObjectStore store = open(server.endpoint().toString(), state)) {
            interrupt(store, "changed.bin", old, CHUNK, META);
            long sent = server.count("objects.insert.resumable.bytes");
            store.put("changed.bin", Content.of(now), META);
            assertThat(server.count("objects.insert.resumable.bytes") - sent)
                    .as("the rest on the old session, refused; then everything on a new one")
                    .isEqualTo((SIZE - CHUNK) + SIZE);
            try (InputStream in = store.open("changed.bin", 0, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(now);
            }
        }
        assertThat(sessionFiles(state)).isEmpty();
    }

    /** What a run that failed after sending {@code n} bytes leaves: a session at the server and its file here. */
    private void interrupt(ObjectStore store, String key, byte[] bytes, int n, ObjectMetadata meta) throws IOException {
        Content failing = new Content() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public InputStream open() {
                return new java.io.FilterInputStream(new ByteArrayInputStream(bytes)) {
                    long pos;

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (pos >= n) {
                            throw new IOException("source unreadable");
                        }
                        int got = super.read(b, off, (int) Math.min(len, n - pos));
                        pos += Math.max(got, 0);
                        return got;
                    }
                };
            }
        };
        assertThatThrownBy(() -> store.put(key, failing, meta)).isInstanceOf(MigratorException.class);
        assertThat(sessionFiles(dir.resolve("uploads"))).hasSize(1);
    }

    private List<Path> sessionFiles(Path state) throws IOException {
        if (!Files.isDirectory(state)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(state)) {
            return files.filter(p -> p.toString().endsWith(".gcs-session")).toList();
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("child.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
