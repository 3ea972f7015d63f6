package dev.migrator.provider.gcs;

import com.google.api.gax.paging.Page;
import com.google.cloud.ReadChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.CopyWriter;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.Storage.BlobSourceOption;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.Storage.BucketField;
import com.google.cloud.storage.Storage.BucketGetOption;
import com.google.cloud.storage.StorageException;
import dev.migrator.provider.Capabilities;
import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StorageClasses;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.Channels;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A bucket and prefix on Google Cloud Storage. Thread-safe: the {@link Storage} client is, and every
 * call uses its own channels.
 *
 * <p>Objects up to one chunk are written with a single multipart request; larger ones with a
 * resumable upload in chunks of that size, finalized only after every byte of the source was sent and
 * checked by GCS against the source's MD5 and CRC32C, so a failure never leaves a partial object. Where the source
 * already knows them ({@link Content#known()}), those values are what each write declares, so GCS refuses bytes
 * that are not the source's (an integrity error naming the key, nothing stored). The session
 * is kept in the upload state folder ({@link dev.migrator.provider.StoreOptions#uploadState}), so an upload
 * cut by {@code kill -9} continues from the bytes GCS holds. Reads return the stored bytes even for
 * {@code Content-Encoding: gzip} objects (no decompressive transcoding).
 */
public final class GcsObjectStore implements ObjectStore {
    private final Storage storage;
    private final String bucket;
    private final String root;
    private final int pageSize;
    private final int chunkSize;
    private final String displayUri;
    private final GcsErrors errors;
    private final boolean emulator;
    private final String host;
    private final UploadSessions sessions;

    GcsObjectStore(Storage storage, String bucket, String root, int pageSize, int chunkSize, String displayUri,
            String where, String host, String endpoint, java.time.Duration readTimeout, UploadSessions sessions) {
        this.sessions = sessions;
        boolean emulator = endpoint != null;
        this.storage = storage;
        this.bucket = bucket;
        this.root = root;
        this.pageSize = pageSize;
        this.chunkSize = chunkSize;
        this.displayUri = displayUri;
        this.emulator = emulator;
        this.host = host;
        this.errors = new GcsErrors(bucket, where, endpoint, this::bucketExists, readTimeout);
    }

    @Override
    public String displayUri() {
        return displayUri;
    }

    /** The endpoint's host ({@code google} for Google Cloud Storage), the bucket and the prefix. */
    @Override
    public String location() {
        return "gs://" + host + "/" + bucket + "/" + root;
    }

    /** Copies within one GCS service; MD5 (absent for composite objects) and CRC32C; startOffset listings. */
    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    private static final Capabilities CAPABILITIES = new Capabilities(true, false,
            Set.of(Capabilities.ChecksumKind.MD5, Capabilities.ChecksumKind.CRC32C), true, StorageClasses.Family.GCS, false, false).withConditionalCreate().withVersions();

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        return list(prefix, null);
    }

    /**
     * Starts on the server at {@code startAfter} with {@code startOffset}, which is inclusive: the object
     * named exactly {@code startAfter}, which sorts first, is dropped here.
     */
    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) {
        String full = root + Objects.requireNonNull(prefix, "prefix");
        List<BlobListOption> options = new ArrayList<>();
        options.add(BlobListOption.pageSize(pageSize));
        if (!full.isEmpty()) {
            options.add(BlobListOption.prefix(full));
        }
        if (startAfter != null) {
            options.add(BlobListOption.startOffset(root + startAfter));
        }
        Page<Blob> first = call(null, () -> storage.list(bucket, options.toArray(BlobListOption[]::new)));
        // iterateAll fetches the next page only when this one is used up: one page in memory at a time.
        Iterator<Blob> blobs = first.iterateAll().iterator();
        Iterator<ObjectInfo> infos = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return call(null, blobs::hasNext);
            }

            @Override
            public ObjectInfo next() {
                return info(call(null, blobs::next));
            }
        };
        Stream<ObjectInfo> listed = StreamSupport.stream(Spliterators.spliteratorUnknownSize(infos,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT), false);
        return startAfter == null ? listed : listed.dropWhile(o -> o.key().equals(startAfter));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        BlobId id = id(key);
        Blob blob = call(key, () -> storage.get(id));
        if (blob == null) {
            errors.requireBucket();
            return Optional.empty();
        }
        return Optional.of(info(blob));
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        if (offset < 0) {
            throw MigratorException.badInput("negative offset " + offset + " for " + GcsErrors.quoted(key));
        }
        return read(id(key), key, offset, length, false);
    }

    /** Stat, then a read pinned to that generation: the bytes are exactly the version the info describes. */
    @Override
    public Opened openWithInfo(String key) {
        ObjectInfo info = stat(key).orElseThrow(() -> MigratorException.notFound("no object " + GcsErrors.quoted(key)
                + " in " + displayUri));
        BlobId id = id(key);
        BlobId pinned = info.etag() == null ? id : BlobId.of(id.getBucket(), id.getName(), Long.parseLong(info.etag()));
        return new Opened(info, read(pinned, key, 0, -1, info.etag() != null));
    }

    private InputStream read(BlobId id, String key, long offset, long length, boolean pinned) {
        // Raw: a Content-Encoding: gzip object is read as stored, never gunzipped by the client.
        ReadChannel channel = storage.reader(id, BlobSourceOption.shouldReturnRawInputStream(true));
        try {
            if (offset > 0) {
                channel.seek(offset);
            }
            if (length >= 0) {
                channel.limit(offset + length);
            }
            GcsInputStream in = new GcsInputStream(Channels.newInputStream(channel), key);
            // The first read happens now, so a missing object fails open() with NOT_FOUND, as the contract says.
            in.fill();
            return in;
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (RuntimeException ignored) {
                // already failing
            }
            MigratorException m = errors.translate(e, key);
            if (pinned && m.code() == ErrorCode.NOT_FOUND) {
                // Replaced or deleted since the stat: a new attempt stats again.
                throw new MigratorException(ErrorCode.FAILED, GcsErrors.quoted(key) + " in " + displayUri
                        + " changed while it was being opened", m, true);
            }
            throw m;
        }
    }

    @Override
    public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
        BlobInfo info = blobInfo(id(key), metadata);
        long size = content.size();
        if (size <= chunkSize) {
            byte[] bytes = readExactly(key, content, (int) size);
            // One multipart request carrying the crc32c (and md5) of the bytes, or the source's where it knows them;
            // GCS rejects a mismatch.
            Blob stored = knownChecked(key, content.known(), () -> call(key, () -> create(info, bytes, content.known(), false)));
            return checkedSize(key, stored, size);
        }
        // The resumable session's final chunk carries the source's known values; its refusal is decided there.
        return checkedSize(key, call(key, () -> resumableUpload(key, info, content, metadata)), size);
    }

    /**
     * One multipart request. Without known checksums the client sends the crc32c of {@code bytes}. With them it sends
     * the source's crc32c and md5 (the bytes' own crc32c where the source knows only md5), so GCS checks what arrives
     * against the source's values: {@code create(info, byte[])} would replace them by its own, so this takes the
     * stream form, whose {@code crc32cMatch}/{@code md5Match} send the values given (it does not retry by itself;
     * migrator's Retry resends the same bytes).
     */
    @SuppressWarnings("deprecation")
    private Blob create(BlobInfo info, byte[] bytes, dev.migrator.provider.Checksums known, boolean onlyIfAbsent) {
        if (known.crc32c() == null && known.md5() == null) {
            return onlyIfAbsent ? storage.create(info, bytes, BlobTargetOption.doesNotExist(), BlobTargetOption.disableGzipContent())
                    : storage.create(info, bytes, BlobTargetOption.disableGzipContent());
        }
        java.util.zip.CRC32C read = new java.util.zip.CRC32C();
        read.update(bytes);
        BlobInfo.Builder declared = info.toBuilder().setCrc32c(known.crc32c() != null ? base64(known.crc32c())
                : java.util.Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt((int) read.getValue()).array()));
        List<Storage.BlobWriteOption> options = new ArrayList<>(List.of(Storage.BlobWriteOption.disableGzipContent(),
                Storage.BlobWriteOption.crc32cMatch()));
        if (known.md5() != null) {
            declared.setMd5(base64(known.md5()));
            options.add(Storage.BlobWriteOption.md5Match());
        }
        if (onlyIfAbsent) {
            options.add(Storage.BlobWriteOption.doesNotExist());
        }
        return storage.create(declared.build(), new java.io.ByteArrayInputStream(bytes), options.toArray(Storage.BlobWriteOption[]::new));
    }

    static String base64(String hex) {
        return java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(hex));
    }

    /**
     * Runs a write that sent the source's known checksums; GCS's refusal of the bytes as not having them (400, "doesn't
     * match calculated") becomes an integrity error naming the object. GCS stores nothing for a refused write.
     */
    private <T> T knownChecked(String key, dev.migrator.provider.Checksums known, java.util.function.Supplier<T> write) {
        try {
            return write.get();
        } catch (RuntimeException e) {
            StorageException refused = e instanceof StorageException se ? se
                    : e.getCause() instanceof StorageException se ? se : null;
            if ((known.crc32c() != null || known.md5() != null) && refused != null && refused.getCode() == 400
                    && String.valueOf(refused.getMessage()).contains("match")) {
                throw knownRefused(key, displayUri, known);
            }
            throw e;
        }
    }

    /** GCS refused bytes that do not have the checksums the source reports for them. */
    static MigratorException knownRefused(String key, String where, dev.migrator.provider.Checksums known) {
        return new MigratorException(ErrorCode.INTEGRITY, "GCS refused to store " + GcsErrors.quoted(key) + " in " + where
                + ": the bytes it received do not have the checksums the source reports ("
                + (known.crc32c() != null ? "crc32c " + known.crc32c() : "") + (known.crc32c() != null && known.md5() != null ? ", " : "")
                + (known.md5() != null ? "md5 " + known.md5() : "") + "); the source object is damaged, changed while"
                + " being read, or the bytes were damaged on the way; nothing was stored", null, true);
    }

    /** Create-only with {@code ifGenerationMatch=0} (GCS answers 412 when the object exists); one request, up to one chunk. */
    @Override
    public Optional<ObjectInfo> createIfAbsent(String key, Content content, ObjectMetadata metadata) {
        long size = content.size();
        if (size > chunkSize) {
            throw MigratorException.badInput("a create-only write of " + GcsErrors.quoted(key) + " in " + displayUri
                    + " takes at most one chunk (" + chunkSize + " bytes), not " + size);
        }
        byte[] bytes = readExactly(key, content, (int) size);
        BlobInfo info = blobInfo(id(key), metadata);
        try {
            Blob stored = knownChecked(key, content.known(), () -> create(info, bytes, content.known(), true));
            errors.answered();
            return Optional.of(checkedSize(key, stored, size));
        } catch (StorageException e) {
            if (e.getCode() == 412) {
                errors.answered();
                return Optional.empty();
            }
            throw errors.translate(e, key);
        }
    }

    private ObjectInfo checkedSize(String key, BlobInfo result, long size) {
        if (result.getSize() == null || result.getSize() != size) {
            throw new MigratorException(ErrorCode.INTEGRITY, "GCS stored " + result.getSize() + " bytes for "
                    + GcsErrors.quoted(key) + " in " + displayUri + " but " + size + " were sent");
        }
        return info(result);
    }

    /** Through a resumable session that a later run continues if this one is killed (see {@link ResumableUpload}). */
    private BlobInfo resumableUpload(String key, BlobInfo info, Content content, ObjectMetadata metadata) throws IOException {
        ResumableUpload upload = new ResumableUpload(uploadRequests(), storage.getOptions().getHost(), sessions, errors,
                location(), bucket, info.getName(), key, resource(metadata), content, chunkSize);
        long generation = upload.run();
        lastResumedBytes = upload.resumedBytes();
        Blob stored = storage.get(BlobId.of(bucket, info.getName(), generation));
        if (stored == null) {
            throw new MigratorException(ErrorCode.FAILED, "GCS finished the upload of " + GcsErrors.quoted(key)
                    + " in " + displayUri + " but does not find generation " + generation + " of it", null, true);
        }
        return stored;
    }

    /** Bytes the last resumable upload did not send because an interrupted run had (for tests). */
    volatile long lastResumedBytes;

    private com.google.api.client.http.HttpRequestFactory uploadRequests;

    /** Requests as the client makes them: its transport, credentials, timeouts and headers. */
    private synchronized com.google.api.client.http.HttpRequestFactory uploadRequests() {
        if (uploadRequests == null) {
            com.google.cloud.storage.StorageOptions options = storage.getOptions();
            com.google.cloud.http.HttpTransportOptions transport =
                    (com.google.cloud.http.HttpTransportOptions) options.getTransportOptions();
            uploadRequests = transport.getHttpTransportFactory().create()
                    .createRequestFactory(transport.getHttpRequestInitializer(options));
        }
        return uploadRequests;
    }

    /** The JSON resource of an object with {@code m}, as {@link #blobInfo} describes it to the client. */
    private static com.google.api.services.storage.model.StorageObject resource(ObjectMetadata m) {
        ObjectMetadata meta = m == null ? ObjectMetadata.EMPTY : m;
        com.google.cloud.storage.StorageClass cls = storageClass(meta);
        return new com.google.api.services.storage.model.StorageObject()
                .setContentType(meta.contentType())
                .setContentEncoding(meta.contentEncoding())
                .setCacheControl(meta.cacheControl())
                .setContentDisposition(meta.contentDisposition())
                .setContentLanguage(meta.contentLanguage())
                // Sorted, so the same metadata always makes the same request (sessions are matched by it).
                .setMetadata(meta.userMetadata().isEmpty() ? null : new java.util.TreeMap<>(meta.userMetadata()))
                .setStorageClass(cls == null ? null : cls.name());
    }

    @Override
    public void delete(String key) {
        BlobId id = id(key);
        if (!call(key, () -> storage.delete(id))) {
            errors.requireBucket(); // a missing key is fine, a missing bucket is not
        }
    }

    @Override
    public Optional<ServerSideCopy> serverSideCopyFrom(ObjectStore source) {
        if (!(source instanceof GcsObjectStore from) || !sameService(from)) {
            return Optional.empty();
        }
        return Optional.of((sourceKey, targetKey, metadata) -> copy(from, sourceKey, targetKey, metadata));
    }

    private ObjectInfo copy(GcsObjectStore from, String sourceKey, String targetKey, ObjectMetadata metadata) {
        BlobId source = from.id(sourceKey);
        BlobId target = id(targetKey);
        Storage.CopyRequest.Builder request = Storage.CopyRequest.newBuilder().setSource(source);
        if (metadata == null) {
            request.setTarget(target); // keeps the source's metadata
        } else {
            request.setTarget(blobInfo(target, metadata));
        }
        Blob copied;
        try {
            // A rewrite may take several calls (large objects, other locations or classes): loop until done.
            CopyWriter writer = storage.copy(request.build());
            while (!writer.isDone()) {
                writer.copyChunk();
            }
            copied = writer.getResult();
        } catch (StorageException e) {
            if (e.getCode() == 404) {
                from.errors.requireBucket();
                errors.requireBucket();
                throw MigratorException.notFound("cannot copy " + GcsErrors.quoted(sourceKey) + " from " + from.displayUri
                        + ": no such object");
            }
            throw errors.translate(e, targetKey);
        } catch (RuntimeException e) {
            throw errors.translate(e, targetKey);
        }
        return info(copied);
    }

    /** Same endpoint and same credentials: the store can read the source itself. */
    private boolean sameService(GcsObjectStore other) {
        return emulator == other.emulator
                && Objects.equals(storage.getOptions().getHost(), other.storage.getOptions().getHost())
                && Objects.equals(storage.getOptions().getCredentials(), other.storage.getOptions().getCredentials());
    }

    // --- versions begin
    /** The bucket's {@code versioning.enabled}. */
    @Override
    public boolean keepsVersions() {
        com.google.cloud.storage.Bucket b = call(null, () -> storage.get(bucket, BucketGetOption.fields(BucketField.VERSIONING)));
        if (b == null) {
            errors.requireBucket();
        }
        return b != null && Boolean.TRUE.equals(b.versioningEnabled());
    }

    /**
     * Every generation ({@code versions=true}), versionId the generation. GCS has no delete markers: a generation
     * that became noncurrent ({@code timeDeleted}) with no newer one written at that moment was deleted, so a delete
     * marker is derived at its {@code timeDeleted}, with versionId {@code <generation>-deleted}.
     */
    @Override
    public Stream<dev.migrator.provider.ObjectVersion> listVersions(String prefix) {
        String full = root + Objects.requireNonNull(prefix, "prefix");
        List<BlobListOption> options = new ArrayList<>(List.of(BlobListOption.pageSize(pageSize), BlobListOption.versions(true)));
        if (!full.isEmpty()) {
            options.add(BlobListOption.prefix(full));
        }
        Page<Blob> first = call(null, () -> storage.list(bucket, options.toArray(BlobListOption[]::new)));
        Iterator<Blob> blobs = first.iterateAll().iterator();
        Iterator<Blob> guarded = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return call(null, blobs::hasNext);
            }

            @Override
            public Blob next() {
                return call(null, blobs::next);
            }
        };
        return dev.migrator.provider.VersionListing.perKey(guarded, Blob::getName, this::history, () -> { });
    }

    private List<dev.migrator.provider.ObjectVersion> history(List<Blob> generations) {
        List<Blob> sorted = new ArrayList<>(generations);
        sorted.sort(java.util.Comparator.comparing(Blob::getGeneration));
        List<dev.migrator.provider.ObjectVersion> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            Blob b = sorted.get(i);
            ObjectInfo info = info(b);
            java.time.Instant created = b.getCreateTimeOffsetDateTime() == null ? info.lastModified() : b.getCreateTimeOffsetDateTime().toInstant();
            out.add(new dev.migrator.provider.ObjectVersion(new ObjectInfo(info.key(), info.size(), created, info.etag(),
                    info.checksums(), info.metadata()), Long.toString(b.getGeneration()), false));
            java.time.Instant deleted = b.getDeleteTimeOffsetDateTime() == null ? null : b.getDeleteTimeOffsetDateTime().toInstant();
            Blob next = i + 1 < sorted.size() ? sorted.get(i + 1) : null;
            boolean replaced = next != null && next.getCreateTimeOffsetDateTime() != null
                    && !next.getCreateTimeOffsetDateTime().toInstant().isAfter(deleted == null ? java.time.Instant.MAX : deleted);
            if (deleted != null && !replaced) {
                out.add(new dev.migrator.provider.ObjectVersion(new ObjectInfo(info.key(), 0, deleted, null, null, null),
                        b.getGeneration() + "-deleted", true));
            }
        }
        return out;
    }

    @Override
    public Optional<ObjectInfo> statVersion(String key, String versionId) {
        Long generation = generation(versionId);
        if (generation == null) {
            return Optional.empty();
        }
        BlobId id = BlobId.of(bucket, id(key).getName(), generation);
        Blob blob = call(key, () -> storage.get(id));
        return Optional.ofNullable(blob).map(this::info);
    }

    @Override
    public InputStream openVersion(String key, String versionId, long offset, long length) {
        Long generation = generation(versionId);
        if (generation == null) {
            throw MigratorException.notFound(GcsErrors.quoted(key) + " version " + versionId + " is a deletion, not content");
        }
        return read(BlobId.of(bucket, id(key).getName(), generation), key, offset, length, false);
    }

    /** The generation a versionId names, or null for a derived delete marker. */
    private static Long generation(String versionId) {
        try {
            return Long.parseLong(versionId);
        } catch (NumberFormatException e) {
            if (versionId.endsWith("-deleted")) {
                return null;
            }
            throw MigratorException.badInput("'" + versionId + "' is not a GCS generation");
        }
    }
    // --- versions end

    @Override
    public void close() {
        try {
            storage.close();
        } catch (Exception e) {
            // Nothing is pending once every call has returned; a failing close loses nothing.
        }
    }

    // ---------------------------------------------------------------- helpers

    private BlobId id(String key) {
        Keys.requireValid(key);
        String name = root + key;
        if (Keys.utf8(name).length > Keys.MAX_KEY_BYTES) {
            throw MigratorException.badInput(GcsErrors.quoted(key) + " under the prefix '" + root + "' of " + displayUri
                    + " makes an object name longer than " + Keys.MAX_KEY_BYTES + " bytes, GCS's limit: use a shorter prefix");
        }
        return BlobId.of(bucket, name);
    }

    private static BlobInfo blobInfo(BlobId id, ObjectMetadata m) {
        ObjectMetadata meta = m == null ? ObjectMetadata.EMPTY : m;
        return BlobInfo.newBuilder(id)
                .setContentType(meta.contentType())
                .setContentEncoding(meta.contentEncoding())
                .setCacheControl(meta.cacheControl())
                .setContentDisposition(meta.contentDisposition())
                .setMetadata(meta.userMetadata().isEmpty() ? null : meta.userMetadata())
                .setContentLanguage(meta.contentLanguage())
                .setStorageClass(storageClass(meta))
                .build();
    }

    /**
     * GCS's name for the object's class (mapped from another provider's by {@link StorageClasses}), null for
     * the bucket's default. GCS has no object tags and no Expires header: those are not written (the
     * capabilities say so, and verify does not expect them here).
     */
    private static com.google.cloud.storage.StorageClass storageClass(ObjectMetadata meta) {
        String cls = StorageClasses.forTarget(meta.storageClass(), StorageClasses.Family.ANY, StorageClasses.Family.GCS, null);
        return cls == null ? null : com.google.cloud.storage.StorageClass.valueOf(cls);
    }

    private ObjectInfo info(BlobInfo b) {
        String name = b.getName();
        if (!name.startsWith(root)) {
            throw new MigratorException(ErrorCode.FAILED, "GCS returned '" + name + "' outside the prefix '" + root
                    + "' of " + displayUri);
        }
        Map<String, String> user = new HashMap<>();
        if (b.getMetadata() != null) {
            b.getMetadata().forEach((k, v) -> {
                if (v != null) {
                    user.put(k, v);
                }
            });
        }
        ObjectMetadata metadata = new ObjectMetadata(b.getContentType(), b.getContentEncoding(), b.getCacheControl(),
                b.getContentDisposition(), user, b.getContentLanguage(), null,
                b.getStorageClass() == null ? null : b.getStorageClass().name(), null);
        return new ObjectInfo(name.substring(root.length()), b.getSize() == null ? 0 : b.getSize(),
                b.getUpdateTimeOffsetDateTime() == null ? null : b.getUpdateTimeOffsetDateTime().toInstant(),
                b.getGeneration() == null ? null : Long.toString(b.getGeneration()),
                // md5 is absent for composite objects; crc32c is always there.
                new dev.migrator.provider.Checksums(b.getMd5ToHexString(), b.getCrc32cToHexString()),
                metadata);
    }

    private static byte[] readExactly(String key, Content content, int size) {
        try (InputStream in = openSource(key, content)) {
            byte[] bytes = in.readNBytes(size);
            long extra = in.read() >= 0 ? 1 : 0;
            if (bytes.length != size || extra > 0) {
                throw sizeMismatch(key, size, bytes.length + extra);
            }
            return bytes;
        } catch (IOException e) {
            throw sourceFailed(key, e);
        }
    }

    private static InputStream openSource(String key, Content content) {
        try {
            return content.open();
        } catch (IOException e) {
            throw sourceFailed(key, e);
        }
    }

    static MigratorException sourceFailed(String key, IOException e) {
        if (e instanceof InterruptedIOException) {
            return new MigratorException(ErrorCode.INTERRUPTED, "interrupted while reading the source of " + GcsErrors.quoted(key), e);
        }
        // The content is replayable, so a retry reads it again from the start.
        return new MigratorException(ErrorCode.FAILED, "reading the source of " + GcsErrors.quoted(key) + " failed: " + e.getMessage(),
                e, true);
    }

    static MigratorException sizeMismatch(String key, long declared, long actual) {
        return new MigratorException(ErrorCode.INTEGRITY, "the source of " + GcsErrors.quoted(key) + " declared " + declared
                + " bytes but yielded " + (actual > declared ? "more" : Long.toString(actual))
                + "; nothing was stored");
    }

    /** The bucket resource's cors, lifecycle, website, versioning and iamConfiguration ({@link GcsBucketSettings}). */
    @Override
    public Optional<dev.migrator.provider.BucketSettings.Access> bucketSettings() {
        return Optional.of(new GcsBucketSettings(storage, bucket, displayUri, (what, op) -> call(null, op::get)));
    }

    private boolean bucketExists() {
        return storage.get(bucket, BucketGetOption.fields(BucketField.NAME)) != null;
    }

    private <T> T call(String key, ThrowingSupplier<T> op) {
        try {
            T result = op.get();
            errors.answered();
            return result;
        } catch (MigratorException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw errors.translate(e, key);
        }
    }

    private interface ThrowingSupplier<T> {
        T get() throws IOException;
    }

    /** Reads from a {@link ReadChannel}; client failures after open() become IOExceptions, as the contract says. */
    private final class GcsInputStream extends InputStream {
        private final InputStream in;
        private final String key;
        private int pending = -2;

        GcsInputStream(InputStream in, String key) {
            this.in = in;
            this.key = key;
        }

        void fill() throws IOException {
            pending = in.read();
        }

        @Override
        public int read() throws IOException {
            if (pending != -2) {
                int b = pending;
                pending = b < 0 ? b : -2;
                return b;
            }
            return guarded(in::read);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pending != -2) {
                if (pending < 0) {
                    return -1;
                }
                b[off] = (byte) pending;
                pending = -2;
                return 1;
            }
            return guarded(() -> in.read(b, off, len));
        }

        private int guarded(IoCall call) throws IOException {
            try {
                return call.run();
            } catch (StorageException e) {
                throw new IOException("reading " + GcsErrors.quoted(key) + " from " + displayUri + " failed: "
                        + errors.translate(e, key).getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } catch (StorageException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
    }

    private interface IoCall {
        int run() throws IOException;
    }
}
