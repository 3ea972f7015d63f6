package dev.migrator.provider;

import dev.migrator.provider.Capabilities.ChecksumKind;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
     * The {@code kind} CRC (CRC32, CRC32C or CRC64NVME, as lower-case hex) of bytes A followed by bytes B, from the
     * CRC of A, the CRC of B and B's length, without the bytes (zlib's crc32_combine, for any of these reflected CRCs
     * whose initial value and final xor are all ones): what S3 does to make a FULL_OBJECT value of its parts', so an
     * upload that hashes each part need not pass over the whole object again.
     */
    public static String combine(ChecksumKind kind, String crcA, String crcB, long lengthB) {
        int width = switch (kind) {
            case CRC32, CRC32C -> 32;
            case CRC64NVME -> 64;
            default -> throw new IllegalArgumentException(kind + " is no CRC: its values cannot be combined");
        };
        long poly = switch (kind) {
            case CRC32 -> 0xedb88320L;
            case CRC32C -> 0x82f63b78L;
            default -> 0x9a6c9329ac4bc9b5L;
        };
        long a = Long.parseUnsignedLong(crcA, 16);
        long b = Long.parseUnsignedLong(crcB, 16);
        if (lengthB < 0) {
            throw new IllegalArgumentException("length must not be negative: " + lengthB);
        }
        if (lengthB > 0) {
            // odd: the operator for one zero bit (shift right, xor the polynomial when the low bit falls out).
            long[] odd = new long[width];
            long[] even = new long[width];
            odd[0] = poly;
            for (int n = 1; n < width; n++) {
                odd[n] = 1L << (n - 1);
            }
            square(even, odd); // two zero bits
            square(odd, even); // four
            long len = lengthB;
            do {
                square(even, odd); // first one zero byte, then squared each step
                if ((len & 1) != 0) {
                    a = times(even, a);
                }
                len >>>= 1;
                if (len == 0) {
                    break;
                }
                square(odd, even);
                if ((len & 1) != 0) {
                    a = times(odd, a);
                }
                len >>>= 1;
            } while (len != 0);
        }
        long c = a ^ b;
        return width == 32 ? String.format("%08x", c & 0xffffffffL) : String.format("%016x", c);
    }

    private static long times(long[] matrix, long vector) {
        long sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) {
            if ((vector & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }

    private static void square(long[] square, long[] matrix) {
        for (int n = 0; n < matrix.length; n++) {
            square[n] = times(matrix, matrix[n]);
        }
    }

    /**
     * CRC-64/NVME (the CRC S3 computes for every new object): reflected polynomial 0x9a6c9329ac4bc9b5,
     * initial value and final xor all ones; check value of "123456789" is 0xae8b14860a799888. The JDK has
     * no CRC-64. Slice-by-8: eight bytes a step through eight tables (2.5x the byte-at-a-time loop, which a
     * copy of an S3 object with a CRC64NVME may run over every byte more than once).
     */
    static final class Crc64Nvme {
        private static final long[][] TABLES = new long[8][256];
        private static final VarHandle LITTLE_ENDIAN_LONG =
                MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        static {
            for (int i = 0; i < 256; i++) {
                long c = i;
                for (int k = 0; k < 8; k++) {
                    c = (c & 1) != 0 ? (c >>> 1) ^ 0x9a6c9329ac4bc9b5L : c >>> 1;
                }
                TABLES[0][i] = c;
            }
            // TABLES[k][i]: the CRC of byte i followed by k zero bytes.
            for (int k = 1; k < 8; k++) {
                for (int i = 0; i < 256; i++) {
                    long prev = TABLES[k - 1][i];
                    TABLES[k][i] = (prev >>> 8) ^ TABLES[0][(int) (prev & 0xff)];
                }
            }
        }

        private long crc = ~0L;

        void update(byte[] b, int off, int len) {
            long[] t0 = TABLES[0], t1 = TABLES[1], t2 = TABLES[2], t3 = TABLES[3];
            long[] t4 = TABLES[4], t5 = TABLES[5], t6 = TABLES[6], t7 = TABLES[7];
            long c = crc;
            int i = off;
            int end = off + len;
            for (; i <= end - 8; i += 8) {
                c ^= (long) LITTLE_ENDIAN_LONG.get(b, i);
                c = t7[(int) (c & 0xff)] ^ t6[(int) ((c >>> 8) & 0xff)] ^ t5[(int) ((c >>> 16) & 0xff)]
                        ^ t4[(int) ((c >>> 24) & 0xff)] ^ t3[(int) ((c >>> 32) & 0xff)] ^ t2[(int) ((c >>> 40) & 0xff)]
                        ^ t1[(int) ((c >>> 48) & 0xff)] ^ t0[(int) (c >>> 56)];
            }
            for (; i < end; i++) {
                c = t0[(int) ((c ^ b[i]) & 0xff)] ^ (c >>> 8);
            }
            crc = c;
        }

        long value() {
            return ~crc;
        }
    }
}
