package dev.migrator.plan.model;

import java.util.List;

/**
 * One thing to move: a source location into a target location.
 *
 * @param name        unique, used in step ids
 * @param from        source location name
 * @param to          target location name
 * @param via         how: {@link Via#DIRECT}, {@link Via#BUNDLE} (objects through a bundle on {@code staging}) or
 *                    {@link Via#DUMP} (a database dumped to files, then restored) or {@link Via#REPLICATE} (a database copied
 *                    from a snapshot while live, then its changes streamed until the cut-over)
 * @param staging     where bundles or dumps are kept (a URI), or null for the run's state directory
 * @param bundle      via bundle: the bundle it is packed into, at {@code STAGING/<bundle>/}; moves naming the same
 *                    bundle share one (its name defaults to the move's)
 * @param include     key prefixes to move (empty: all)
 * @param exclude     key prefixes not to move
 * @param shards      parallel steps a large source is split into by key range (0: automatic)
 * @param parallelism objects copied at once within one step
 * @param partSize    multipart part size in bytes, or null for the default
 * @param delta       expected share of the bytes that change between pre-copy and cut-over (for the estimate)
 * @param dumpJobs    parallel jobs of a database dump/restore
 * @param noOwner     database restore skips ownership
 * @param noPrivileges database restore skips grants
 * @param deleteExtraneous at cut-over, delete target objects that the source no longer has (otherwise verify reports them)
 * @param overwrite   replace target objects that differ (otherwise a conflict)
 * @param changeRate  replicate: bytes of WAL per second the source writes (for the catch-up estimate), or null for the default
 * @param bucketSettings objects: after the pre-copy, apply the source bucket's settings that the target has an equivalent
 *                    for (CORS, website, lifecycle, versioning) and report the rest as actions
 * @param archived    what to do with source objects that must be restored before they can be read (S3 GLACIER, DEEP_ARCHIVE,
 *                    Azure Archive)
 * @param versions    objects: which versions of a versioned source are moved ({@code versions:}, {@code versions-at:})
 * @param pos         where it is declared
 */
public record Move(String name, String from, String to, Via via, String staging, String bundle, List<String> include,
                   List<String> exclude, int shards, int parallelism, Long partSize, double delta, int dumpJobs, boolean noOwner,
                   boolean noPrivileges, boolean deleteExtraneous, boolean overwrite, Long changeRate, boolean bucketSettings, Archived archived,
                   Versions versions, Pos pos) {

    /**
     * The plan's choice for archived source objects ({@code archived:}, {@code restore-speed:}, {@code restore-days:},
     * {@code restore-poll:}): refuse the plan while there are any ({@link Choice#FAIL}, the default, so the choice is
     * made before the copy rather than failing in the middle of it), leave them out ({@link Choice#SKIP}, listed in the
     * report as not moved), or restore them in a step of their own before the copy ({@link Choice#RESTORE}).
     */
    public record Archived(Choice choice, dev.migrator.provider.Archive.Speed speed, int days, java.time.Duration poll) {
        public static final Archived DEFAULT = new Archived(Choice.FAIL, dev.migrator.provider.Archive.Speed.STANDARD, 7,
                java.time.Duration.ofMinutes(5));

        public enum Choice { FAIL, SKIP, RESTORE }
    }

    /**
     * Which versions of a versioned source a move of objects carries: each key's latest ({@link #LATEST}, the default),
     * the whole history in order with its delete markers ({@code versions: all}, onto a target that keeps versions), or
     * the source as it was at an instant ({@code versions-at: TIME}: each key's newest version not newer than it).
     *
     * @param all whether the whole history is moved
     * @param at  the instant of a point-in-time move, or null
     */
    public record Versions(boolean all, java.time.Instant at) {
        public static final Versions LATEST = new Versions(false, null);

        public Versions {
            if (all && at != null) {
                throw new IllegalArgumentException("all versions and a point in time exclude each other");
            }
        }

        /** Whether more than the latest version is looked at (the source must keep versions). */
        public boolean versioned() {
            return all || at != null;
        }

        /** What the move carries, for reports: "all versions", "the versions at TIME" or "only the latest version". */
        public String describe() {
            return all ? "all versions (the history in order, delete markers included)"
                    : at != null ? "each key's version at " + at + " (versions-at)" : "only the latest version of each object";
        }
    }

    public enum Via {
        DIRECT, BUNDLE, DUMP, REPLICATE;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
