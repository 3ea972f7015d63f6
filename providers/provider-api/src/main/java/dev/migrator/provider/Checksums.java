package dev.migrator.provider;

import dev.migrator.provider.Capabilities.ChecksumKind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whole-object ("full object") checksums a store knows without reading the data, as lower-case hex;
 * each is {@code null} when the store does not know it.
 *
 * <p>Only a value computed over the object's bytes end to end belongs here. Never put in:
 * <ul>
 *   <li>an S3 multipart ETag ({@code …-N}), nor the ETag of an SSE-KMS or SSE-C object: neither is an MD5
 *       of the bytes, though the latter looks like one;</li>
 *   <li>an S3 COMPOSITE checksum (a checksum of part checksums, shown as {@code …-N}): S3 reports CRC32,
 *       CRC32C and SHA-256 of a multipart upload that way unless it was uploaded as FULL_OBJECT.
 *       CRC64NVME is always full-object. GCS crc32c is always full-object (also for composed objects).</li>
 * </ul>
 * S3 and Azure send checksums in base64; adapters convert them with {@link #hexOfBase64}.
 *
 * <h2>Strongest shared algorithm</h2>
 * Two objects are compared on every algorithm both know ({@link #matches}); the one named to a person or
 * recomputed on the side that lacks a value is the strongest both know, {@link #strongestShared}, in
 * {@link #STRONGEST_FIRST} order: by digest width, which is what bounds the chance that a random change
 * goes unseen (SHA-256 256 bits, MD5 128, CRC64NVME 64, CRC32C and CRC32 32; CRC32C before CRC32 for its
 * better error detection on the burst errors networks produce).
 */
public record Checksums(String md5, String crc32, String crc32c, String crc64nvme, String sha256) {
    public static final Checksums NONE = new Checksums(null, null, null, null, null);

    /** Strongest first: the order {@link #strongestShared} picks by. */
    public static final List<ChecksumKind> STRONGEST_FIRST = List.of(
            ChecksumKind.SHA256, ChecksumKind.MD5, ChecksumKind.CRC64NVME, ChecksumKind.CRC32C, ChecksumKind.CRC32);

    private static final Pattern HEX = Pattern.compile("[0-9a-f]+");

    public Checksums {
        md5 = hex(ChecksumKind.MD5, md5);
        crc32 = hex(ChecksumKind.CRC32, crc32);
        crc32c = hex(ChecksumKind.CRC32C, crc32c);
        crc64nvme = hex(ChecksumKind.CRC64NVME, crc64nvme);
        sha256 = hex(ChecksumKind.SHA256, sha256);
    }

    /** MD5 and CRC32C, the two that stores reported before the others existed (GCS reports just these). */
    public Checksums(String md5, String crc32c) {
        this(md5, null, crc32c, null, null);
    }

    public static Checksums md5(String md5Hex) {
        return new Checksums(md5Hex, null, null, null, null);
    }

    /** Only {@code kind}, with {@code hex} as its value. */
    public static Checksums of(ChecksumKind kind, String hex) {
        return NONE.with(kind, hex);
    }

    /** Hex characters in a checksum of each kind. */
    public static int hexLength(ChecksumKind kind) {
        return switch (kind) {
            case MD5 -> 32;
            case CRC32, CRC32C -> 8;
            case CRC64NVME -> 16;
            case SHA256 -> 64;
        };
    }

    private static String hex(ChecksumKind kind, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        String v = value.toLowerCase(Locale.ROOT);
        if (v.length() != hexLength(kind) || !HEX.matcher(v).matches()) {
            // An adapter bug (base64 passed as hex, a multipart ETag as an MD5): fail loudly, never compare it.
            throw new IllegalArgumentException(kind + " checksum must be " + hexLength(kind) + " hex digits: '" + value + "'");
        }
        return v;
    }

    /** The hex form of a base64 checksum (as S3 and Azure send them), or null for null or blank. */
    public static String hexOfBase64(String base64) {
        if (base64 == null || base64.isBlank()) {
            return null;
        }
        return Digests.hex(java.util.Base64.getDecoder().decode(base64.trim()));
    }

    /** The base64 form of a hex checksum (as S3 and Azure take them), or null for null. */
    public static String base64OfHex(String hex) {
        return hex == null ? null : java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(hex));
    }

    /** The value of {@code kind}, or null. */
    public String get(ChecksumKind kind) {
        return switch (kind) {
            case MD5 -> md5;
            case CRC32 -> crc32;
            case CRC32C -> crc32c;
            case CRC64NVME -> crc64nvme;
            case SHA256 -> sha256;
        };
    }

    /** These checksums with {@code kind} set to {@code hex} (null removes it). */
    public Checksums with(ChecksumKind kind, String hex) {
        return new Checksums(
                kind == ChecksumKind.MD5 ? hex : md5,
                kind == ChecksumKind.CRC32 ? hex : crc32,
                kind == ChecksumKind.CRC32C ? hex : crc32c,
                kind == ChecksumKind.CRC64NVME ? hex : crc64nvme,
                kind == ChecksumKind.SHA256 ? hex : sha256);
    }

    /** These checksums plus every value of {@code other} that these lack. */
    public Checksums plus(Checksums other) {
        Checksums out = this;
        for (ChecksumKind k : ChecksumKind.values()) {
            if (out.get(k) == null && other.get(k) != null) {
                out = out.with(k, other.get(k));
            }
        }
        return out;
    }

    /** The kinds with a value. */
    public Set<ChecksumKind> kinds() {
        EnumSet<ChecksumKind> out = EnumSet.noneOf(ChecksumKind.class);
        for (ChecksumKind k : ChecksumKind.values()) {
            if (get(k) != null) {
                out.add(k);
            }
        }
        return out;
    }

    public boolean isEmpty() {
        return kinds().isEmpty();
    }

    /** The strongest kind both these and {@code other} hold ({@link #STRONGEST_FIRST}), if any. */
    public Optional<ChecksumKind> strongestShared(Checksums other) {
        return strongestIn(kinds(), other.kinds());
    }

    /** The strongest kind in both sets, if any: e.g. what a copy computes so the target's value can be checked. */
    public static Optional<ChecksumKind> strongestIn(Set<ChecksumKind> a, Set<ChecksumKind> b) {
        return STRONGEST_FIRST.stream().filter(k -> a.contains(k) && b.contains(k)).findFirst();
    }

    /**
     * Whether these and {@code other} share a checksum type. When they do, {@link #matches} is a
     * proof of equality (or difference); when they do not, only reading the data can tell.
     */
    public boolean comparableWith(Checksums other) {
        return strongestShared(other).isPresent();
    }

    /** True when every checksum type both sides know is equal, and they share at least one. */
    public boolean matches(Checksums other) {
        if (!comparableWith(other)) {
            return false;
        }
        for (ChecksumKind k : ChecksumKind.values()) {
            if (get(k) != null && other.get(k) != null && !get(k).equals(other.get(k))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (ChecksumKind k : STRONGEST_FIRST) {
            if (get(k) != null) {
                parts.add(k.name().toLowerCase(Locale.ROOT) + "=" + get(k));
            }
        }
        return parts.isEmpty() ? "(no checksums)" : String.join(" ", parts);
    }
}
