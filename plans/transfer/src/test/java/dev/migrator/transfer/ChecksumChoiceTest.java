package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Capabilities.ChecksumKind;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.local.LocalObjectStore;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which evidence verify uses for content ({@link Fidelity#checkContent}): the strongest checksum both stores hold, with
 * no bytes read; only without a shared one does it read. The stores here hold no such keys, so any read would fail.
 */
class ChecksumChoiceTest {
    private static final String MD5 = "9e107d9d372bb6826bd81d3542a419d6";
    private static final String CRC32C = "22620404";
    private static final String SHA256 = "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592";

    @TempDir
    Path dir;

    private ObjectInfo info(long size, Checksums c) {
        return new ObjectInfo("k", size, Instant.EPOCH, null, c, ObjectMetadata.EMPTY);
    }

    private Fidelity.ContentCheck check(Checksums a, Checksums b) {
        // Empty roots: a read of "k" would throw, so a passing check proves the contents were judged from metadata.
        return Fidelity.checkContent(new LocalObjectStore(dir.resolve("a")), info(43, a), new LocalObjectStore(dir.resolve("b")), info(43, b));
    }

    @Test
    void theSharedCrc32cDecidesWhenOnlyOneSideHasAnMd5() {
        Fidelity.ContentCheck c = check(new Checksums(MD5, CRC32C), Checksums.of(ChecksumKind.CRC32C, CRC32C));
        assertThat(c.difference()).isNull();
        assertThat(c.how()).isEqualTo("stored CRC32C");
    }

    @Test
    void theStrongestSharedIsNamedAndEverySharedOneMustAgree() {
        Checksums a = new Checksums(MD5, null, CRC32C, null, SHA256);
        assertThat(check(a, a).how()).isEqualTo("stored SHA256");
        Fidelity.ContentCheck changed = check(a, a.with(ChecksumKind.CRC32C, "00000000"));
        assertThat(changed.difference()).as("a weaker shared checksum that disagrees is a difference")
                .isEqualTo("sha256 " + SHA256 + " vs " + SHA256);
        assertThat(check(Checksums.of(ChecksumKind.CRC32C, CRC32C), Checksums.of(ChecksumKind.CRC32C, "00000000")).difference())
                .isEqualTo("crc32c 22620404 vs 00000000");
    }

    @Test
    void differentSizesNeedNoChecksum() {
        Fidelity.ContentCheck c = Fidelity.checkContent(new LocalObjectStore(dir.resolve("a")), info(1, Checksums.NONE),
                new LocalObjectStore(dir.resolve("b")), info(2, Checksums.NONE));
        assertThat(c.how()).isEqualTo("sizes");
        assertThat(c.difference()).isEqualTo("size 1 vs 2");
    }

    @Test
    void withoutASharedChecksumOneSideIsReadForTheOthersAlgorithm() {
        LocalObjectStore a = new LocalObjectStore(dir.resolve("a"));
        a.put("k", Content.of("The quick brown fox jumps over the lazy dog".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), ObjectMetadata.EMPTY);
        ObjectInfo stored = a.stat("k").orElseThrow();
        Fidelity.ContentCheck c = Fidelity.checkContent(a, new ObjectInfo("k", 43, null, null, Checksums.NONE, null),
                new LocalObjectStore(dir.resolve("b")), info(43, Checksums.of(ChecksumKind.SHA256, SHA256)));
        assertThat(stored.size()).isEqualTo(43);
        assertThat(c.how()).isEqualTo("read one side, SHA256");
        assertThat(c.difference()).isNull();
    }
}
