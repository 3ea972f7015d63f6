package dev.migrator.provider.s3;

import dev.migrator.provider.Checksums;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;

/**
 * A copy S3 performs itself between two buckets/prefixes reachable with the same client settings:
 * CopyObject (metadata REPLACEd with the given one) up to 5 GiB, a multipart upload of UploadPartCopy
 * ranges beyond. Parts are copied one after another, each retried with the store's policy.
 */
final class S3ServerSideCopy implements ObjectStore.ServerSideCopy {
    private final S3ObjectStore source;
    private final S3ObjectStore target;

    S3ServerSideCopy(S3ObjectStore source, S3ObjectStore target) {
        this.source = source;
        this.target = target;
    }

    @Override
    public ObjectInfo copy(String sourceKey, String targetKey, ObjectMetadata metadata) {
        String from = source.fullKey(sourceKey);
        String to = target.fullKey(targetKey);
        String what = "copying " + source.location.describe(sourceKey) + " to " + target.location.describe(targetKey);
        ObjectInfo src = source.stat(sourceKey).orElseThrow(() ->
                MigratorException.notFound(what + ": no such object " + source.location.describe(sourceKey)));
        ObjectMetadata meta = metadata != null ? metadata : src.metadata();
        if (src.size() > target.copyObjectLimit) {
            return copyInParts(src, from, to, targetKey, meta, what);
        }
        CopyObjectRequest.Builder request = CopyObjectRequest.builder()
                .sourceBucket(source.location.bucket())
                .sourceKey(from)
                .destinationBucket(target.location.bucket())
                .destinationKey(to)
                .metadataDirective(MetadataDirective.REPLACE);
        // The copy gets the source's strongest full-object algorithm, so S3's value for it proves the copy's bytes.
        java.util.Optional<dev.migrator.provider.Capabilities.ChecksumKind> sum =
                WriteChecksum.choose(target.sendsChecksums(), src.checksums(), false);
        sum.ifPresent(k -> request.checksumAlgorithm(WriteChecksum.algorithm(k)));
        S3Metadata.apply(meta, request, target.location.describe(targetKey));
        CopyObjectResponse response = target.call(what, () -> target.s3().copyObject(request.build()));
        String etag = S3ObjectStore.unquote(response.copyObjectResult().eTag());
        boolean plain = etag != null && S3ObjectStore.PLAIN_MD5.matcher(etag).matches()
                && S3ObjectStore.etagIsMd5(response.serverSideEncryption(), response.sseCustomerAlgorithm());
        String srcMd5 = src.checksums().md5();
        if (plain && srcMd5 != null && !srcMd5.equals(etag)) {
            throw new MigratorException(ErrorCode.INTEGRITY, what + ": the copy has MD5 " + etag
                    + " but the source has " + srcMd5 + "; copy the object again");
        }
        var result = response.copyObjectResult();
        Checksums kept = S3Metadata.checksums(Checksums.NONE, result.checksumCRC32(), result.checksumCRC32C(),
                result.checksumCRC64NVME(), result.checksumSHA256(), result.checksumType());
        if (kept.isEmpty() && sum.isPresent() && srcMd5 == null) {
            // Not in the answer (S3Mock leaves it out): one HEAD spares the caller reading a source without an MD5.
            kept = target.stat(targetKey).map(ObjectInfo::checksums).orElse(Checksums.NONE).with(
                    dev.migrator.provider.Capabilities.ChecksumKind.MD5, null);
        }
        for (dev.migrator.provider.Capabilities.ChecksumKind k : kept.kinds()) {
            if (src.checksums().get(k) != null && !src.checksums().get(k).equals(kept.get(k))) {
                throw new MigratorException(ErrorCode.INTEGRITY, what + ": the copy has " + k + " " + kept.get(k)
                        + " but the source has " + src.checksums().get(k) + "; copy the object again", null, true);
            }
        }
        return new ObjectInfo(targetKey, src.size(), result.lastModified(), etag,
                (plain && srcMd5 != null ? Checksums.md5(etag) : Checksums.NONE).plus(kept), meta);
    }

    private ObjectInfo copyInParts(ObjectInfo src, String from, String to, String targetKey, ObjectMetadata meta,
            String what) {
        long size = src.size();
        long partSize = Math.max(target.options.partSize(), (size + S3ObjectStore.MAX_PARTS - 1) / S3ObjectStore.MAX_PARTS);
        partSize = Math.min(partSize, S3ObjectStore.MAX_PART_SIZE);
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(target.location.bucket())
                .key(to);
        S3Metadata.apply(meta, create, target.location.describe(targetKey));
        String uploadId = target.call(what, () -> target.s3().createMultipartUpload(create.build()).uploadId());
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long offset = 0; offset < size; offset += partSize) {
                int number = parts.size() + 1;
                String range = "bytes=" + offset + "-" + (Math.min(offset + partSize, size) - 1);
                String part = what + " (part " + number + ")";
                UploadPartCopyResponse r = target.options.retry().call(part, () -> target.call(part, () ->
                        target.s3().uploadPartCopy(b -> b
                                .sourceBucket(source.location.bucket())
                                .sourceKey(from)
                                // The source must not change between parts.
                                .copySourceIfMatch("\"" + src.etag() + "\"")
                                .copySourceRange(range)
                                .destinationBucket(target.location.bucket())
                                .destinationKey(to)
                                .uploadId(uploadId)
                                .partNumber(number))));
                parts.add(CompletedPart.builder().partNumber(number).eTag(r.copyPartResult().eTag()).build());
            }
            String etag = target.call(what, () -> target.s3().completeMultipartUpload(b -> b
                    .bucket(target.location.bucket())
                    .key(to)
                    .uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)))).eTag();
            return new ObjectInfo(targetKey, size, null, S3ObjectStore.unquote(etag), Checksums.NONE, meta);
        } catch (RuntimeException e) {
            try {
                target.s3().abortMultipartUpload(b -> b.bucket(target.location.bucket()).key(to).uploadId(uploadId));
            } catch (SdkException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }
}
