package dev.migrator.plan.planner;

import dev.migrator.transfer.Selection;
import java.util.List;

/**
 * Parameters of the object-store kinds: a pre-copy or delta ({@link #COPY}) and a {@link #VERIFY}; a move through
 * a bundle carries them as a {@link BundleParams.Member}.
 *
 * @param from             the source location's name
 * @param to               the target location's name
 * @param selection        the keys the step covers: the move's includes and excludes and its shard's key range
 * @param parallelism      objects in flight
 * @param partSize         multipart part size in bytes, or null for the store's default
 * @param overwrite        replace target objects that differ (the delta) instead of refusing them
 * @param deleteExtraneous delete target objects in the selection that the source no longer has (the delta)
 * @param staging          the staging store's URI of a bundle move, or null
 * @param skipArchived     leave out source objects that must be restored before they can be read ({@code archived: skip})
 * @param allVersions      copy or compare every version of each key, in order, delete markers included ({@code versions: all})
 * @param versionsAt       the source as it was at this ISO-8601 instant ({@code versions-at}), or null for its current state
 */
public record ObjectParams(String from, String to, Selection selection, int parallelism, Long partSize, boolean overwrite,
                           boolean deleteExtraneous, String staging, boolean skipArchived,
                           boolean allVersions, String versionsAt /* --- pver: the move's versions */) implements StepParams {
    public static final String COPY = "copy";
    public static final String VERIFY = "verify";

    public ObjectParams {
        selection = selection == null ? Selection.ALL : selection;
    }

    /** A step that reads archived objects like any other. */
    public ObjectParams(String from, String to, Selection selection, int parallelism, Long partSize, boolean overwrite,
                        boolean deleteExtraneous, String staging) {
        this(from, to, selection, parallelism, partSize, overwrite, deleteExtraneous, staging, false);
    }

    // --- pver begin
    /** Each key's latest version only. */
    public ObjectParams(String from, String to, Selection selection, int parallelism, Long partSize, boolean overwrite,
                        boolean deleteExtraneous, String staging, boolean skipArchived) {
        this(from, to, selection, parallelism, partSize, overwrite, deleteExtraneous, staging, skipArchived, false, null);
    }
    // --- pver end

    /** The same step over another key range. */
    public ObjectParams range(String keyFrom, String keyTo) {
        return new ObjectParams(from, to, selection.range(keyFrom, keyTo), parallelism,
                partSize, overwrite, deleteExtraneous, staging, skipArchived, allVersions, versionsAt);
    }

    /** The cut-over's delta of this step: replaces what changed at the source, and prunes if the move says so. */
    public ObjectParams delta(boolean prune) {
        return new ObjectParams(from, to, selection, parallelism, partSize, true, prune, staging, skipArchived, allVersions, versionsAt);
    }

    @Override
    public List<String> locations() {
        return List.of(from, to);
    }
}
