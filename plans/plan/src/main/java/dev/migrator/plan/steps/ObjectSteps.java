package dev.migrator.plan.steps;

import dev.migrator.plan.executor.StepContext;
import dev.migrator.plan.executor.StepResult;
import dev.migrator.plan.planner.ObjectParams;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.plan.model.Location;
import dev.migrator.transfer.Bandwidth;
import dev.migrator.transfer.BandwidthLimitedStore;
import dev.migrator.transfer.CopyOptions;
import dev.migrator.transfer.CopySummary;
import dev.migrator.transfer.Copier;
import dev.migrator.transfer.Difference;
import dev.migrator.transfer.Progress;
import dev.migrator.transfer.Pruner;
import dev.migrator.transfer.VerifyReport;
import dev.migrator.transfer.Verifier;
import dev.migrator.transfer.PointInTime;
import dev.migrator.transfer.VersionCopier;
import dev.migrator.transfer.VersionVerifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Object store steps: copy (pre-copy and cut-over delta) through {@link Copier}, pruning through {@link Pruner},
 * verify through {@link Verifier}; a move of all versions copies through {@link VersionCopier} and verifies through
 * {@link VersionVerifier}, and a point-in-time move reads its source through {@link PointInTime}.
 */
final class ObjectSteps {
    private ObjectSteps() {
    }

    static StoreOptions storeOptions(ObjectParams p) {
        return new StoreOptions(p.partSize() == null ? StoreOptions.DEFAULT_PART_SIZE : p.partSize(), 4, Retry.DEFAULT);
    }

    static Progress progress(StepContext ctx) {
        return new Progress() {
            @Override
            public void transferred(long bytes) {
                ctx.transferred(bytes);
            }
        };
    }

    static ObjectStore open(StepContext ctx, String location, ObjectParams p) {
        Location at = ctx.locationNamed(location);
        // The run's state keeps what lets a GCS upload cut by kill -9 continue from the bytes GCS holds.
        ObjectStore store = Stores.open(at.uri(), storeOptions(p).withUploadState(ctx.stateDir().resolve("uploads")));
        if (at.bandwidth() == null) {
            return store;
        }
        // The plan's bandwidth: is the endpoint's, for all steps together and both directions: one shared limit.
        Bandwidth limit = BANDWIDTH.computeIfAbsent(ctx.plan().file() + "\n" + location + "\n" + at.bandwidth(),
                k -> new Bandwidth(at.bandwidth()));
        return new BandwidthLimitedStore(store, limit, true);
    }

    /** The endpoint limits, by plan file, location name and rate: one entry per limited endpoint. */
    private static final java.util.Map<String, Bandwidth> BANDWIDTH = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Copies the step's selection; objects already identical at the target are skipped, so the same step is
     * the bulk pre-copy and the cut-over delta. With {@code deleteExtraneous}, the delta then deletes target
     * objects in the selection that the source no longer has; without it, those are left for verify to report.
     */
    static StepResult copy(StepContext ctx, ObjectParams p) {
        if (p.allVersions()) {
            return copyVersions(ctx, p);
        }
        try (ObjectStore opened = open(ctx, p.from(), p); ObjectStore target = open(ctx, p.to(), p)) {
            ObjectStore source = source(opened, p);
            CopyOptions copy = new CopyOptions(p.parallelism(), p.overwrite(), false, ctx.workDir().resolve("copy-journal"),
                    Retry.DEFAULT, p.selection());
            Copier copier = new Copier(source, target, copy, progress(ctx));
            ctx.onCancel(copier::cancel);
            CopySummary r = finished(copier.run(), r0 -> r0.failed() + " of " + (r0.copied() + r0.skipped() + r0.failed()) + " objects");
            // Deletions go into the first line: it is the one the console prints when the step is done.
            String deletions = "";
            if (p.deleteExtraneous()) {
                Pruner pruner = new Pruner(source, target, p.selection(), false, Retry.DEFAULT, Progress.NONE, Pruner.Listener.NONE);
                ctx.onCancel(pruner::cancel);
                Pruner.Summary pruned = pruner.run();
                if (pruned.interrupted()) {
                    throw new MigratorException(ErrorCode.INTERRUPTED, "cancelled after deleting " + pruned.deleted() + " objects");
                }
                deletions = ", " + pruned.deleted() + " deleted at the target (" + p.selection()
                        + ") because the source no longer has them";
            }
            List<String> details = new ArrayList<>();
            details.add(r.copied() + " copied, " + r.skipped() + " already identical" + deletions + (r.vanished() > 0 ? ", "
                    + r.vanished() + " vanished at the source" : "") + (r.retries() > 0 ? ", " + r.retries() + " retries" : ""));
            notMoved(source, details);
            return new StepResult(r.copiedBytes(), r.copied(), r.skipped(), null, details);
        }
    }

