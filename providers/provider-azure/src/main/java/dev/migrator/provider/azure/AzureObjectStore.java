package dev.migrator.provider.azure;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlobBeginCopySourceRequestConditions;
import com.azure.storage.blob.models.BlobCopyInfo;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobItemProperties;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.models.CopyStatusType;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobBeginCopyOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.BlobInputStream;
import com.azure.storage.blob.specialized.BlockBlobClient;
import dev.migrator.provider.Capabilities;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StorageClasses;
import dev.migrator.provider.StoreOptions;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A container and prefix on Azure Blob Storage; every object is a block blob. Thread-safe: the container
 * client is, and each call builds its own blob client.
 *
 * <p>Objects up to one part are written with one Put Blob carrying their Content-MD5, which Azure checks
 * and stores. Larger ones are staged as blocks in parallel ({@link BlockUpload}), each with its own
 * Content-MD5, and committed in one Put Block List that also stores the whole object's MD5, computed from
 * the same bytes: nothing is visible until the commit, and the staged blocks of a failed or killed upload
 * are found again by the next put of the same bytes, which stages only the missing ones. Reads are pinned
 * to the ETag of their first request, so a blob replaced mid-read fails the read instead of mixing versions.
 */
public final class AzureObjectStore implements ObjectStore {
    /**
     * Not {@code listFromKey}: the listing sends {@code startFrom}, but Azurite ignores it and no test here runs
     * against Azure itself, so the capability is not claimed (the keys before it are dropped here, correctly).
     */
    private static final Capabilities CAPABILITIES = new Capabilities(true, false, Set.of(Capabilities.ChecksumKind.MD5),
            false, StorageClasses.Family.AZURE, true);
    private static final int READ_BLOCK = 4 * 1024 * 1024;

    final BlobContainerClient container;
    final String account;
    final String containerName;
    final String root;
    final StoreOptions options;
    final AzureErrors errors;
    final ExecutorService blockPool;
    /** Blocks sent to Azure and blocks found already staged by an earlier attempt, for tests and reports. */
    final AtomicLong blocksStaged = new AtomicLong();
    final AtomicLong blocksReused = new AtomicLong();
    private final int pageSize;
    private final String displayUri;
    private final String location;
    /** The SAS token this store authenticates with, appended to a copy's source URL; {@code null} otherwise. */
    private final String sas;
    private volatile boolean containerSeen;

    AzureObjectStore(BlobContainerClient container, String account, String containerName, String root, int pageSize,
            StoreOptions options, String displayUri, String location, String where, String sas) {
        this.container = container;
        this.account = account;
        this.containerName = containerName;
        this.root = root;
        this.pageSize = pageSize;
        this.options = options;
        this.displayUri = displayUri;
        this.location = location;
        this.sas = sas;
        this.errors = new AzureErrors(containerName, displayUri, where);
        AtomicInteger n = new AtomicInteger();
        this.blockPool = Executors.newFixedThreadPool(options.partConcurrency(), r -> {
            Thread t = new Thread(r, "azure-block-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String displayUri() {
        return displayUri;
    }

    /** {@code az://HOST[:PORT]/ACCOUNT/CONTAINER/PREFIX}: the endpoint's host, so Azurite and Azure never overlap. */
    @Override
    public String location() {
        return location;
    }

    /** Copies within one account; MD5 for every blob it writes; access tiers as storage classes; index tags. */
    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        return list(prefix, null);
    }

    /**
     * One page in memory at a time ({@code PagedIterable} fetches the next page when this one is used up).
     * {@code startAfter} is sent as {@code startFrom}, which is inclusive and which an older server may
     * ignore: keys up to {@code startAfter} are dropped here too, so the result is right either way.
     */
    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) {
        String full = root + Objects.requireNonNull(prefix, "prefix");
        ListBlobsOptions o = new ListBlobsOptions()
                .setMaxResultsPerPage(pageSize)
                .setDetails(new BlobListDetails().setRetrieveMetadata(true).setRetrieveTags(true));
        if (!full.isEmpty()) {
            o.setPrefix(full);
        }
        if (startAfter != null && Keys.ORDER.compare(root + startAfter, full) > 0) {
            o.setStartFrom(root + startAfter);
        }
        Iterator<BlobItem> blobs = call(null, () -> container.listBlobs(o, null).iterator());
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
        return startAfter == null ? listed : listed.dropWhile(i -> Keys.ORDER.compare(i.key(), startAfter) <= 0);
    }

    /** Archive-tier blobs and their rehydration ({@link AzureArchive}). */
    @Override
    public Optional<dev.migrator.provider.Archive> archive() {
        return Optional.of(new AzureArchive(this));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        BlobClient blob = blob(key);
        try {
            BlobProperties p = blob.getProperties();
            containerSeen = true;
            Map<String, String> tags = p.getTagCount() == null || p.getTagCount() == 0 ? Map.of() : blob.getTags();
            return Optional.of(info(key, p, tags));
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                requireContainer(e);
                return Optional.empty();
            }
            throw errors.translate(e, key);
        } catch (RuntimeException e) {
            throw errors.translate(e, key);
        }
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        if (offset < 0) {
            throw MigratorException.badInput("negative offset " + offset + " for " + AzureErrors.quoted(key));
        }
        return read(key, offset, length, null);
    }

