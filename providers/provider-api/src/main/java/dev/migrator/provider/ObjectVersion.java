package dev.migrator.provider;

import java.util.Objects;

/**
 * One entry of a versioned bucket's history ({@link ObjectStore#listVersions}): a version of an object, or a
 * delete marker (the key was deleted at {@code info.lastModified()}).
 *
 * @param info         the version's key, size, time written and checksums (a delete marker: size 0, no checksums)
 * @param versionId    the store's id of this version (S3 VersionId, GCS generation); opaque, only for
 *                     {@link ObjectStore#statVersion} and {@link ObjectStore#openVersion} of the same store
 * @param deleteMarker whether this entry is a deletion rather than content
 */
public record ObjectVersion(ObjectInfo info, String versionId, boolean deleteMarker) {
    public ObjectVersion {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(versionId, "versionId");
    }

    public String key() {
        return info.key();
    }
}