    /** Compares the selection on both sides; differences fail the step (not retried). */
    static StepResult verify(StepContext ctx, ObjectParams p) {
        try (ObjectStore opened = open(ctx, p.from(), p); ObjectStore target = open(ctx, p.to(), p)) {
            ObjectStore source = source(opened, p);
            VerifyReport r = p.allVersions()
                    ? new VersionVerifier(source, target, p.parallelism(), Retry.DEFAULT, Progress.NONE, p.selection()).run()
                    : new Verifier(source, target, p.parallelism(), Retry.DEFAULT, Progress.NONE, p.selection()).run();
            List<String> details = new ArrayList<>();
            if (r.identical()) {
                details.add(p.allVersions() ? r.compared() + " versions identical, in the same order (sizes, checksums,"
                        + " metadata, delete markers)" : r.compared() + " objects identical (keys, sizes, checksums, metadata)"
                        + (p.versionsAt() == null ? "" : " with the source as it was at " + p.versionsAt()));
            } else {
                details.add(r.differenceCount() + " differences in " + r.sourceCount() + " objects");
                for (Difference d : r.differences().subList(0, Math.min(20, r.differences().size()))) {
                    details.add(d.kind() + " '" + d.key() + "': " + d.detail());
                }
            }
            notMoved(source, details);
            return new StepResult(r.bytes(), r.compared(), 0, r.identical(), details);
        }
    }

    /** What the step reads of the source: its state at {@code versions-at}, or without its archived objects ({@code archived: skip}). */
    private static ObjectStore source(ObjectStore opened, ObjectParams p) {
        if (p.versionsAt() != null) {
            return PointInTime.of(opened, Instant.parse(p.versionsAt()));
        }
        return p.skipArchived() ? ArchivedLeftOut.around(opened, p.selection()) : opened;
    }

    /**
     * {@code versions: all}: the part of each key's history the target lacks, in order, delete markers included. The
     * target's own history is the record of what is done, so a rerun, a retry or the cut-over's delta adds only the
     * versions written since, and a target that does not keep versions is refused before anything is written.
     */
    private static StepResult copyVersions(StepContext ctx, ObjectParams p) {
        try (ObjectStore source = open(ctx, p.from(), p); ObjectStore target = open(ctx, p.to(), p)) {
            CopyOptions copy = new CopyOptions(p.parallelism(), false, false, ctx.workDir().resolve("copy-journal"),
                    Retry.DEFAULT, p.selection());
            VersionCopier copier = new VersionCopier(source, target, copy, progress(ctx));
            ctx.onCancel(copier::cancel);
            CopySummary r = finished(copier.run(), r0 -> r0.failed() + " keys' histories");
            return new StepResult(r.copiedBytes(), r.copied(), r.skipped(), null, List.of(r.copied() + " versions and delete"
                    + " markers copied, " + r.skipped() + " already in the target's history" + (r.retries() > 0 ? ", "
                    + r.retries() + " retries" : "")));
        }
    }

    /** {@code r} when it finished: a cancel or a failed object (named by {@code failed}) fails the step, all conflicts as one. */
    private static CopySummary finished(CopySummary r, java.util.function.Function<CopySummary, String> failed) {
        if (r.interrupted()) {
            throw new MigratorException(ErrorCode.INTERRUPTED, "cancelled");
        }
        if (r.failed() > 0) {
            CopySummary.Failure f = r.failures().get(0);
            boolean conflicts = r.failures().stream().allMatch(x -> x.code().equals(ErrorCode.CONFLICT.name()));
            throw new MigratorException(conflicts ? ErrorCode.CONFLICT : ErrorCode.FAILED, failed.apply(r) + " failed, first: " + f.message());
        }
        return r;
    }

    /** {@code archived: skip}: the archived objects left out, as not moved (the first 20 by name). */
    private static void notMoved(ObjectStore source, List<String> details) {
        List<String> left = ArchivedLeftOut.leftOut(source);
        if (!left.isEmpty()) {
            details.add(left.size() + " archived objects not moved (archived: skip): " + String.join(", ", left.subList(0,
                    Math.min(20, left.size()))) + (left.size() > 20 ? ", ..." : "") + "; restore them and run again to move them");
        }
    }
}