    /**
     * Stat, then a read pinned to that ETag: the bytes are exactly the version the info describes (a ranged
     * download's own headers lack the blob's MD5, so the info comes from the stat).
     */
    @Override
    public Opened openWithInfo(String key) {
        ObjectInfo info = stat(key).orElseThrow(() -> notFound(key));
        InputStream in;
        try {
            in = read(key, 0, -1, info.etag());
        } catch (MigratorException e) {
            if (e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.CONFLICT) {
                // Replaced or deleted since the stat: a new attempt stats again.
                throw new MigratorException(ErrorCode.FAILED, AzureErrors.quoted(key) + " in " + displayUri
                        + " changed while it was being opened", e, true);
            }
            throw e;
        }
        return new Opened(info, in);
    }

    /**
     * A stream over the range, pinned by the client to the ETag of its first request ({@code etag} if given).
     * The client resumes a body cut off mid-way from the byte it reached, on the same ETag.
     */
    private InputStream read(String key, long offset, long length, String etag) {
        if (length == 0) {
            stat(key).orElseThrow(() -> notFound(key));
            return InputStream.nullInputStream();
        }
        BlobInputStreamOptions o = new BlobInputStreamOptions().setBlockSize(READ_BLOCK);
        if (offset > 0 || length > 0) {
            o.setRange(new BlobRange(offset, length < 0 ? null : length));
        }
        if (etag != null) {
            o.setRequestConditions(new BlobRequestConditions().setIfMatch(etag));
        }
        BlobInputStream in;
        try {
            in = blob(key).openInputStream(o, Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                requireContainer(e);
                throw notFound(key);
            }
            if (BlobErrorCode.BLOB_ARCHIVED.equals(e.getErrorCode())) {
                throw archived(key, displayUri, e);
            }
            if (e.getStatusCode() == 416) {
                // Reading from the very end of an object (an empty one included) yields no bytes; past it is an error.
                long size = stat(key).orElseThrow(() -> notFound(key)).size();
                if (offset == size) {
                    return InputStream.nullInputStream();
                }
                throw MigratorException.badInput("offset " + offset + " is past the end of " + AzureErrors.quoted(key)
                        + " (" + size + " bytes) in " + displayUri);
            }
            throw errors.translate(e, key);
        } catch (RuntimeException e) {
            throw errors.translate(e, key);
        }
        containerSeen = true;
        return new Guarded(in, key);
    }

    private MigratorException notFound(String key) {
        return MigratorException.notFound("no object " + AzureErrors.quoted(key) + " in " + displayUri);
    }

