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

    /** The CRC-64/NVME definition one bit at a time: no table, so it checks the slice-by-8 tables too. */
    private static long crc64Bitwise(byte[] b, int off, int len) {
        long c = ~0L;
        for (int i = off; i < off + len; i++) {
            c ^= b[i] & 0xff;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x9a6c9329ac4bc9b5L : c >>> 1;
            }
        }
        return ~c;
    }

    @Test
    void crc64EightBytesAStepEqualsTheBitwiseDefinitionAtEveryOffsetAndLength() {
        java.util.Random random = new java.util.Random(64);
        byte[] data = new byte[64];
        random.nextBytes(data);
        for (int off = 0; off < 17; off++) {
            for (int len = 0; off + len <= data.length; len++) {
                ChecksumDigest.Crc64Nvme crc = new ChecksumDigest.Crc64Nvme();
                crc.update(data, off, len);
                assertThat(crc.value()).as("offset %d, length %d", off, len).isEqualTo(crc64Bitwise(data, off, len));
            }
        }
        // A large buffer fed in pieces of odd sizes, as streams deliver it.
        byte[] big = new byte[1 << 20];
        random.nextBytes(big);
        ChecksumDigest.Crc64Nvme crc = new ChecksumDigest.Crc64Nvme();
        for (int off = 0; off < big.length; ) {
            int n = Math.min(big.length - off, 1 + random.nextInt(70_000));
            crc.update(big, off, n);
            off += n;
        }
        assertThat(crc.value()).isEqualTo(crc64Bitwise(big, 0, big.length));
    }

    @Test
    void crcsOfPartsCombineIntoTheCrcOfTheWhole() {
        java.util.Random random = new java.util.Random(7);
        byte[] data = new byte[300_000];
        random.nextBytes(data);
        for (ChecksumKind kind : EnumSet.of(ChecksumKind.CRC32, ChecksumKind.CRC32C, ChecksumKind.CRC64NVME)) {
            String whole = ChecksumDigest.of(Set.of(kind), data).get(kind);
            for (int round = 0; round < 20; round++) {
                // Parts of random sizes, including empty ones, combined in order.
                String combined = null;
                for (int off = 0; off < data.length; ) {
                    int n = round == 0 ? data.length : Math.min(data.length - off, random.nextInt(40_000));
                    ChecksumDigest part = new ChecksumDigest(Set.of(kind));
                    part.update(data, off, n);
                    String crc = part.result().get(kind);
                    combined = combined == null ? crc : ChecksumDigest.combine(kind, combined, crc, n);
                    off += n;
                }
                assertThat(combined).as("%s, round %d", kind, round).isEqualTo(whole);
            }
            String empty = ChecksumDigest.of(Set.of(kind), new byte[0]).get(kind);
            assertThat(ChecksumDigest.combine(kind, empty, whole, data.length)).isEqualTo(whole);
            assertThat(ChecksumDigest.combine(kind, whole, empty, 0)).isEqualTo(whole);
        }
        assertThatThrownBy(() -> ChecksumDigest.combine(ChecksumKind.MD5, "00", "00", 1))
                .isInstanceOf(IllegalArgumentException.class);
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
