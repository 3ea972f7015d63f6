package dev.migrator.provider.s3;

import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ParallelParts;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * One multipart upload: the source is read once, sequentially, into part buffers; at most
 * {@code partConcurrency} buffers exist at a time (memory = partConcurrency x partSize), and those
 * parts upload in parallel ({@link ParallelParts}), each with Content-MD5 and retried from its buffer. The completed ETag must
 * equal {@code md5(concat(part md5s))-N}. Any failure aborts the upload, so no parts are left behind.
 *
 * <p><b>Mid-object resume.</b> A run killed with {@code kill -9} cannot abort its upload. The next upload of the
 * same key finds it (ListMultipartUploads, ListParts), reads the source as always, and sends only the parts the
 * store does not already hold with the same size and MD5; the composite ETag check then covers the reused parts
 * as well. Pending uploads of the key that do not fit are aborted.
 */
final class MultipartUpload {
    private final S3ObjectStore store;
    private final String key;
    private final String fullKey;
    private final Content content;
    private final ObjectMetadata metadata;
    private final long partSize;
    private final String what;
    private final ParallelParts parts;

    MultipartUpload(S3ObjectStore store, String key, String fullKey, Content content, ObjectMetadata metadata,
            long partSize) {
        this.store = store;
        this.key = key;
        this.fullKey = fullKey;
        this.content = content;
        this.metadata = metadata;
        this.partSize = partSize;
        this.what = "writing " + store.location.describe(key);
        this.parts = new ParallelParts(store.partPool, store.options.partConcurrency(), what);
    }

    ObjectInfo run() {
        long size = content.size();
        int parts = (int) ((size + partSize - 1) / partSize);
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(store.location.bucket())
                .key(fullKey);
        S3Metadata.apply(metadata, create, store.location.describe(key));
        Pending pending = resume ? pending(parts, size) : null;
        String uploadId = pending != null ? pending.uploadId()
                : store.call(what, () -> store.s3.createMultipartUpload(create.build()).uploadId());
        Map<Integer, Part> finished = pending != null ? pending.parts() : Map.of();
        byte[][] partMd5 = new byte[parts][];
        CompleteMultipartUploadResponse done;
        try {
            List<CompletedPart> completed = uploadParts(uploadId, parts, size, partMd5, finished);
            done = store.call(what, () -> store.s3.completeMultipartUpload(b -> b
                    .bucket(store.location.bucket())
                    .key(fullKey)
                    .uploadId(uploadId)
                    .multipartUpload(m -> m.parts(completed))));
        } catch (RuntimeException | Error e) {
            abort(uploadId, e);
            throw e;
        }

        String etag = S3ObjectStore.unquote(done.eTag());
        String expected = compositeEtag(partMd5);
        // Only an ETag of the composite shape can be checked; SSE-KMS/SSE-C and some S3-compatible stores
        // use other forms, which the caller verifies by size or by reading back.
        if (etag != null && S3ObjectStore.COMPOSITE_ETAG.matcher(etag).matches()
                && S3ObjectStore.etagIsMd5(done.serverSideEncryption(), null) && !etag.equals(expected)) {
            String removed = removeBadObject();
            throw new MigratorException(ErrorCode.INTEGRITY, what + ": the store's multipart ETag " + etag
                    + " does not match the parts sent (" + expected + "); " + removed + "copy the object again");
        }
        if (pending != null && !metadataAsWanted()) {
            // A resumed upload carries the metadata of the run that started it: if the source's changed since,
            // send the object again rather than leave old headers on new bytes.
            removeBadObject();
            resume = false;
            return run();
        }
        return new ObjectInfo(key, size, null, etag, null, metadata);
    }

    /** Whether to look for an interrupted upload of the key first (off for the second try after a mismatch). */
    private boolean resume = true;
    /** Bytes of parts an interrupted run had uploaded and this one did not send again. */
    private long resumedBytes;

    long resumedBytes() {
        return resumedBytes;
    }

    /** A part an earlier, interrupted upload left: its size and MD5 ETag. */
    record Part(long size, String etag) {
    }

