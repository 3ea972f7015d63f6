package dev.migrator.provider;

import java.io.InputStream;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A flat namespace of objects rooted at a bucket and prefix (or a directory), as named by the URI it
 * was opened from. Keys are relative to that root and bytes-exact.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Thread-safety:</b> every method may be called from many threads at once.</li>
 *   <li><b>Not found:</b> {@link #stat} returns empty for a missing key; {@link #open} throws a
 *       {@link MigratorException} with {@link ErrorCode#NOT_FOUND}. A missing bucket is
 *       {@link ErrorCode#BAD_INPUT} from any method, naming it; a root that the first {@code put}
 *       would create (a local directory) makes {@code list} throw {@link ErrorCode#NOT_FOUND}.</li>
 *   <li><b>Order:</b> listings are in {@link Keys#ORDER}; callers merge listings of two stores and
 *       rely on it.</li>
 *   <li><b>Streams:</b> the caller closes every stream and {@code Stream} it gets.</li>
 *   <li><b>Errors:</b> only {@link MigratorException}, classified retryable or not; no method retries
 *       on its own (see {@link Retry}), except the parts of one multipart upload.</li>
 *   <li><b>Idempotency:</b> {@code put} of the same content and {@code delete} may be repeated.</li>
 *   <li><b>Atomicity:</b> a reader never sees a partly written object: {@code put} writes to a
 *       temporary name and moves it into place, or the store makes the write atomic.</li>
 * </ul>
 */
public interface ObjectStore extends AutoCloseable {

    /** The URI this store was opened from, with any credentials removed; safe to print. */
    String displayUri();

    /**
     * Where this store's objects really live, for refusing moves whose locations overlap
     * ({@link Overlap}): a scheme-qualified root ending in {@code /} with aliases resolved (a local
     * root's symlinks, an S3 endpoint's host and the bucket), so that two stores overlap exactly when
     * one location is a prefix of the other. Wrappers forward it. The default is the display URI
     * without its query.
     */
    default String location() {
        String uri = displayUri();
        int q = uri.indexOf('?');
        String bare = q < 0 ? uri : uri.substring(0, q);
        return bare.endsWith("/") ? bare : bare + "/";
    }

    /**
     * Lists every object whose key starts with {@code prefix} ({@code ""} for all), lazily, in
     * ascending order of the keys' UTF-8 bytes ({@link Keys#ORDER}), in memory independent of the
     * number of objects. The stream's metadata may be {@code null}. Close the stream.
     */
    Stream<ObjectInfo> list(String prefix);

    /**
     * Like {@link #list(String)}, but only the keys after {@code startAfter} (exclusive; {@code null}
     * for all): a listing that resumes after the last key it saw, or a key-range shard that starts at
     * its range. Adapters whose servers can start a listing at a key override it and say so in
     * {@link Capabilities#listFromKey()}; the default lists the prefix and drops the keys up to
     * {@code startAfter}, which is correct but reads them.
     */
    default Stream<ObjectInfo> list(String prefix, String startAfter) {
        Stream<ObjectInfo> all = list(prefix);
        return startAfter == null ? all : all.dropWhile(o -> Keys.ORDER.compare(o.key(), startAfter) <= 0);
    }

    /** What this store can do beyond the contract (rclone's Features); wrappers forward it. */
    default Capabilities capabilities() {
        return Capabilities.NONE;
    }

    /**
     * The store this one wraps ({@link ForwardingObjectStore}), or this store itself when it wraps none
     * (an adapter). See {@link #innermost} for the adapter under any number of wrappers.
     */
    default ObjectStore unwrap() {
        return this;
    }

    /** The adapter under every wrapper of {@code store}: for checks that need the adapter's own class. */
    static ObjectStore innermost(ObjectStore store) {
        ObjectStore s = store;
        for (ObjectStore inner = s.unwrap(); inner != s; inner = s.unwrap()) {
            s = inner;
        }
        return s;
    }

    /** The first wrapper of {@code type} in {@code store}'s chain (the store itself included), if any. */
    static <T extends ObjectStore> Optional<T> find(ObjectStore store, Class<T> type) {
        ObjectStore s = store;
        while (true) {
            if (type.isInstance(s)) {
                return Optional.of(type.cast(s));
            }
            ObjectStore inner = s.unwrap();
            if (inner == s) {
                return Optional.empty();
            }
            s = inner;
        }
    }

    /** The object's size, checksums and metadata, or empty if there is no such key. */
    Optional<ObjectInfo> stat(String key);

    /**
     * Reads {@code length} bytes from {@code offset} ({@code length < 0}: to the end). The caller
     * closes the stream. A failure mid-stream surfaces as an {@link java.io.IOException} from read.
     */
    InputStream open(String key, long offset, long length);

    /**
     * Opens a whole object and returns its info (size, checksums, metadata) with the stream, in one
     * request where the store allows (an S3 GET carries the metadata a HEAD would). The caller closes
     * the stream. The default stats, then opens.
     */
    default Opened openWithInfo(String key) {
        ObjectInfo info = stat(key).orElseThrow(() -> MigratorException.notFound("no object '" + key + "' in " + displayUri()));
        return new Opened(info, open(key, 0, -1));
    }

    /** An object's info together with an open stream over all its bytes. */
    record Opened(ObjectInfo info, InputStream stream) {
    }

    /**
     * Stores {@code content} under {@code key} with {@code metadata}, replacing any existing object
     * (whether that is allowed is the caller's decision). Large objects are uploaded in parts, in
     * parallel where the store allows. Returns what the store now holds: its size and whatever
     * checksums the store computed from the bytes it received, so the caller can compare them with
     * what it read. An adapter that verifies parts itself (S3 Content-MD5, multipart ETag) throws
     * {@link ErrorCode#INTEGRITY} on a mismatch. A store may take a {@link Content#movableFile()} by
     * renaming it into place instead of copying it; it must then be as durable and as atomic as a copy.
     */
    ObjectInfo put(String key, Content content, ObjectMetadata metadata);

    /**
     * Optional capability ({@link Capabilities#conditionalCreate()}): stores {@code content} under {@code key}
     * only if no object has that key, decided by the store in one atomic step. Returns what was stored, or empty
     * when an object already had the key (it is left as it was). Of any number of callers racing for one key,
     * exactly one gets a result. For small objects (claims, markers); an adapter may refuse content larger than
     * one part with {@link ErrorCode#BAD_INPUT}. Not idempotent: a retry after a lost response sees its own
     * object and returns empty, so a caller that retries puts a token in the content and reads it back. The
     * default refuses with {@link ErrorCode#BAD_INPUT}.
     */
    default Optional<ObjectInfo> createIfAbsent(String key, Content content, ObjectMetadata metadata) {
        throw MigratorException.badInput(displayUri() + " does not offer create-only writes (needed to share state"
                + " between workers); use a file://, s3:// or gs:// location for --state");
    }

    /** Deletes the object; deleting a missing key is not an error. */
    void delete(String key);

    /**
     * Optional capability: a copy performed by the store itself, without the bytes passing through
     * us, from {@code source} (which may be this store). Empty when the two stores cannot do that.
     */
    default Optional<ServerSideCopy> serverSideCopyFrom(ObjectStore source) {
        return Optional.empty();
    }

    // --- versions begin
    /**
     * Optional capability ({@link Capabilities#versions()}): whether the bucket keeps versions now (S3 versioning
     * {@code Enabled}, GCS {@code versioning.enabled}), so that a {@code put} over a key keeps the old content as a
     * version and {@code delete} leaves a delete marker. Asked before writing a history into a store. The default
     * is false.
     */
    default boolean keepsVersions() {
        return false;
    }

    /**
     * Optional capability ({@link Capabilities#versions()}): every version and delete marker of the keys under
     * {@code prefix}, lazily; keys in {@link Keys#ORDER}, the entries of one key oldest first (the order they were
     * written). Memory is independent of the number of keys; an adapter may hold the entries of one key at once.
     * Close the stream. The default refuses with {@link ErrorCode#BAD_INPUT}.
     */
    default Stream<ObjectVersion> listVersions(String prefix) {
        throw noVersions();
    }

    /**
     * The info (with metadata) of one version from {@link #listVersions}, or empty when the store no longer has
     * it. The default refuses with {@link ErrorCode#BAD_INPUT}.
     */
    default Optional<ObjectInfo> statVersion(String key, String versionId) {
        throw noVersions();
    }

    /**
     * Reads one version from {@link #listVersions} like {@link #open}; {@link ErrorCode#NOT_FOUND} when the store
     * no longer has it. The default refuses with {@link ErrorCode#BAD_INPUT}.
     */
    default InputStream openVersion(String key, String versionId, long offset, long length) {
        throw noVersions();
    }

    private MigratorException noVersions() {
        return MigratorException.badInput(displayUri() + " does not keep object versions; use --versions latest"
                + " (the default) or an s3:// or gs:// location");
    }
    // --- versions end

    // --- archived objects and bucket settings: optional capabilities, one block ---

    /**
     * Optional capability: the store's objects may be in a class that must be restored before it can be read
     * ({@link Archive}: their classes in listings, restore requests and their progress). Empty when none can.
     */
    default Optional<Archive> archive() {
        return Optional.empty();
    }

    /**
     * Optional capability: the settings of the bucket this store is rooted in (CORS, lifecycle, website,
     * versioning, public access, policy). Empty for stores without buckets (local disk) or adapters that do
     * not read them.
     */
    default Optional<BucketSettings.Access> bucketSettings() {
        return Optional.empty();
    }

    // --- end of archived objects and bucket settings ---

    @Override
    void close();

    /** A store-side copy from one particular source store into this one. */
    interface ServerSideCopy {
        ObjectInfo copy(String sourceKey, String targetKey, ObjectMetadata metadata);
    }
}
