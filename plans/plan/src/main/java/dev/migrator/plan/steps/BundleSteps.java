package dev.migrator.plan.steps;

import dev.migrator.bundle.BundleEndpoints;
import dev.migrator.bundle.BundleOptions;
import dev.migrator.bundle.BundleReader;
import dev.migrator.bundle.BundleRef;
import dev.migrator.bundle.BundleSource;
import dev.migrator.bundle.BundleWriter;
import dev.migrator.bundle.Manifest;
import dev.migrator.bundle.RestoreOptions;
import dev.migrator.bundle.RestoreSummary;
import dev.migrator.bundle.RestoreTarget;
import dev.migrator.plan.executor.StepContext;
import dev.migrator.plan.executor.StepResult;
import dev.migrator.plan.planner.DatabaseParams;
import dev.migrator.plan.planner.ObjectParams;
import dev.migrator.provider.Databases;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.provider.Retry;
import java.util.List;
import java.util.Map;

/**
 * Object moves through a bundle on a staging store (docs/bundle-format.md): {@code bundle-pack} writes the
 * whole source as a bundle under {@code STAGING/<move>/}, resuming from its own journal in the step's
 * directory; {@code bundle-restore} checks the bundle and restores it into the target, skipping objects
 * already identical there. The cut-over's delta and verify then run directly against the source.
 *
 * <p>A database move through a bundle ({@code db-bundle-pack}, {@code db-bundle-restore}, in the cut-over)
 * packs the database's dump the same way and restores it into the target database; its {@code db-verify}
 * then compares both databases. Both ends resolve through {@link BundleEndpoints}, as for the CLI.
 */
final class BundleSteps {
    private BundleSteps() {
    }

    /** The move's bundle location: a folder named after the move inside the staging URI (before any query). */
    static String bundleUri(StepContext ctx, String staging) {
        if (staging == null || staging.isEmpty()) {
            throw MigratorException.badInput("move " + ctx.step().move() + " goes through a bundle but names no 'staging' store");
        }
        int q = staging.indexOf('?');
        String path = q < 0 ? staging : staging.substring(0, q);
        String query = q < 0 ? "" : staging.substring(q);
        return path + (path.endsWith("/") ? "" : "/") + ctx.step().move() + "/" + query;
    }

    static StepResult pack(StepContext ctx, ObjectParams p) {
        try (ObjectStore source = ObjectSteps.open(ctx, p.from(), p);
             ObjectStore staging = Stores.open(bundleUri(ctx, p.staging()), ObjectSteps.storeOptions(p))) {
            BundleOptions options = BundleOptions.defaults(ctx.workDir().resolve("bundle-state"));
            BundleRef ref = new BundleWriter(staging, options, ObjectSteps.progress(ctx)).create(List.of(new BundleSource.Objects(source)));
            return new StepResult(ref.bytes(), ref.entries(), 0, null, List.of(ref.entries() + " objects in " + ref.parts()
                    + " parts at " + staging.displayUri()));
        }
    }

    static StepResult restore(StepContext ctx, ObjectParams p) {
        try (ObjectStore staging = Stores.open(bundleUri(ctx, p.staging()), ObjectSteps.storeOptions(p));
             ObjectStore target = ObjectSteps.open(ctx, p.to(), p)) {
            BundleReader reader = BundleReader.open(staging, Retry.DEFAULT, ObjectSteps.progress(ctx));
            Manifest.Header header = reader.inspect();
            String id = header.sources().get(0).id();
            RestoreSummary s = reader.restore(Map.of(id, new RestoreTarget.Objects(target)),
                    new RestoreOptions(p.parallelism(), p.overwrite(),
                            Retry.DEFAULT), ObjectSteps.progress(ctx));
            if (s.conflicts() > 0) {
                throw new MigratorException(ErrorCode.CONFLICT, s.conflicts() + " objects at " + target.displayUri()
                        + " differ from the bundle and were left alone, first: " + (s.problems().isEmpty() ? "?" : s.problems().get(0)));
            }
            return new StepResult(s.restoredBytes(), s.restored(), s.skipped(), null, List.of(s.restored() + " restored, "
                    + s.skipped() + " already identical, each checked against its SHA-256 in the bundle"));
        }
    }

    /**
     * Packs the source database's dump into a bundle at {@code STAGING/<move>/}, resuming from the step's journal.
     * Both ends are checked first (same engine, not one database twice), so no dump is made that the restore would refuse;
     * a target already identical to the source needs no bundle.
     */
    static StepResult packDatabase(StepContext ctx, DatabaseParams p) {
        try (Databases.Pair pair = DatabaseSteps.open(ctx, p, "bundle")) {
            if (DatabaseSteps.done(pair.source(), pair.target())) {
                // a repeated run: packing again would meet the finished bundle at STAGING/<move>/ and refuse it
                return new StepResult(0, 0, 1, null, List.of("target already identical to the source: nothing to pack"));
            }
        }
        try (BundleEndpoints ends = new BundleEndpoints(StoreOptions.DEFAULTS)) {
            ObjectStore staging = ends.store(bundleUri(ctx, p.staging()));
            BundleSource source = ends.source(ctx.locationNamed(p.from()).uri(), DatabaseSteps.dumpOptions(p));
            BundleOptions options = BundleOptions.defaults(ctx.workDir().resolve("bundle-state"));
            BundleRef ref = new BundleWriter(staging, options, ObjectSteps.progress(ctx)).create(List.of(source));
            return new StepResult(ref.bytes(), ref.entries(), 0, null, List.of("dump of " + source.displayUri() + " in "
                    + ref.parts() + " parts at " + staging.displayUri()));
        }
    }

    /**
     * Checks the bundle and restores its dump into the target database. A target already identical to the source
     * (a retried or resumed step) is left as it is; a non-empty target that differs is refused by the adapter (CONFLICT).
     */
    static StepResult restoreDatabase(StepContext ctx, DatabaseParams p) {
        try (Databases.Pair pair = DatabaseSteps.open(ctx, p, "restore")) {
            if (DatabaseSteps.done(pair.source(), pair.target())) {
                return new StepResult(0, 0, 1, null, List.of("target already identical to the source (an earlier attempt finished)"));
            }
        }
        try (BundleEndpoints ends = new BundleEndpoints(StoreOptions.DEFAULTS)) {
            ObjectStore staging = ends.store(bundleUri(ctx, p.staging()));
            BundleReader reader = BundleReader.open(staging, Retry.DEFAULT, ObjectSteps.progress(ctx));
            Manifest.Header header = reader.inspect();
            if (header.sources().size() != 1) {
                throw new MigratorException(ErrorCode.FAILED, "the bundle at " + staging.displayUri() + " holds "
                        + header.sources().size() + " sources; the move's bundle holds one, its database's dump");
            }
            RestoreTarget target = ends.target(ctx.locationNamed(p.to()).uri(), false);
            // The dump is staged in the step's directory between reading and restoring (not in /tmp).
            RestoreSummary s = reader.restore(Map.of(header.sources().get(0).id(), target),
                    new RestoreOptions(1, false, Retry.DEFAULT, ctx.workDir().resolve("restore-state")), ObjectSteps.progress(ctx));
            return new StepResult(s.restoredBytes(), s.restored(), 0, null, List.of("restored into " + target.displayUri()
                    + ", checked against its SHA-256 in the bundle"));
        }
    }
}