    /** An interrupted upload of this key whose parts fit this one's part size. */
    record Pending(String uploadId, Map<Integer, Part> parts) {
    }

    /**
     * The newest interrupted upload of this key (a run killed with kill -9 cannot abort its own) whose parts have
     * the sizes this upload's parts have; every other pending upload of the key cannot be resumed and is aborted,
     * so its parts stop costing storage. Whether a part is reused is decided later, per part, by the MD5 of the
     * bytes read now. A store that cannot list uploads (501, or any error) just starts a new one.
     */
    private Pending pending(int parts, long size) {
        String bucket = store.location.bucket();
        List<software.amazon.awssdk.services.s3.model.MultipartUpload> ours = new ArrayList<>();
        try {
            store.call(what, () -> store.s3.listMultipartUploads(b -> b.bucket(bucket).prefix(fullKey))).uploads()
                    .stream().filter(u -> fullKey.equals(u.key())).forEach(ours::add);
        } catch (MigratorException e) {
            if (e.code() == ErrorCode.INTERRUPTED) {
                throw e;
            }
            return null;
        }
        ours.sort(Comparator.comparing(software.amazon.awssdk.services.s3.model.MultipartUpload::initiated,
                Comparator.nullsFirst(Comparator.naturalOrder())).reversed());
        Pending chosen = null;
        for (software.amazon.awssdk.services.s3.model.MultipartUpload u : ours) {
            Map<Integer, Part> listed = chosen == null ? partsFitting(u.uploadId(), parts, size) : null;
            if (listed != null) {
                chosen = new Pending(u.uploadId(), listed);
            } else {
                abort(u.uploadId(), new MigratorException(ErrorCode.FAILED, "abandoned upload"));
            }
        }
        return chosen;
    }

    /** The parts of upload {@code uploadId}, or null if any has a number or size this upload would not give it. */
    private Map<Integer, Part> partsFitting(String uploadId, int parts, long size) {
        Map<Integer, Part> out = new HashMap<>();
        Integer marker = null;
        try {
            while (true) {
                Integer from = marker;
                ListPartsResponse r = store.call(what, () -> store.s3.listParts(b -> {
                    b.bucket(store.location.bucket()).key(fullKey).uploadId(uploadId);
                    if (from != null) {
                        b.partNumberMarker(from);
                    }
                }));
                for (software.amazon.awssdk.services.s3.model.Part p : r.parts()) {
                    int n = p.partNumber();
                    long expected = n >= 1 && n <= parts ? Math.min(partSize, size - (n - 1) * partSize) : -1;
                    if (p.size() == null || p.size() != expected) {
                        return null;
                    }
                    out.put(n, new Part(p.size(), S3ObjectStore.unquote(p.eTag())));
                }
                if (!Boolean.TRUE.equals(r.isTruncated()) || r.nextPartNumberMarker() == null) {
                    return out;
                }
                marker = r.nextPartNumberMarker();
            }
        } catch (MigratorException e) {
            if (e.code() == ErrorCode.INTERRUPTED) {
                throw e;
            }
            return null;
        }
    }

    /** Whether the completed object has the metadata this upload was asked to give it. */
    private boolean metadataAsWanted() {
        ObjectMetadata got = store.stat(key).map(ObjectInfo::metadata).orElse(null);
        return got != null && ObjectMetadata.sameContentType(got.contentType(), metadata.contentType())
                && java.util.Objects.equals(got.contentEncoding(), metadata.contentEncoding())
                && java.util.Objects.equals(got.cacheControl(), metadata.cacheControl())
                && java.util.Objects.equals(got.contentDisposition(), metadata.contentDisposition())
                && lower(got.userMetadata()).equals(lower(metadata.userMetadata()));
    }

    private static Map<String, String> lower(Map<String, String> m) {
        Map<String, String> out = new HashMap<>();
        if (m != null) {
            m.forEach((k, v) -> out.put(k.toLowerCase(java.util.Locale.ROOT), v));
        }
        return out;
    }

