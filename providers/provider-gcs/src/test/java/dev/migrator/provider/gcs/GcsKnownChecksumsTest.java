package dev.migrator.provider.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Capabilities.ChecksumKind;
import dev.migrator.provider.ChecksumDigest;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The source's known checksums ({@link Content#known()}) go with each write, in one request and through a resumable
 * session, and GcsTestServer (as GCS) refuses bytes that do not have them: the adapter does not check them itself,
 * so a refusal here is the server's.
 */
class GcsKnownChecksumsTest {
    private static final int CHUNK = (int) dev.migrator.testkit.ObjectStoreContract.PART_SIZE;
    private static GcsTestServer server;
    private static ObjectStore store;

    @BeforeAll
    static void start() {
        server = GcsTestServer.start();
        server.createBucket("known");
        store = Stores.openAdapter("gs://known?endpoint=" + server.endpoint(), new StoreOptions(CHUNK, 2, Retry.NONE));
    }

    @AfterAll
    static void stop() throws Exception {
        store.close();
        server.close();
    }

    private static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Content claiming(byte[] bytes, Checksums known) {
        Content plain = Content.of(bytes);
        return new Content() {
            @Override
            public long size() {
                return plain.size();
            }

            @Override
            public InputStream open() throws java.io.IOException {
                return plain.open();
            }

            @Override
            public Checksums known() {
                return known;
            }
        };
    }

    private static Checksums right(byte[] data) {
        return ChecksumDigest.of(EnumSet.of(ChecksumKind.CRC32C, ChecksumKind.MD5), data);
    }

    private static String flipped(String hex) {
        char last = hex.charAt(hex.length() - 1);
        return hex.substring(0, hex.length() - 1) + (last == '0' ? '1' : '0');
    }

    @Test
    void aFalseKnownCrc32cOrMd5IsRefusedInOneRequestAndThroughASession() {
        for (int size : new int[] {3000, CHUNK + 5000}) {
            byte[] data = bytes(size, size);
            Checksums right = right(data);
            for (Checksums claim : new Checksums[] {new Checksums(null, flipped(right.crc32c())), Checksums.md5(flipped(right.md5()))}) {
                String key = "false-" + size + "-" + (claim.md5() != null ? "md5" : "crc32c");
                assertThatThrownBy(() -> store.put(key, claiming(data, claim), ObjectMetadata.EMPTY))
                        .isInstanceOfSatisfying(MigratorException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                            assertThat(e.getMessage()).contains(key).contains("the checksums the source reports")
                                    .contains(claim.md5() != null ? claim.md5() : claim.crc32c());
                        });
                assertThat(store.stat(key)).as("nothing kept under " + key).isEmpty();
            }
        }
    }

    @Test
    void aTrueKnownChecksumIsKept() {
        for (int size : new int[] {3000, CHUNK + 5000}) {
            byte[] data = bytes(size, 7 + size);
            Checksums right = right(data);
            String key = "true-" + size;
            assertThat(store.put(key, claiming(data, right), ObjectMetadata.EMPTY).checksums()).isEqualTo(right);
            assertThat(store.stat(key).orElseThrow().checksums()).isEqualTo(right);
        }
    }

    @Test
    void aCreateOnlyWriteIsCheckedToo() {
        byte[] data = bytes(2000, 99);
        Checksums right = right(data);
        assertThatThrownBy(() -> store.createIfAbsent("once", claiming(data, new Checksums(null, flipped(right.crc32c()))),
                ObjectMetadata.EMPTY))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY));
        assertThat(store.stat("once")).isEmpty();
        assertThat(store.createIfAbsent("once", claiming(data, right), ObjectMetadata.EMPTY)).isPresent();
    }
}
