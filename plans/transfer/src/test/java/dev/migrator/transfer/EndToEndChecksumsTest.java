package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Capabilities.ChecksumKind;
import dev.migrator.provider.ChecksumDigest;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.local.LocalObjectStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copy's own end-to-end proof beyond MD5 ({@link Copier#check}) and what {@link VerifiedContent} computes and
 * passes on ({@link Content#known()}): every kind read is held against the source's and the target's values.
 */
class EndToEndChecksumsTest {
    private static final byte[] DATA = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII);
    private static final Checksums RIGHT = ChecksumDigest.of(EnumSet.allOf(ChecksumKind.class), DATA);
    private static final String OTHER_CRC32C = "00000001";

    @TempDir
    Path dir;

    private static ObjectInfo info(Checksums c) {
        return new ObjectInfo("dir/k", DATA.length, Instant.EPOCH, null, c, ObjectMetadata.EMPTY);
    }

    @Test
    void everyKindReadIsHeldAgainstSourceAndTarget() {
        Checksums read = RIGHT;
        assertThatCode(() -> Copier.check(info(new Checksums(RIGHT.md5(), RIGHT.crc32c())),
                info(Checksums.of(ChecksumKind.CRC32C, RIGHT.crc32c())), read)).doesNotThrowAnyException();
        assertThatThrownBy(() -> Copier.check(info(Checksums.of(ChecksumKind.CRC32C, OTHER_CRC32C)), info(Checksums.NONE), read))
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                    assertThat(e.getMessage()).isEqualTo("'dir/k' did not verify: the bytes read have CRC32C " + RIGHT.crc32c()
                            + " but the source reports " + OTHER_CRC32C);
                });
        assertThatThrownBy(() -> Copier.check(info(Checksums.NONE), info(Checksums.of(ChecksumKind.CRC32C, OTHER_CRC32C)), read))
                .hasMessageContaining("the target stored CRC32C " + OTHER_CRC32C);
    }

    @Test
    void aKindNotReadStillHasToAgreeBetweenSourceAndTarget() {
        Checksums md5Only = Checksums.md5(RIGHT.md5());
        assertThatThrownBy(() -> Copier.check(info(Checksums.of(ChecksumKind.CRC64NVME, RIGHT.crc64nvme())),
                info(Checksums.of(ChecksumKind.CRC64NVME, "0000000000000001")), md5Only))
                .hasMessageContaining("the target stored CRC64NVME 0000000000000001 but the source reports " + RIGHT.crc64nvme());
    }

    @Test
    void theContentComputesMd5TheSourcesKindsAndTheTargetsAndPassesTheSourcesOn() throws Exception {
        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        source.put("dir/k", Content.of(DATA), ObjectMetadata.EMPTY);
        Checksums known = Checksums.of(ChecksumKind.CRC32C, RIGHT.crc32c());
        VerifiedContent content = new VerifiedContent(source, "dir/k", DATA.length, Progress.NONE, null, known,
                Set.of(ChecksumKind.CRC64NVME));
        assertThat(content.known()).isEqualTo(known);
        assertThat(content.read()).isNull();
        assertThat(content.streamed()).as("nothing streamed yet").isEqualTo(Checksums.NONE);
        try (InputStream in = content.open()) {
            in.readAllBytes();
        }
        assertThat(content.read()).isEqualTo(new Checksums(RIGHT.md5(), null, RIGHT.crc32c(), RIGHT.crc64nvme(), null));
        assertThat(content.md5()).isEqualTo(RIGHT.md5());
        assertThat(content.streamed()).as("what a buffering store takes instead of hashing again").isEqualTo(content.read());
        try (InputStream in = content.open()) {
            in.readNBytes(DATA.length - 1);
        }
        assertThat(content.streamed()).as("a stream not read to the end has no values").isEqualTo(Checksums.NONE);
    }
}
