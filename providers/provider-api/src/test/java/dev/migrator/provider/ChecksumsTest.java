package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Capabilities.ChecksumKind;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChecksumsTest {
    private static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);

    @Test
    void computesTheStandardCheckValuesOfEveryKind() {
        Checksums c = ChecksumDigest.of(EnumSet.allOf(ChecksumKind.class), CHECK);
        assertThat(c.crc32()).isEqualTo("cbf43926");
        assertThat(c.crc32c()).isEqualTo("e3069283");
        assertThat(c.crc64nvme()).isEqualTo("ae8b14860a799888");
        assertThat(c.md5()).isEqualTo("25f9e794323b453885f5181f1b624d0b");
        assertThat(c.sha256()).isEqualTo("15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225");
    }

    @Test
    void crc64IsTheSameWhenFedInPieces() {
        ChecksumDigest d = new ChecksumDigest(Set.of(ChecksumKind.CRC64NVME));
        d.update(CHECK, 0, 4);
        d.update(CHECK, 4, 5);
        assertThat(d.result().crc64nvme()).isEqualTo("ae8b14860a799888");
    }

    @Test
    void theStrongestSharedKindIsChosenByWidth() {
        Checksums s3 = new Checksums(null, "cbf43926", "e3069283", "ae8b14860a799888", null);
        Checksums gcs = new Checksums("25f9e794323b453885f5181f1b624d0b", "e3069283");
        assertThat(s3.strongestShared(gcs)).contains(ChecksumKind.CRC32C);
        assertThat(s3.strongestShared(s3)).contains(ChecksumKind.CRC64NVME);
        assertThat(gcs.strongestShared(gcs)).contains(ChecksumKind.MD5);
        assertThat(s3.strongestShared(Checksums.md5("25f9e794323b453885f5181f1b624d0b"))).isEmpty();
        assertThat(s3.matches(gcs)).isTrue();
        assertThat(s3.matches(gcs.with(ChecksumKind.CRC32C, "00000000"))).isFalse();
        assertThat(s3.comparableWith(Checksums.NONE)).isFalse();
        assertThat(s3.matches(Checksums.NONE)).isFalse();
    }

    @Test
    void aValueThatIsNotHexOfTheRightWidthIsRefused() {
        // An S3 multipart ETag, or a base64 value passed as hex, must never become a checksum.
        assertThatThrownBy(() -> Checksums.md5("d41d8cd98f00b204e9800998ecf8427e-2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Checksums.of(ChecksumKind.CRC32C, "4waSgw==")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Checksums.hexOfBase64("4waSgw==")).isEqualTo("e3069283");
        assertThat(Checksums.base64OfHex("e3069283")).isEqualTo("4waSgw==");
        assertThat(Checksums.md5("ABCDEF0123456789ABCDEF0123456789").md5()).isEqualTo("abcdef0123456789abcdef0123456789");
    }

    @Test
    void plusFillsOnlyTheMissingKinds() {
        Checksums a = Checksums.md5("25f9e794323b453885f5181f1b624d0b");
        Checksums b = new Checksums("00000000000000000000000000000000", "e3069283");
        assertThat(a.plus(b)).isEqualTo(new Checksums("25f9e794323b453885f5181f1b624d0b", "e3069283"));
        assertThat(a.plus(b).toString()).isEqualTo("md5=25f9e794323b453885f5181f1b624d0b crc32c=e3069283");
    }
}
