package dev.migrator.provider;

import java.util.Locale;

/**
 * Whole-object checksums a store knows without reading the data, as lower-case hex; each is
 * {@code null} when the store does not know it. An S3 multipart ETag is <em>not</em> an MD5 and must
 * never be put in {@link #md5()}.
 */
public record Checksums(String md5, String crc32c) {
    public static final Checksums NONE = new Checksums(null, null);

    public Checksums {
        md5 = md5 == null ? null : md5.toLowerCase(Locale.ROOT);
        crc32c = crc32c == null ? null : crc32c.toLowerCase(Locale.ROOT);
    }

    public static Checksums md5(String md5Hex) {
        return new Checksums(md5Hex, null);
    }

    /**
     * Whether these and {@code other} share a checksum type. When they do, {@link #matches} is a
     * proof of equality (or difference); when they do not, only reading the data can tell.
     */
    public boolean comparableWith(Checksums other) {
        return (md5 != null && other.md5 != null) || (crc32c != null && other.crc32c != null);
    }

    /** True when every checksum type both sides know is equal, and they share at least one. */
    public boolean matches(Checksums other) {
        if (!comparableWith(other)) {
            return false;
        }
        if (md5 != null && other.md5 != null && !md5.equals(other.md5)) {
            return false;
        }
        return crc32c == null || other.crc32c == null || crc32c.equals(other.crc32c);
    }
}
