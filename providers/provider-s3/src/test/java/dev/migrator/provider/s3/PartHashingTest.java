package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Capabilities.ChecksumKind;
import dev.migrator.provider.ChecksumDigest;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Parts are hashed as their buffers fill and buffers are reused for later parts: the bytes sent are still the
 * bytes hashed. A part whose buffer changes after it was hashed is refused (the store checks Content-MD5 and the
 * part's ETag is compared), and nothing is kept; parts through reused buffers arrive whole.
 */
class PartHashingTest {
    static final long PART = 5L * 1024 * 1024;
    static EmbeddedS3Server server;

    @BeforeAll
    static void start() {
        server = EmbeddedS3Server.inMemory();
        server.createBucket("hashing");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static ObjectStore store() {
        return Stores.openAdapter(server.s3Uri("hashing", ""),
                new StoreOptions(PART, 2, new Retry(2, Duration.ofMillis(5), Duration.ofMillis(20))));
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * The bytes of {@code data}, at most 64 KiB a read as from a socket; once the reader has passed byte
     * {@code damageAfter}, it flips the byte just before the run it reads now, in the caller's buffer: a byte the
     * caller has already seen (and hashed) changes before it is sent. Like the copy engine's content, it hashes
     * what it yields ({@link Content#streamed()}), before the damage.
     */
    static Content damaging(byte[] data, long damageAfter) {
        return new Content() {
            volatile Checksums streamed = Checksums.NONE;

            @Override
            public long size() {
                return data.length;
            }

            @Override
            public Checksums streamed() {
                return streamed;
            }

            @Override
            public InputStream open() {
                streamed = Checksums.NONE;
                ChecksumDigest digest = new ChecksumDigest(Set.of(ChecksumKind.MD5));
                return new InputStream() {
                    final ByteArrayInputStream in = new ByteArrayInputStream(data);
                    long pos;
                    boolean damaged;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = in.read(b, off, Math.min(len, 64 * 1024));
                        if (n > 0) {
                            digest.update(b, off, n);
                            if (pos + n == data.length) {
                                streamed = digest.result();
                            }
                            if (!damaged && pos > damageAfter && off > 0) {
                                b[off - 1] ^= 0x40;
                                damaged = true;
                            }
                            pos += n;
                        }
                        return n;
                    }
                };
            }
        };
    }

    @Test
    void aPartChangedAfterItWasHashedIsRefusedAndNothingIsKept() {
        byte[] data = random((int) (3 * PART + 777), 1);
        try (ObjectStore s3 = store()) {
            assertThatThrownBy(() -> s3.put("damaged", damaging(data, PART + 100_000), ObjectMetadata.EMPTY))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(e.getMessage()).contains("damaged").contains("part 2");
                    });
            assertThat(s3.stat("damaged")).isEmpty();
            assertThat(((S3ObjectStore) s3).s3().listMultipartUploads(b -> b.bucket("hashing")).uploads())
                    .as("the upload was aborted").isEmpty();
        }
    }

    /** The single-part put sends the MD5 its content computed while streaming, so the store refuses the change. */
    @Test
    void aSinglePartBufferChangedAfterItWasHashedIsRefused() {
        byte[] data = random(300_000, 3);
        try (ObjectStore s3 = store()) {
            assertThatThrownBy(() -> s3.put("damaged-small", damaging(data, 100_000), ObjectMetadata.EMPTY))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(e.getMessage()).contains("damaged-small");
                    });
            assertThat(s3.stat("damaged-small")).isEmpty();
            // Undamaged, the streamed MD5 is the object's.
            ObjectInfo put = s3.put("small", damaging(data, Long.MAX_VALUE), ObjectMetadata.EMPTY);
            assertThat(put.checksums().md5()).isEqualTo(Digests.hex(Digests.md5().digest(data)));
        }
    }

    @Test
    void manyPartsThroughReusedBuffersArriveWhole() throws IOException {
        byte[] data = random((int) (7 * PART + 5), 2);
        try (ObjectStore s3 = store()) {
            ObjectInfo put = s3.put("many", damaging(data, Long.MAX_VALUE), ObjectMetadata.EMPTY);
            assertThat(put.etag()).endsWith("-8");
            try (InputStream in = s3.open("many", 0, -1)) {
                assertThat(Digests.hex(Digests.md5().digest(in.readAllBytes())))
                        .isEqualTo(Digests.hex(Digests.md5().digest(data)));
            }
        }
    }

    /**
     * The multipart upload tells its content, before opening it, that it checks the bytes by part MD5s and keeps no
     * whole-object MD5 (Content#storeHashesParts, which lets the copy skip its whole-object MD5); a single-part put,
     * which keeps one and takes it from the content, does not.
     */
    @Test
    void onlyAMultipartUploadSaysItHashesParts() {
        java.util.List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.function.Function<byte[], Content> recording = data -> new Content() {
            @Override
            public long size() {
                return data.length;
            }

            @Override
            public InputStream open() {
                calls.add("open");
                return new ByteArrayInputStream(data);
            }

            @Override
            public void storeHashesParts() {
                calls.add("storeHashesParts");
            }
        };
        try (ObjectStore s3 = store()) {
            byte[] big = random((int) (2 * PART + 1), 5);
            s3.put("parts", recording.apply(big), ObjectMetadata.EMPTY);
            assertThat(calls).containsExactly("storeHashesParts", "open");
            calls.clear();
            s3.put("one", recording.apply(random(1000, 6)), ObjectMetadata.EMPTY);
            assertThat(calls).containsExactly("open");
        }
    }
}
