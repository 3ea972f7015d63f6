package dev.migrator.transfer;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Overlap;
import dev.migrator.provider.Retry;
import dev.migrator.provider.RetryingObjectStore;

/**
 * Deletes the target's objects in a {@link Selection} that the source does not have (a cut-over's
 * {@code delete-extraneous}), through the same {@link ListingMerge} as copy and verify: nothing outside the
 * selection is listed, let alone deleted, and every delete is counted and reported to a {@link Listener}.
 *
 * <p>The source is the authority on what stays, so it must be there: a source that does not exist or fails
 * to list stops the pruning (what was deleted up to then is counted) instead of reading as "no objects",
 * which would delete the whole selection. A source and target that overlap are refused before anything is
 * listed. Deletes are one at a time, in key order, each retried by the {@link Retry} policy.
 */
public final class Pruner {
    /** Told of each object deleted, or that would be deleted in a dry run; called from the pruning thread. */
    public interface Listener {
        Listener NONE = (object, dryRun) -> { };

        void deleted(ObjectInfo object, boolean dryRun);
    }

    /**
     * What a pruning did.
     *
     * @param deleted objects deleted (in a dry run: that would have been)
     * @param deletedBytes their total size
     * @param kept target objects in the selection that the source also has
     * @param interrupted stopped by {@link #cancel()} before the end of the listings
     */
    public record Summary(long deleted, long deletedBytes, long kept, boolean dryRun, boolean interrupted) {
    }

    private final ObjectStore source;
    private final ObjectStore target;
    private final Selection selection;
    private final boolean dryRun;
    private final Listener listener;
    private volatile boolean cancelled;

    /** The pruner retries the stores with {@code retry} (once: a store opened through Stores is not wrapped again). */
    public Pruner(ObjectStore source, ObjectStore target, Selection selection, boolean dryRun, Retry retry,
                  Progress progress, Listener listener) {
        Retry.Listener onRetry = (what, attempt, cause) -> progress.retrying(what, cause.getMessage());
        this.source = RetryingObjectStore.around(source, retry, onRetry);
        this.target = RetryingObjectStore.around(target, retry, onRetry);
        this.selection = selection;
        this.dryRun = dryRun;
        this.listener = listener;
    }

    /** Stops after the delete in progress; {@link #run()} then reports it interrupted. */
    public void cancel() {
        cancelled = true;
    }

    public Summary run() {
        // Pruning a target inside its own source (or the reverse) deletes the source's objects.
        Overlap.refuse("source", source, "target", target);
        long deleted = 0;
        long deletedBytes = 0;
        long kept = 0;
        boolean interrupted;
        // A target that does not exist has nothing to prune; the source must exist (see the class comment).
        try (ListingMerge merge = ListingMerge.intoTarget(source, target, selection)) {
            while (!cancelled && merge.hasNext()) {
                ListingMerge.Pair pair = merge.next();
                ObjectInfo extra = pair.target();
                if (extra == null) {
                    continue; // only at the source: the copy's business
                }
                if (pair.source() != null) {
                    kept++;
                    continue;
                }
                if (!selection.contains(extra.key())) {
                    // The merge yields only keys of the selection; this guards the one rule a delete must keep.
                    throw new MigratorException(ErrorCode.FAILED, "refusing to delete '" + extra.key() + "' in "
                            + target.displayUri() + ": it is outside the selection (" + selection + ")");
                }
                if (!dryRun) {
                    target.delete(extra.key());
                }
                deleted++;
                deletedBytes += extra.size();
                listener.deleted(extra, dryRun);
            }
            interrupted = cancelled && merge.hasNext();
        }
        return new Summary(deleted, deletedBytes, kept, dryRun, interrupted);
    }
}
