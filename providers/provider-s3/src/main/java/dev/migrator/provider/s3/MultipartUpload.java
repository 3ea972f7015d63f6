package dev.migrator.provider.s3;

import dev.migrator.provider.Capabilities.ChecksumKind;
import dev.migrator.provider.ChecksumDigest;
import dev.migrator.provider.Checksums;
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
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
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
 *
 * <p><b>Full-object checksum.</b> With {@code checksums=when-supported} the upload is created with one algorithm
 * ({@link WriteChecksum}) and type FULL_OBJECT, each part carries its own value of it, and the Complete carries the
 * whole object's: the source's ({@link Content#known()}) after checking that the bytes read have it. What S3 then
 * reports is compared with it. A store that keeps such an upload as COMPOSITE (S3Mock 4.12 does, and refuses the
 * full-object value at Complete) is completed without it; its {@code …-N} value is never taken as full-object.
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
    /** The full-object checksum sent, or null (checksums=when-required). */
    private final ChecksumKind sum;

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
        this.sum = WriteChecksum.choose(store.sendsChecksums(), content.known(), true).orElse(null);
    }

    ObjectInfo run() {
        long size = content.size();
        int parts = (int) ((size + partSize - 1) / partSize);
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(store.location.bucket())
                .key(fullKey);
        if (sum != null) {
            create.checksumAlgorithm(WriteChecksum.algorithm(sum)).checksumType(ChecksumType.FULL_OBJECT);
        }
        S3Metadata.apply(metadata, create, store.location.describe(key));
        Pending pending = resume ? pending(parts, size) : null;
        String uploadId = pending != null ? pending.uploadId()
                : store.call(what, () -> store.s3().createMultipartUpload(create.build()).uploadId());
        Map<Integer, Part> finished = pending != null ? pending.parts() : Map.of();
        byte[][] partMd5 = new byte[parts][];
        String[] partSums = new String[parts];
        CompleteMultipartUploadResponse done;
        String full = null;
        try {
            List<CompletedPart> completed = uploadParts(uploadId, parts, size, partMd5, partSums, finished);
            if (sum != null) {
                full = wholeOf(partSums, size);
                store.requireKnown(what, sum, content.known().get(sum), full);
            }
            done = complete(uploadId, completed, full);
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
        Checksums kept = S3Metadata.checksums(Checksums.NONE, done.checksumCRC32(), done.checksumCRC32C(),
                done.checksumCRC64NVME(), done.checksumSHA256(), done.checksumType());
        if (sum != null && kept.get(sum) != null && !kept.get(sum).equals(full)) {
            String removed = removeBadObject();
            throw new MigratorException(ErrorCode.INTEGRITY, what + ": the store reports " + sum + " " + kept.get(sum)
                    + " for the object but the bytes sent have " + full + "; " + removed + "copy the object again", null, true);
        }
        if (pending != null && !metadataAsWanted()) {
            // A resumed upload carries the metadata of the run that started it: if the source's changed since,
            // send the object again rather than leave old headers on new bytes.
            removeBadObject();
            resume = false;
            return run();
        }
        return new ObjectInfo(key, size, null, etag, kept, metadata);
    }

    /**
     * CompleteMultipartUpload, with the full-object value {@code full} when there is one. A 400 about that header
     * (S3Mock, which keeps the upload as COMPOSITE) completes without it: S3 then combines the parts' values, each
     * checked on arrival, and {@link #run} compares whatever full-object value it reports. AWS answers a real mismatch
     * with BadDigest, which fails the upload.
     */
    private CompleteMultipartUploadResponse complete(String uploadId, List<CompletedPart> completed, String full) {
        try {
            return store.s3().completeMultipartUpload(completeRequest(uploadId, completed, full));
        } catch (S3Exception e) {
            String detail = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
            if (full == null || !"BadRequest".equals(e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode())
                    || !S3Errors.checksumRefused(e.statusCode(), detail)) {
                throw store.errors.translate(e, what);
            }
            return store.call(what, () -> store.s3().completeMultipartUpload(completeRequest(uploadId, completed, null)));
        } catch (SdkException e) {
            throw store.errors.translate(e, what);
        }
    }

    private CompleteMultipartUploadRequest completeRequest(String uploadId, List<CompletedPart> completed, String full) {
        CompleteMultipartUploadRequest.Builder b = CompleteMultipartUploadRequest.builder()
                .bucket(store.location.bucket())
                .key(fullKey)
                .uploadId(uploadId)
                .multipartUpload(m -> m.parts(completed));
        if (sum != null) {
            WriteChecksum.set(b, sum, full);
        }
        return b.build();
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
            store.call(what, () -> store.s3().listMultipartUploads(b -> b.bucket(bucket).prefix(fullKey))).uploads()
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
            // Parts of an upload created with another checksum algorithm cannot complete this one.
            Map<Integer, Part> listed = chosen == null && WriteChecksum.sameAlgorithm(sum, u.checksumAlgorithmAsString())
                    ? partsFitting(u.uploadId(), parts, size) : null;
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
                ListPartsResponse r = store.call(what, () -> store.s3().listParts(b -> {
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

    /**
     * The whole object's value of {@link #sum} from its parts' values, combined as S3 does for a FULL_OBJECT upload
     * ({@link ChecksumDigest#combine}): no second pass over the bytes.
     */
    private String wholeOf(String[] partSums, long size) {
        String whole = partSums[0];
        for (int i = 1; i < partSums.length; i++) {
            whole = ChecksumDigest.combine(sum, whole, partSums[i], Math.min(partSize, size - i * partSize));
        }
        return whole;
    }

    private List<CompletedPart> uploadParts(String uploadId, int parts, long size, byte[][] partMd5,
                                            String[] partSums, Map<Integer, Part> finished) {
        // The part being read: its MD5 and, with a full-object algorithm, its own value of that algorithm, both
        // computed in the pass that fills the part's buffer (ParallelParts.Parts#read); the whole object's value is
        // combined from the parts' (wholeOf).
        MessageDigest partDigest = Digests.md5();
        ChecksumDigest[] partSum = {sum == null ? null : new ChecksumDigest(Set.of(sum))};
        // These part MD5s are this write's byte check and no whole-object MD5 is kept: the content need not hash
        // the whole stream with MD5 again unless it checks the source's own MD5 (Content#storeHashesParts).
        content.storeHashesParts();
        try (InputStream in = content.open()) {
            return this.parts.upload(in, size, partSize, new ParallelParts.Parts<>() {
                @Override
                public void read(int index, byte[] buf, int off, int len) {
                    partDigest.update(buf, off, len);
                    if (sum != null) {
                        partSum[0].update(buf, off, len);
                    }
                }

                @Override
                public CompletedPart reuse(int index, byte[] buf) {
                    byte[] md5 = partDigest.digest(); // and starts over for the next part
                    partMd5[index] = md5;
                    if (sum != null) {
                        partSums[index] = partSum[0].result().get(sum);
                        partSum[0] = new ChecksumDigest(Set.of(sum));
                    }
                    Part earlier = finished.get(index + 1);
                    if (earlier != null && earlier.size() == buf.length && Digests.hex(md5).equals(earlier.etag())) {
                        // Uploaded by the interrupted run, and the store holds these very bytes: not sent again.
                        resumedBytes += buf.length;
                        // Quoted, as UploadPart returned it: S3Mock matches the ETag string exactly, AWS takes either.
                        return completedPart(index + 1, "\"" + earlier.etag() + "\"", partSums[index]);
                    }
                    return null;
                }

                @Override
                public CompletedPart send(int index, byte[] buf) {
                    return uploadPart(uploadId, index + 1, buf, partMd5[index], partSums[index]);
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

    /** A part for the Complete request, with its checksum when the upload has an algorithm (S3 requires it then). */
    private CompletedPart completedPart(int partNumber, String etag, String partSum) {
        CompletedPart.Builder b = CompletedPart.builder().partNumber(partNumber).eTag(etag);
        if (sum != null) {
            WriteChecksum.set(b, sum, partSum);
        }
        return b.build();
    }

    private CompletedPart uploadPart(String uploadId, int partNumber, byte[] buf, byte[] md5, String partSum) {
        String part = "uploading part " + partNumber + " of " + store.location.describe(key);
        String md5Hex = Digests.hex(md5);
        String contentMd5 = Base64.getEncoder().encodeToString(md5);
        return store.options.retry().call(part, () -> {
            if (parts.failed()) {
                // Another part failed for good: do not spend attempts on an upload that will be aborted.
                throw new MigratorException(ErrorCode.FAILED, part + ": stopped because another part failed");
            }
            UploadPartRequest.Builder request = UploadPartRequest.builder()
                    .bucket(store.location.bucket())
                    .key(fullKey)
                    .uploadId(uploadId)
                    .partNumber(partNumber)
                    .contentLength((long) buf.length)
                    .contentMD5(contentMd5);
            if (sum != null) {
                WriteChecksum.set(request, sum, partSum);
            }
            UploadPartResponse response = store.call(part, () -> store.s3().uploadPart(request.build(),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buf), buf.length,
                            "application/octet-stream")));
            String etag = S3ObjectStore.unquote(response.eTag());
            if (etag != null && S3ObjectStore.PLAIN_MD5.matcher(etag).matches()
                    && S3ObjectStore.etagIsMd5(response.serverSideEncryption(), response.sseCustomerAlgorithm())
                    && !etag.equals(md5Hex)) {
                throw new MigratorException(ErrorCode.INTEGRITY, part + ": the store reports MD5 " + etag
                        + " for bytes with MD5 " + md5Hex, null, true);
            }
            return completedPart(partNumber, response.eTag(), partSum);
        });
    }

    private void abort(String uploadId, Throwable cause) {
        try {
            store.s3().abortMultipartUpload(b -> b.bucket(store.location.bucket()).key(fullKey).uploadId(uploadId));
        } catch (SdkException e) {
            cause.addSuppressed(new MigratorException(ErrorCode.FAILED, "could not abort multipart upload "
                    + uploadId + " of " + store.location.describe(key) + "; a bucket lifecycle rule "
                    + "(AbortIncompleteMultipartUpload) or a later abort removes its parts", e));
        }
    }

    private String removeBadObject() {
        try {
            store.s3().deleteObject(b -> b.bucket(store.location.bucket()).key(fullKey));
            return "the object was deleted; ";
        } catch (SdkException e) {
            return "deleting it failed too (" + S3Errors.rootMessage(e) + "), delete it and ";
        }
    }
}
