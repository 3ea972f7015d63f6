package dev.migrator.plan.steps;

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
import dev.migrator.plan.planner.ObjectParams;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.Retry;
import java.util.List;
import java.util.Map;

/**
 * Object moves through a bundle on a staging store (docs/bundle-format.md): {@code bundle-pack} writes the
 * whole source as a bundle under {@code STAGING/<move>/}, resuming from its own journal in the step's
 * directory; {@code bundle-restore} checks the bundle and restores it into the target, skipping objects
 * already identical there. The cut-over's delta and verify then run directly against the source.
 */
final class BundleSteps {
    private BundleSteps() {
    }

    /** The move's bundle location: a folder named after the move inside the staging URI (before any query). */
    static String bundleUri(StepContext ctx, ObjectParams p) {
        String staging = p.staging();
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
             ObjectStore staging = Stores.open(bundleUri(ctx, p), ObjectSteps.storeOptions(p))) {
            BundleOptions options = BundleOptions.defaults(ctx.workDir().resolve("bundle-state"));
            BundleRef ref = new BundleWriter(staging, options, ObjectSteps.progress(ctx)).create(List.of(new BundleSource.Objects(source)));
            return new StepResult(ref.bytes(), ref.entries(), 0, null, List.of(ref.entries() + " objects in " + ref.parts()
                    + " parts at " + staging.displayUri()));
        }
    }

    static StepResult restore(StepContext ctx, ObjectParams p) {
        try (ObjectStore staging = Stores.open(bundleUri(ctx, p), ObjectSteps.storeOptions(p));
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
}
