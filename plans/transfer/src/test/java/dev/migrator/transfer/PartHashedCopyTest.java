package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Capabilities.ChecksumKind;
import dev.migrator.provider.ChecksumDigest;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.provider.local.LocalObjectStore;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write that checks its bytes by part MD5s ({@link Content#storeHashesParts()}, an S3 multipart upload) spares the
 * copy its whole-object MD5 pass unless the source's own MD5 needs it, and a flipped byte is still caught: on the
 * source read against the source's MD5, on the target write by the parts' Content-MD5 and composite ETag.
 */
class PartHashedCopyTest {
    static final long PART = 5L * 1024 * 1024;
    static final Retry FAST = new Retry(3, Duration.ofMillis(1), Duration.ofMillis(5));
    static final byte[] DATA = random((int) (2 * PART + 12345), 11);
    static EmbeddedS3Server server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = EmbeddedS3Server.inMemory();
        server.createBucket("src");
        server.createBucket("dst");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static ObjectStore s3(String bucket, String prefix) {
        return Stores.open(server.s3Uri(bucket, prefix), new StoreOptions(PART, 2, FAST));
    }

    private VerifiedContent content(Checksums known) {
        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        source.put("k", Content.of(DATA), ObjectMetadata.EMPTY);
        return new VerifiedContent(source, "k", DATA.length, Progress.NONE, null, known,
                Set.of(ChecksumKind.MD5, ChecksumKind.CRC32C));
    }

    private static Checksums readAll(VerifiedContent content) throws Exception {
        try (InputStream in = content.open()) {
            in.readAllBytes();
        }
        return content.read();
    }

    @Test
    void aStoreThatHashesPartsSparesTheWholeMd5OnlyWhenTheSourceHasNone() throws Exception {
        Checksums all = ChecksumDigest.of(EnumSet.of(ChecksumKind.MD5, ChecksumKind.CRC32C), DATA);

        VerifiedContent noMd5Known = content(Checksums.NONE);
        assertThat(readAll(noMd5Known)).as("without the hand-off: as before").isEqualTo(all);
        noMd5Known.storeHashesParts();
        assertThat(readAll(noMd5Known)).as("no MD5 to compare with: left out, the other kinds stay")
                .isEqualTo(Checksums.of(ChecksumKind.CRC32C, all.crc32c()));
        assertThat(noMd5Known.md5()).isNull();
        assertThat(noMd5Known.streamed().md5()).isNull();

        VerifiedContent md5Known = content(Checksums.md5(all.md5()));
        md5Known.storeHashesParts();
        assertThat(readAll(md5Known)).as("the source's MD5 is still checked").isEqualTo(all);

        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        VerifiedContent versions = new VerifiedContent(source, "k", DATA.length, Progress.NONE, null);
        versions.storeHashesParts();
        assertThat(readAll(versions).md5()).as("a caller that checks its own value keeps MD5").isEqualTo(all.md5());
    }

    /** S3 to S3, multipart on both sides (no whole-object checksum anywhere): copied, and verify reads both sides. */
    @Test
    void aMultipartSourceCopiesToAMultipartTargetAndVerifies() {
        try (ObjectStore src = s3("src", "mp/"); ObjectStore dst = s3("dst", "mp/")) {
            src.put("big.bin", Content.of(DATA), ObjectMetadata.EMPTY);
            assertThat(src.stat("big.bin").orElseThrow().checksums().md5()).as("a multipart ETag is no MD5").isNull();
            CopySummary summary = new Copier(src, dst, new CopyOptions(2, false, false, dir.resolve("journal"), FAST),
                    Progress.NONE).run();
            assertThat(summary.failures()).isEmpty();
            assertThat(summary.copied()).isEqualTo(1);
            assertThat(CopierTest.bytesOf(dst, "big.bin")).isEqualTo(DATA);
            assertThat(new Verifier(src, dst, 2, FAST, Progress.NONE).run().identical()).isTrue();
        }
    }

    /**
     * Source read: a source with an MD5 (FlakyStore reports one) whose bytes arrive with one byte flipped, into a
     * multipart target, fails with INTEGRITY on every attempt: the hand-off did not drop the MD5 that catches it.
     */
    @Test
    void aFlippedByteFromASourceWithAnMd5IsCaughtWhenTheTargetHashesParts() {
        LocalObjectStore local = new LocalObjectStore(dir.resolve("flaky"));
        local.put("big.bin", Content.of(DATA), ObjectMetadata.EMPTY);
        FlakyStore source = new FlakyStore(local);
        source.corruptReads.set(1000);
        try (ObjectStore dst = s3("dst", "flipped/")) {
            CopySummary summary = new Copier(source, dst, new CopyOptions(2, false, false, null, FAST),
                    Progress.NONE).run();
            assertThat(summary.copied()).isZero();
            assertThat(summary.failures()).singleElement().satisfies(f -> {
                assertThat(f.code()).isEqualTo("INTEGRITY");
                assertThat(f.message()).contains("MD5");
            });
        }
    }

    /** The same copy with a source read that flips a byte twice and then reads cleanly: retried, and right. */
    @Test
    void aSourceThatFlipsABytesTwiceIsRetriedIntoAVerifiedCopy() {
        LocalObjectStore local = new LocalObjectStore(dir.resolve("flaky2"));
        local.put("big.bin", Content.of(DATA), ObjectMetadata.EMPTY);
        FlakyStore source = new FlakyStore(local);
        source.corruptReads.set(2);
        try (ObjectStore dst = s3("dst", "flipped-twice/")) {
            CopySummary summary = new Copier(source, dst, new CopyOptions(2, false, false, null, FAST),
                    Progress.NONE).run();
            assertThat(summary.failures()).isEmpty();
            assertThat(summary.retries()).isGreaterThanOrEqualTo(2);
            assertThat(CopierTest.bytesOf(dst, "big.bin")).isEqualTo(DATA);
        }
    }
}