    /** {@code md5(concat(md5 of each part))-N}, the ETag S3 gives a completed multipart upload. */
    static String compositeEtag(byte[][] partMd5) {
        MessageDigest all = Digests.md5();
        for (byte[] md5 : partMd5) {
            all.update(md5);
        }
        return Digests.hex(all.digest()) + "-" + partMd5.length;
    }

    private List<CompletedPart> uploadParts(String uploadId, int parts, long size, byte[][] partMd5,
                                            Map<Integer, Part> finished) {
        try (InputStream in = content.open()) {
            return this.parts.upload(in, size, partSize, new ParallelParts.Parts<>() {
                @Override
                public CompletedPart reuse(int index, byte[] buf) {
                    byte[] md5 = Digests.md5().digest(buf);
                    partMd5[index] = md5;
                    Part earlier = finished.get(index + 1);
                    if (earlier != null && earlier.size() == buf.length && Digests.hex(md5).equals(earlier.etag())) {
                        // Uploaded by the interrupted run, and the store holds these very bytes: not sent again.
                        resumedBytes += buf.length;
                        return CompletedPart.builder().partNumber(index + 1).eTag(earlier.etag()).build();
                    }
                    return null;
                }

                @Override
                public CompletedPart send(int index, byte[] buf) {
                    return uploadPart(uploadId, index + 1, buf, partMd5[index]);
                }

                @Override
                public RuntimeException sizeMismatch(long yielded) {
                    return store.sizeMismatch(key, size);
                }
            });
        } catch (IOException e) {
            throw store.errors.io(e, "reading the source for " + store.location.describe(key));
        }
    }

    private CompletedPart uploadPart(String uploadId, int partNumber, byte[] buf, byte[] md5) {
        String part = "uploading part " + partNumber + " of " + store.location.describe(key);
        String md5Hex = Digests.hex(md5);
        String contentMd5 = Base64.getEncoder().encodeToString(md5);
        return store.options.retry().call(part, () -> {
            if (parts.failed()) {
                // Another part failed for good: do not spend attempts on an upload that will be aborted.
                throw new MigratorException(ErrorCode.FAILED, part + ": stopped because another part failed");
            }
            UploadPartResponse response = store.call(part, () -> store.s3.uploadPart(UploadPartRequest.builder()
                            .bucket(store.location.bucket())
                            .key(fullKey)
                            .uploadId(uploadId)
                            .partNumber(partNumber)
                            .contentLength((long) buf.length)
                            .contentMD5(contentMd5)
                            .build(),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buf), buf.length,
                            "application/octet-stream")));
            String etag = S3ObjectStore.unquote(response.eTag());
            if (etag != null && S3ObjectStore.PLAIN_MD5.matcher(etag).matches()
                    && S3ObjectStore.etagIsMd5(response.serverSideEncryption(), response.sseCustomerAlgorithm())
                    && !etag.equals(md5Hex)) {
                throw new MigratorException(ErrorCode.INTEGRITY, part + ": the store reports MD5 " + etag
                        + " for bytes with MD5 " + md5Hex, null, true);
            }
            return CompletedPart.builder().partNumber(partNumber).eTag(response.eTag()).build();
        });
    }

    private void abort(String uploadId, Throwable cause) {
        try {
            store.s3.abortMultipartUpload(b -> b.bucket(store.location.bucket()).key(fullKey).uploadId(uploadId));
        } catch (SdkException e) {
            cause.addSuppressed(new MigratorException(ErrorCode.FAILED, "could not abort multipart upload "
                    + uploadId + " of " + store.location.describe(key) + "; a bucket lifecycle rule "
                    + "(AbortIncompleteMultipartUpload) or a later abort removes its parts", e));
        }
    }

    private String removeBadObject() {
        try {
            store.s3.deleteObject(b -> b.bucket(store.location.bucket()).key(fullKey));
            return "the object was deleted; ";
        } catch (SdkException e) {
            return "deleting it failed too (" + S3Errors.rootMessage(e) + "), delete it and ";
        }
    }
}
