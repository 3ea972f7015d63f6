package dev.migrator.provider.s3;

import dev.migrator.provider.Capabilities.ChecksumKind;
import dev.migrator.provider.Checksums;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * The one full-object checksum an S3 write asks the server to check on arrival and keep, decided in one place for
 * PutObject and multipart uploads (only with {@code checksums=when-supported}: S3-compatible stores reached with
 * {@code when-required} get no {@code x-amz-checksum-*} headers, as many reject or mishandle them):
 * <ol>
 *   <li>the strongest value the source already knows ({@code Content#known()}) that S3 keeps full-object for such a
 *       write: SHA-256, CRC64NVME, CRC32C or CRC32 for a PutObject; CRC64NVME, CRC32C or CRC32 for a multipart
 *       upload (S3 keeps SHA-256 of a multipart upload only as COMPOSITE, which equals nothing another store has).
 *       The source's own value is sent, so S3 refuses bytes that differ from what the source stored;</li>
 *   <li>else {@link #DEFAULT}, CRC32C, computed here: the algorithm GCS keeps for every object, so a later S3 to
 *       GCS verify is decided from stored values on both sides without reading either.</li>
 * </ol>
 * MD5 is not one of them: it travels as Content-MD5 and, for a single-part unencrypted write, comes back as the ETag.
 */
final class WriteChecksum {
    static final ChecksumKind DEFAULT = ChecksumKind.CRC32C;
    /** Full-object on S3 for a PutObject, strongest first (as {@link Checksums#STRONGEST_FIRST}). */
    private static final List<ChecksumKind> SINGLE = List.of(ChecksumKind.SHA256, ChecksumKind.CRC64NVME,
            ChecksumKind.CRC32C, ChecksumKind.CRC32);
    /** Full-object on S3 for a multipart upload of type FULL_OBJECT. */
    private static final List<ChecksumKind> MULTIPART = List.of(ChecksumKind.CRC64NVME, ChecksumKind.CRC32C,
            ChecksumKind.CRC32);

    private WriteChecksum() {
    }

    /** The kind to send for content with {@code known} values, or empty when none is sent ({@code when-required}). */
    static Optional<ChecksumKind> choose(boolean send, Checksums known, boolean multipart) {
        if (!send) {
            return Optional.empty();
        }
        return Optional.of((multipart ? MULTIPART : SINGLE).stream().filter(k -> known.get(k) != null).findFirst()
                .orElse(DEFAULT));
    }

    static ChecksumAlgorithm algorithm(ChecksumKind kind) {
        return switch (kind) {
            case CRC32 -> ChecksumAlgorithm.CRC32;
            case CRC32C -> ChecksumAlgorithm.CRC32_C;
            case CRC64NVME -> ChecksumAlgorithm.CRC64_NVME;
            case SHA256 -> ChecksumAlgorithm.SHA256;
            case MD5 -> throw new IllegalArgumentException("MD5 is sent as Content-MD5, not as a flexible checksum");
        };
    }

    /**
     * Whether a pending multipart upload can be completed as one asking for {@code kind} (null: no checksum sent):
     * it was created with that algorithm, or, when none is sent, without one (AWS then lists its default CRC64NVME,
     * which needs no part values).
     */
    static boolean sameAlgorithm(ChecksumKind kind, String uploadsAlgorithm) {
        if (kind == null) {
            return uploadsAlgorithm == null || ChecksumAlgorithm.CRC64_NVME.toString().equals(uploadsAlgorithm);
        }
        return algorithm(kind).toString().equals(uploadsAlgorithm);
    }

    static void set(PutObjectRequest.Builder b, ChecksumKind kind, String hex) {
        by(kind, hex, b::checksumCRC32, b::checksumCRC32C, b::checksumCRC64NVME, b::checksumSHA256);
    }

    static void set(UploadPartRequest.Builder b, ChecksumKind kind, String hex) {
        by(kind, hex, b::checksumCRC32, b::checksumCRC32C, b::checksumCRC64NVME, b::checksumSHA256);
    }

    static void set(CompletedPart.Builder b, ChecksumKind kind, String hex) {
        by(kind, hex, b::checksumCRC32, b::checksumCRC32C, b::checksumCRC64NVME, b::checksumSHA256);
    }

    /** The full-object value on a CompleteMultipartUpload ({@code hex} null: none, S3 combines the parts'). */
    static void set(CompleteMultipartUploadRequest.Builder b, ChecksumKind kind, String hex) {
        b.checksumType(software.amazon.awssdk.services.s3.model.ChecksumType.FULL_OBJECT);
        if (hex == null) {
            return;
        }
        by(kind, hex, b::checksumCRC32, b::checksumCRC32C, b::checksumCRC64NVME, b::checksumSHA256);
    }

    /** Sends {@code hex} (base64, as S3 takes it) through the builder's setter for {@code kind}: the SDK's request
     *  builders share no interface for these. */
    private static void by(ChecksumKind kind, String hex, java.util.function.Consumer<String> crc32,
                           java.util.function.Consumer<String> crc32c, java.util.function.Consumer<String> crc64nvme,
                           java.util.function.Consumer<String> sha256) {
        String v = Checksums.base64OfHex(hex);
        switch (kind) {
            case CRC32 -> crc32.accept(v);
            case CRC32C -> crc32c.accept(v);
            case CRC64NVME -> crc64nvme.accept(v);
            case SHA256 -> sha256.accept(v);
            case MD5 -> throw new IllegalArgumentException("MD5 is sent as Content-MD5");
        }
    }
}
