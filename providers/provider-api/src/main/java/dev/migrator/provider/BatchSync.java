package dev.migrator.provider;

import java.util.Optional;

/**
 * An adapter that can make many writes durable together instead of one at a time: the local store syncs
 * its file system once ({@code syncfs}) instead of fsyncing every file and its folder. A caller finds it
 * with {@code ObjectStore.innermost(store) instanceof BatchSync}; wrappers need not forward it (the puts
 * still go through them).
 *
 * <p>Between {@link #deferSync()} and {@link #syncDeferred()} every put is still complete and atomic when it
 * returns: a crash of the process ({@code kill -9}) loses nothing put so far, and a reader sees a whole
 * object or none. A power loss or kernel crash, however, may lose or truncate objects put since: a caller
 * that defers must be able to recognise such objects as its own afterwards (a marker in its state).
 * Deferrals nest and apply to every put on this store instance; once the last one is synced, puts are
 * durable one by one again.
 */
public interface BatchSync {
    /** Starts deferring durability; returns false, changing nothing, when this store cannot sync later. */
    boolean deferSync();

    /**
     * Makes every put so far durable and ends one deferral (also when it throws). Throws
     * {@link ErrorCode#FAILED} when the sync fails: the objects are then not known to be durable.
     */
    void syncDeferred();

    /**
     * Under an open deferral: stores a new object directly under its final name, only if nothing has that name yet
     * (decided by the file system in one step, O_EXCL); returns empty, writing nothing, when something has it. Cheaper
     * than {@code put} (no temporary file, no rename, no checksum: the size written is returned, checked against the
     * content's), but <b>not atomic</b>: until it returns a reader may see the object partly written, and a crash of
     * the process ({@code kill -9}) may leave it so, like a power loss. A caller uses it only for objects it recognises
     * as its own afterwards by its marker, and replaces a torn one with {@code put} then. A write that fails removes
     * what it wrote before it throws. Goes past the wrappers of the store: a caller uses it only where no wrapper
     * needs to see the write. Throws {@link IllegalStateException} when no deferral is open.
     */
    Optional<ObjectInfo> createInPlace(String key, Content content, ObjectMetadata metadata);
}
