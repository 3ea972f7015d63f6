package dev.migrator.provider.s3;

import dev.migrator.provider.Checksums;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectVersion;
import dev.migrator.provider.VersionListing;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The versions of an S3 bucket for {@link S3ObjectStore}: GetBucketVersioning, ListObjectVersions (versions and
 * delete markers, which S3 lists newest first per key, put oldest first here), and HEAD/GET with {@code versionId}.
 * A listed version carries no checksum: a listing cannot tell an SSE-KMS or SSE-C ETag from an MD5, so
 * {@link #stat} (a HEAD) is what says.
 */
final class S3Versions {
    private final S3ObjectStore store;

    S3Versions(S3ObjectStore store) {
        this.store = store;
    }

    /** Versioning {@code Enabled}; Suspended, never enabled, or a store without versioning (NotImplemented) is false. */
    boolean keepsVersions() {
        try {
            return store.s3().getBucketVersioning(b -> b.bucket(store.location.bucket())).status() == BucketVersioningStatus.ENABLED;
        } catch (S3Exception e) {
            if (e.statusCode() == 501 || e.statusCode() == 400 && e.awsErrorDetails() != null
                    && "NotImplemented".equals(e.awsErrorDetails().errorCode())) {
                return false;
            }
            throw store.errors.translate(e, "reading the versioning of bucket '" + store.location.bucket() + "'");
        } catch (SdkException e) {
            throw store.errors.translate(e, "reading the versioning of bucket '" + store.location.bucket() + "'");
        }
    }

    Stream<ObjectVersion> list(String prefix) {
        String full = store.location.fullKey(prefix);
        String root = store.location.rootPrefix();
        String what = "listing the versions of " + store.location.describe(prefix);
        Iterator<ObjectVersion> listed = new Iterator<>() {
            private Iterator<ObjectVersion> page = Collections.emptyIterator();
            private String keyMarker;
            private String versionMarker;
            private boolean more = true;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && more) {
                    ListObjectVersionsResponse r = store.call(what, () -> store.s3().listObjectVersions(b -> b
                            .bucket(store.location.bucket()).prefix(full.isEmpty() ? null : full)
                            .keyMarker(keyMarker).versionIdMarker(versionMarker)
                            .maxKeys(store.location.pageSize()).encodingType(EncodingType.URL)));
                    List<Entry> entries = new ArrayList<>();
                    r.versions().forEach(v -> entries.add(new Entry(new ObjectVersion(new ObjectInfo(v.key().substring(root.length()),
                            v.size() == null ? 0 : v.size(), v.lastModified(), S3ObjectStore.unquote(v.eTag()), Checksums.NONE, null),
                            v.versionId(), false), Boolean.TRUE.equals(v.isLatest()))));
                    r.deleteMarkers().forEach(d -> entries.add(new Entry(new ObjectVersion(new ObjectInfo(d.key().substring(root.length()),
                            0, d.lastModified(), null, Checksums.NONE, null), d.versionId(), true), Boolean.TRUE.equals(d.isLatest()))));
                    // Both lists come by key, newest first, but the SDK parts them, so their interleaving is lost:
                    // merged by time, newest first. Times tie (S3 lists whole seconds; S3Mock gives a delete marker
                    // the time of the version it hides), so on a tie the latest goes first, then a delete marker
                    // before a version (one deletes what was there), and otherwise each list keeps its own order
                    // (a stable sort over versions added before markers).
                    entries.sort(Comparator.comparing((Entry e) -> e.version.key(), dev.migrator.provider.Keys.ORDER)
                            .thenComparing(e -> e.version.info().lastModified(), Comparator.reverseOrder())
                            .thenComparing(e -> !e.latest)
                            .thenComparing(e -> !e.version.deleteMarker()));
                    page = entries.stream().map(Entry::version).iterator();
                    more = Boolean.TRUE.equals(r.isTruncated());
                    keyMarker = r.nextKeyMarker();
                    versionMarker = r.nextVersionIdMarker();
                }
                return page.hasNext();
            }

            @Override
            public ObjectVersion next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
        return VersionListing.perKey(listed, ObjectVersion::key, newestFirst -> {
            List<ObjectVersion> oldestFirst = new ArrayList<>(newestFirst);
            Collections.reverse(oldestFirst);
            return oldestFirst;
        }, () -> { });
    }

    private record Entry(ObjectVersion version, boolean latest) {
    }

    /** A HEAD of the version (its checksums and metadata, not its tags); empty for a delete marker or a gone version. */
    Optional<ObjectInfo> stat(String key, String versionId) {
        String full = store.fullKey(key);
        try {
            HeadObjectResponse head = store.s3().headObject(b -> b.bucket(store.location.bucket()).key(full).versionId(versionId)
                    .checksumMode(ChecksumMode.ENABLED));
            return Optional.of(store.info(key, head));
        } catch (S3Exception e) {
            if (e.statusCode() == 404 || e.statusCode() == 405) { // 405: the version is a delete marker
                return Optional.empty();
            }
            throw store.errors.translate(e, "reading the metadata of " + store.location.describe(key) + " version " + versionId);
        } catch (SdkException e) {
            throw store.errors.translate(e, "reading the metadata of " + store.location.describe(key) + " version " + versionId);
        }
    }

    InputStream open(String key, String versionId, long offset, long length) {
        if (offset < 0) {
            throw MigratorException.badInput("negative offset " + offset + " reading " + store.location.describe(key));
        }
        String full = store.fullKey(key);
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(store.location.bucket()).key(full).versionId(versionId);
        if (offset > 0 || length > 0) {
            request.range("bytes=" + offset + "-" + (length > 0 ? String.valueOf(offset + length - 1) : ""));
        }
        return store.versionBody(store.call("reading " + store.location.describe(key) + " version " + versionId,
                () -> store.s3().getObject(request.build())));
    }
}
