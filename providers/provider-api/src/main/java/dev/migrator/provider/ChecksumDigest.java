package dev.migrator.provider;

import dev.migrator.provider.Capabilities.ChecksumKind;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Computes whole-object checksums of the chosen kinds over bytes as they stream past, so a copy can
 * check the value the target stores, or a verify can compare with the one the other side reports.
 * Not thread-safe: one per stream.
 */
public final class ChecksumDigest {
    private final MessageDigest md5;
    private final MessageDigest sha256;
    private final CRC32 crc32;
    private final CRC32C crc32c;
    private final Crc64Nvme crc64;

    public ChecksumDigest(Set<ChecksumKind> kinds) {
        md5 = kinds.contains(ChecksumKind.MD5) ? Digests.md5() : null;
        sha256 = kinds.contains(ChecksumKind.SHA256) ? Digests.sha256() : null;
        crc32 = kinds.contains(ChecksumKind.CRC32) ? new CRC32() : null;
        crc32c = kinds.contains(ChecksumKind.CRC32C) ? new CRC32C() : null;
        crc64 = kinds.contains(ChecksumKind.CRC64NVME) ? new Crc64Nvme() : null;
    }

    public void update(byte[] b, int off, int len) {
        if (md5 != null) {
            md5.update(b, off, len);
        }
        if (sha256 != null) {
            sha256.update(b, off, len);
        }
        if (crc32 != null) {
            crc32.update(b, off, len);
        }
        if (crc32c != null) {
            crc32c.update(b, off, len);
        }
        if (crc64 != null) {
            crc64.update(b, off, len);
        }
    }

    /** The checksums of every byte passed so far; call once, at the end. */
    public Checksums result() {
        Map<ChecksumKind, String> out = new EnumMap<>(ChecksumKind.class);
        if (md5 != null) {
            out.put(ChecksumKind.MD5, Digests.hex(md5.digest()));
        }
        if (sha256 != null) {
            out.put(ChecksumKind.SHA256, Digests.hex(sha256.digest()));
        }
        if (crc32 != null) {
            out.put(ChecksumKind.CRC32, String.format("%08x", crc32.getValue()));
        }
        if (crc32c != null) {
            out.put(ChecksumKind.CRC32C, String.format("%08x", crc32c.getValue()));
        }
        if (crc64 != null) {
            out.put(ChecksumKind.CRC64NVME, String.format("%016x", crc64.value()));
        }
        Checksums c = Checksums.NONE;
        for (Map.Entry<ChecksumKind, String> e : out.entrySet()) {
            c = c.with(e.getKey(), e.getValue());
        }
        return c;
    }

    /** The checksums of {@code data}. */
    public static Checksums of(Set<ChecksumKind> kinds, byte[] data) {
        ChecksumDigest d = new ChecksumDigest(kinds);
        d.update(data, 0, data.length);
        return d.result();
    }

    /**
     * CRC-64/NVME (the CRC S3 computes for every new object): reflected polynomial 0x9a6c9329ac4bc9b5,
     * initial value and final xor all ones; check value of "123456789" is 0xae8b14860a799888. The JDK has
     * no CRC-64, and this table-driven loop is the whole algorithm.
     */
    static final class Crc64Nvme {
        private static final long[] TABLE = new long[256];

        static {
            for (int i = 0; i < 256; i++) {
                long c = i;
                for (int k = 0; k < 8; k++) {
                    c = (c & 1) != 0 ? (c >>> 1) ^ 0x9a6c9329ac4bc9b5L : c >>> 1;
                }
                TABLE[i] = c;
            }
        }

        private long crc = ~0L;

        void update(byte[] b, int off, int len) {
            long c = crc;
            for (int i = off, end = off + len; i < end; i++) {
                c = TABLE[(int) ((c ^ b[i]) & 0xff)] ^ (c >>> 8);
            }
            crc = c;
        }

        long value() {
            return ~crc;
        }
    }
}
