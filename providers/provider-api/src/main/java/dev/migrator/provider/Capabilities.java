package dev.migrator.provider;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a store offers beyond the {@link ObjectStore} contract, declared by its adapter in one place
 * (rclone's {@code Features}). Callers may use a capability only where it is declared; the contract
 * suite ({@code ObjectStoreContract}) tests each declared one and skips the others.
 *
 * @param serverSideCopy the store can copy between two of its stores without the bytes passing through
 *                       us ({@link ObjectStore#serverSideCopyFrom}); at least from itself
 * @param movableFiles   {@code put} takes a {@link Content#movableFile()} by renaming it into place
 * @param checksums      whole-object checksums {@code stat} reports for an object this store put in one piece from
 *                       content without {@link Content#known()} values (the contract suite proves each one right). A
 *                       store may report more, and for content with known values may keep one of those instead (S3
 *                       keeps the source's CRC64NVME rather than computing CRC32C); it never reports a value that is
 *                       not a full-object checksum of the bytes it holds. Not a promise for multipart writes: a
 *                       server may keep only a COMPOSITE value there, which is then not reported
 * @param listFromKey    {@link ObjectStore#list(String, String)} starts at the key on the server
 *                       (S3 start-after, GCS startOffset, a local seek) instead of reading earlier keys
 * @param storageClasses whose storage-class names the store takes in {@link ObjectMetadata#storageClass()}
 *                       ({@link StorageClasses.Family#ANY} keeps whatever it is given, {@code NONE} has none)
 * @param tags           the store keeps {@link ObjectMetadata#tags()} and reports them from {@code stat}
 * @param expires        the store keeps {@link ObjectMetadata#expires()} (GCS and Azure objects have no Expires)
 * @param conditionalCreate {@link ObjectStore#createIfAbsent} is create-only on the server (O_EXCL / link(2) on a
 *                       local disk, S3 {@code If-None-Match: *}, GCS {@code ifGenerationMatch=0}); what lets
 *                       workers share state through the store. An S3-compatible server may ignore the header:
 *                       callers that depend on it probe once ({@code SharedState} does)
 * @param versions       the store lists and reads object versions ({@link ObjectStore#listVersions},
 *                       {@link ObjectStore#statVersion}, {@link ObjectStore#openVersion}) and tells whether its
 *                       bucket keeps them ({@link ObjectStore#keepsVersions}): S3 and GCS
 */
public record Capabilities(boolean serverSideCopy, boolean movableFiles, Set<ChecksumKind> checksums, boolean listFromKey,
                           StorageClasses.Family storageClasses, boolean tags, boolean expires, boolean conditionalCreate,
                           boolean versions) {
    public static final Capabilities NONE = new Capabilities(false, false, Set.of(), false);

    /** A kind of whole-object checksum, as in {@link Checksums} (which also orders them by strength). */
    public enum ChecksumKind { MD5, CRC32, CRC32C, CRC64NVME, SHA256 }

    /** Without versions. */
    public Capabilities(boolean serverSideCopy, boolean movableFiles, Set<ChecksumKind> checksums, boolean listFromKey,
                        StorageClasses.Family storageClasses, boolean tags, boolean expires, boolean conditionalCreate) {
        this(serverSideCopy, movableFiles, checksums, listFromKey, storageClasses, tags, expires, conditionalCreate, false);
    }

    public Capabilities {
        checksums = checksums.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(checksums));
        storageClasses = storageClasses == null ? StorageClasses.Family.NONE : storageClasses;
    }

    /** A store without storage classes, tags, Expires or create-only writes. */
    public Capabilities(boolean serverSideCopy, boolean movableFiles, Set<ChecksumKind> checksums, boolean listFromKey) {
        this(serverSideCopy, movableFiles, checksums, listFromKey, StorageClasses.Family.NONE, false, false, false);
    }

    /** A store that keeps Expires, without create-only writes. */
    public Capabilities(boolean serverSideCopy, boolean movableFiles, Set<ChecksumKind> checksums, boolean listFromKey,
                        StorageClasses.Family storageClasses, boolean tags) {
        this(serverSideCopy, movableFiles, checksums, listFromKey, storageClasses, tags, true, false);
    }

    /** A store without create-only writes. */
    public Capabilities(boolean serverSideCopy, boolean movableFiles, Set<ChecksumKind> checksums, boolean listFromKey,
                        StorageClasses.Family storageClasses, boolean tags, boolean expires) {
        this(serverSideCopy, movableFiles, checksums, listFromKey, storageClasses, tags, expires, false);
    }

    /** These capabilities and {@link #conditionalCreate}. */
    public Capabilities withConditionalCreate() {
        return new Capabilities(serverSideCopy, movableFiles, checksums, listFromKey, storageClasses, tags, expires, true, versions);
    }

    // --- versions begin
    /** These capabilities and {@link #versions}. */
    public Capabilities withVersions() {
        return new Capabilities(serverSideCopy, movableFiles, checksums, listFromKey, storageClasses, tags, expires, conditionalCreate, true);
    }
    // --- versions end
}