    @Override
    public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
        ObjectMetadata meta = metadata == null ? ObjectMetadata.EMPTY : metadata;
        String what = AzureErrors.quoted(key) + " in " + displayUri;
        Map<String, String> azureMeta = AzureMetadata.metadata(meta);
        Map<String, String> tags = AzureMetadata.tags(meta, what);
        AccessTier tier = AzureMetadata.tier(meta, what);
        BlockBlobClient blob = blob(key).getBlockBlobClient();
        long size = content.size();
        if (size > options.partSize()) {
            return new BlockUpload(this, key, blob, content, meta, azureMeta, tags, tier).run();
        }
        byte[] bytes = readExactly(key, content, (int) size);
        byte[] md5 = Digests.md5().digest(bytes);
        // Content-MD5 on Put Blob: Azure rejects bytes that do not match it and stores it as the blob's MD5.
        BlockBlobItem item = call(key, () -> blob.uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(bytes))
                .setHeaders(AzureMetadata.headers(meta, null))
                .setMetadata(azureMeta)
                .setTags(tags)
                .setTier(tier)
                .setContentMd5(md5), null, Context.NONE).getValue());
        containerSeen = true;
        if (item.getContentMd5() != null && !java.util.Arrays.equals(item.getContentMd5(), md5)) {
            throw new MigratorException(ErrorCode.INTEGRITY, "Azure reports MD5 " + Digests.hex(item.getContentMd5())
                    + " for " + what + " but the bytes sent have MD5 " + Digests.hex(md5), null, true);
        }
        return new ObjectInfo(key, size, instant(item.getLastModified()), item.getETag(), Checksums.md5(Digests.hex(md5)),
                meta);
    }

    @Override
    public void delete(String key) {
        BlobClient blob = blob(key);
        try {
            blob.deleteWithResponse(null, null, null, Context.NONE);
        } catch (BlobStorageException e) {
            if (BlobErrorCode.SNAPSHOTS_PRESENT.equals(e.getErrorCode())) {
                throw new MigratorException(ErrorCode.CONFLICT, AzureErrors.quoted(key) + " in " + displayUri
                        + " has snapshots, which migrator does not delete: delete them first (az storage blob delete"
                        + " --delete-snapshots include) if they are not needed", e);
            }
            if (e.getStatusCode() == 404) {
                requireContainer(e); // a missing key is fine, a missing container is not
                return;
            }
            throw errors.translate(e, key);
        } catch (RuntimeException e) {
            throw errors.translate(e, key);
        }
    }

    @Override
    public Optional<ServerSideCopy> serverSideCopyFrom(ObjectStore source) {
        if (!(ObjectStore.innermost(source) instanceof AzureObjectStore from) || !sameAccount(from)) {
            return Optional.empty();
        }
        return Optional.of((sourceKey, targetKey, metadata) -> copy(from, sourceKey, targetKey, metadata));
    }

    /** Same service URL and account: Copy Blob within one account, authorized by this store's credentials. */
    private boolean sameAccount(AzureObjectStore other) {
        return container.getAccountUrl().equals(other.container.getAccountUrl()) && account.equals(other.account);
    }

    private ObjectInfo copy(AzureObjectStore from, String sourceKey, String targetKey, ObjectMetadata metadata) {
        BlobClient target = blob(targetKey);
        String sourceUrl = from.blob(sourceKey).getBlobUrl() + (from.sas == null ? "" : "?" + from.sas);
        try {
            ObjectInfo source = from.stat(sourceKey).orElseThrow(() -> MigratorException.notFound("cannot copy "
                    + AzureErrors.quoted(sourceKey) + " from " + from.displayUri + ": no such object"));
            ObjectMetadata meta = metadata == null ? source.metadata() : metadata;
            String what = AzureErrors.quoted(targetKey) + " in " + displayUri;
            if (StorageClasses.tier(StorageClasses.Family.AZURE, source.metadata().storageClass())
                    .map(StorageClasses.Tier::needsRestore).orElse(false)) {
                throw archived(sourceKey, from.displayUri, null);
            }
            SyncPoller<BlobCopyInfo, Void> poller = target.beginCopy(new BlobBeginCopyOptions(sourceUrl)
                    // Copy Blob keeps the source's tier unless told: new metadata without a class means Hot.
                    .setTier(metadata != null && metadata.storageClass() == null ? AccessTier.HOT
                            : AzureMetadata.tier(meta, what))
                    .setSourceRequestConditions(new BlobBeginCopySourceRequestConditions().setIfMatch(source.etag()))
                    .setPollInterval(Duration.ofMillis(200)));
            PollResponse<BlobCopyInfo> done = poller.waitForCompletion(Duration.ofHours(6));
            BlobCopyInfo info = done.getValue();
            if (done.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED
                    || info == null || info.getCopyStatus() != CopyStatusType.SUCCESS) {
                throw new MigratorException(ErrorCode.FAILED, "Azure did not finish copying " + AzureErrors.quoted(sourceKey)
                        + " to " + AzureErrors.quoted(targetKey) + " in " + displayUri + " ("
                        + (info == null ? done.getStatus() : info.getCopyStatus() + ": " + info.getError()) + ")", null, true);
            }
            // Copy Blob keeps the source's headers and metadata; tags are set as asked (or as the source has
            // them) either way, headers and metadata when new ones are asked for.
            if (metadata != null) {
                byte[] md5 = source.checksums().md5() == null ? null : java.util.HexFormat.of().parseHex(source.checksums().md5());
                target.setHttpHeaders(AzureMetadata.headers(metadata, md5));
                target.setMetadata(AzureMetadata.metadata(metadata));
            }
            Map<String, String> tags = AzureMetadata.tags(meta, what);
            target.setTags(tags == null ? Map.of() : tags);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 412 || BlobErrorCode.CANNOT_VERIFY_COPY_SOURCE.equals(e.getErrorCode())) {
                throw new MigratorException(ErrorCode.FAILED, AzureErrors.quoted(sourceKey) + " in " + from.displayUri
                        + " changed or vanished while it was being copied", e, true);
            }
            if (BlobErrorCode.BLOB_ARCHIVED.equals(e.getErrorCode())) {
                throw archived(sourceKey, from.displayUri, e);
            }
            throw errors.translate(e, targetKey);
        } catch (RuntimeException e) {
            throw errors.translate(e, targetKey);
        }
        return stat(targetKey).orElseThrow(() -> new MigratorException(ErrorCode.FAILED, "the copy of "
                + AzureErrors.quoted(sourceKey) + " to " + AzureErrors.quoted(targetKey) + " in " + displayUri
                + " vanished as it finished", null, true));
    }

    /** A blob in the Archive tier cannot be read or copied until it is rehydrated, which takes hours. */
    static MigratorException archived(String key, String where, Throwable cause) {
        return new MigratorException(ErrorCode.BAD_INPUT, AzureErrors.quoted(key) + " in " + where + " is in the Archive"
                + " tier and cannot be read until it is rehydrated (hours): az storage blob set-tier --tier Hot"
                + " --rehydrate-priority High, then run again", cause);
    }

    @Override
    public void close() {
        blockPool.shutdownNow();
    }

    // ---------------------------------------------------------------- helpers

    BlobClient blob(String key) {
        Keys.requireValid(key);
        if (key.indexOf('\\') >= 0) {
            // Azure rewrites '\' in a blob name to '/': the object would land under another name (or a stat or
            // delete would reach another object), so such a key is refused rather than silently renamed.
            throw MigratorException.badInput(AzureErrors.quoted(key) + " cannot be kept in " + displayUri + ": Azure turns"
                    + " a backslash in a blob name into '/'; rename the object at the source or copy it to another store");
        }
        String name = root + key;
        if (Keys.utf8(name).length > Keys.MAX_KEY_BYTES) {
            throw MigratorException.badInput(AzureErrors.quoted(key) + " under the prefix '" + root + "' of " + displayUri
                    + " makes a blob name longer than " + Keys.MAX_KEY_BYTES + " bytes: use a shorter prefix");
        }
        return container.getBlobClient(name);
    }

    /** After a 404: a missing container is {@link ErrorCode#BAD_INPUT}; checked once, until it was seen. */
    private void requireContainer(BlobStorageException e) {
        if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(e.getErrorCode())) {
            throw errors.missingContainer();
        }
        if (containerSeen) {
            return;
        }
        boolean exists;
        try {
            exists = container.exists();
        } catch (BlobStorageException x) {
            if (x.getStatusCode() == 403) {
                return; // may read blobs but not the container (a blob-scoped SAS): it exists
            }
            throw errors.translate(x, null);
        } catch (RuntimeException x) {
            throw errors.translate(x, null);
        }
        if (!exists) {
            throw errors.missingContainer();
        }
        containerSeen = true;
    }

    private ObjectInfo info(BlobItem item) {
        String name = item.getName();
        if (!name.startsWith(root)) {
            throw new MigratorException(ErrorCode.FAILED, "Azure returned '" + name + "' outside the prefix '" + root
                    + "' of " + displayUri);
        }
        containerSeen = true;
        BlobItemProperties p = item.getProperties();
        // Callers trust listed metadata whole: a listing that counts tags but does not carry them leaves it to a stat.
        boolean tagsMissing = (item.getTags() == null || item.getTags().isEmpty())
                && p.getTagCount() != null && p.getTagCount() > 0;
        ObjectMetadata meta = tagsMissing ? null : AzureMetadata.read(p.getContentType(), p.getContentEncoding(), p.getCacheControl(),
                p.getContentDisposition(), p.getContentLanguage(), item.getMetadata(), p.getAccessTier(),
                p.isAccessTierInferred(), item.getTags());
        return new ObjectInfo(name.substring(root.length()), p.getContentLength() == null ? 0 : p.getContentLength(),
                instant(p.getLastModified()), p.getETag(), md5(p.getContentMd5()), meta);
    }

    private static ObjectInfo info(String key, BlobProperties p, Map<String, String> tags) {
        ObjectMetadata meta = AzureMetadata.read(p.getContentType(), p.getContentEncoding(), p.getCacheControl(),
                p.getContentDisposition(), p.getContentLanguage(), p.getMetadata(), p.getAccessTier(),
                p.isAccessTierInferred(), tags);
        return new ObjectInfo(key, p.getBlobSize(), instant(p.getLastModified()), p.getETag(), md5(p.getContentMd5()), meta);
    }

    private static Checksums md5(byte[] md5) {
        return md5 == null || md5.length != 16 ? Checksums.NONE : Checksums.md5(Digests.hex(md5));
    }

    static java.time.Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static byte[] readExactly(String key, Content content, int size) {
        try (InputStream in = content.open()) {
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

    static MigratorException sourceFailed(String key, IOException e) {
        if (e instanceof InterruptedIOException) {
            return new MigratorException(ErrorCode.INTERRUPTED, "interrupted while reading the source of "
                    + AzureErrors.quoted(key), e);
        }
        // The content is replayable, so a retry reads it again from the start.
        return new MigratorException(ErrorCode.FAILED, "reading the source of " + AzureErrors.quoted(key) + " failed: "
                + e.getMessage(), e, true);
    }

    static MigratorException sizeMismatch(String key, long declared, long actual) {
        return new MigratorException(ErrorCode.INTEGRITY, "the source of " + AzureErrors.quoted(key) + " declared "
                + declared + " bytes but yielded " + (actual > declared ? "more" : Long.toString(actual))
                + "; nothing was stored");
    }

    <T> T call(String key, Call<T> op) {
        try {
            return op.get();
        } catch (MigratorException e) {
            throw e;
        } catch (RuntimeException e) {
            throw errors.translate(e, key);
        }
    }

    interface Call<T> {
        T get();
    }

    /** Client failures after open() surface as IOExceptions, as the contract says, with our message. */
    private final class Guarded extends FilterInputStream {
        private final String key;

        Guarded(InputStream in, String key) {
            super(in);
            this.key = key;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException | RuntimeException e) {
                throw failed(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw failed(e);
            }
        }

        private IOException failed(Exception e) {
            if (e instanceof InterruptedIOException i) {
                return i;
            }
            return new IOException("reading " + AzureErrors.quoted(key) + " from " + displayUri + " failed: "
                    + errors.translate(e, key).getMessage(), e);
        }
    }
}
