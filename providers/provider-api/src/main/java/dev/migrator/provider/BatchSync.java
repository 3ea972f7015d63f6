package dev.migrator.provider;

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
}
