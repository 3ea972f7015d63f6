package dev.migrator.provider;

import java.time.Instant;
import java.util.Objects;

/**
 * One object as a store reports it.
 *
 * @param key          the key relative to the store's root, bytes-exact (may contain {@code //}, end in
 *                     {@code /}, be up to 1024 UTF-8 bytes)
 * @param size         size in bytes
 * @param lastModified when the store last wrote it, or {@code null} if unknown
 * @param etag         the store's opaque version tag (S3 ETag, GCS generation), or {@code null}
 * @param checksums    whole-object checksums the store knows, never {@code null}
 * @param metadata     the object's metadata, or {@code null} when it was not loaded (listings may omit
 *                     it; {@link ObjectStore#stat} always loads it)
 */
public record ObjectInfo(
        String key, long size, Instant lastModified, String etag, Checksums checksums, ObjectMetadata metadata) {

    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        checksums = checksums == null ? Checksums.NONE : checksums;
    }

    public ObjectInfo withMetadata(ObjectMetadata metadata) {
        return new ObjectInfo(key, size, lastModified, etag, checksums, metadata);
    }
}
