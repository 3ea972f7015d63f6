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
import dev.migrator.plan.planner.BundleParams;
import dev.migrator.provider.Databases;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves through a bundle on a staging store (docs/bundle-format.md). {@code bundle-pack} snapshots the source of
 * every member move (buckets and database dumps alike) into one bundle at {@code STAGING/<bundle>/}, resuming
 * from its own journal in the step's directory; {@code bundle-restore} checks the bundle and restores each
 * member's source, {@code s1}, {@code s2}, ... in member order, into that member's target, skipping objects already
 * identical there. The members' cut-over delta and verify (objects) or {@code db-verify} (databases) then compare
 * source and target directly. Both ends resolve through {@link BundleEndpoints}, as for the CLI.
 */
final class BundleSteps {
    private BundleSteps() {
    }

    /** The bundle's location: a folder named after it inside the staging URI (before any query). */
    static String bundleUri(BundleParams p) {
        if (p.staging() == null || p.staging().isEmpty()) {
            throw MigratorException.badInput("bundle " + p.bundle() + " names no 'staging' store");
        }
        int q = p.staging().indexOf('?');
        String path = q < 0 ? p.staging() : p.staging().substring(0, q);
        String query = q < 0 ? "" : p.staging().substring(q);
        return path + (path.endsWith("/") ? "" : "/") + p.bundle() + "/" + query;
    }

    /** How the staging store is opened: with the first object member's part size (a bundle of databases takes the defaults). */
    private static StoreOptions stagingOptions(BundleParams p) {
        return p.members().stream().filter(m -> m.objects() != null).findFirst()
                .map(m -> ObjectSteps.storeOptions(m.objects())).orElse(StoreOptions.DEFAULTS);
    }

    /**
     * Packs every member's source into the bundle. A bundle of databases only whose targets already equal their
     * sources (a repeated run) needs no new bundle: packing again would meet the finished one and refuse it.
     */
    static StepResult pack(StepContext ctx, BundleParams p) {
        if (p.members().stream().allMatch(m -> m.database() != null && identical(ctx, m, "bundle"))) {
            return new StepResult(0, 0, 1, null, List.of("every target database is already identical to its source: nothing to pack"));
        }
        try (BundleEndpoints ends = new BundleEndpoints(stagingOptions(p))) {
            ObjectStore staging = ends.store(bundleUri(p));
            List<BundleSource> sources = new ArrayList<>();
            for (BundleParams.Member m : p.members()) {
                String uri = ctx.locationNamed(m.from()).uri();
                if (m.database() != null) {
                    // Checked before anything is dumped (same engine, not one database twice): a dump the restore would refuse is not worth its time.
                    Databases.open(uri, ctx.locationNamed(m.to()).uri(), "bundle").close();
                    sources.add(ends.source(uri, DatabaseSteps.dumpOptions(m.database())));
                } else {
                    sources.add(new BundleSource.Objects(ends.store(uri)));
                }
            }
            BundleWriter writer = new BundleWriter(staging, BundleOptions.defaults(ctx.workDir().resolve("bundle-state")),
                    ObjectSteps.progress(ctx));
            ctx.onCancel(writer::cancel);
            BundleRef ref = writer.create(sources);
            return new StepResult(ref.bytes(), ref.entries(), 0, null, List.of(ref.entries() + " entries of " + sources.size()
                    + " source(s) in " + ref.parts() + " parts at " + staging.displayUri()));
        }
    }

    /**
     * Checks the bundle and restores each member's source into its target. A target database already identical to
     * its source (a retried or resumed step) is left as it is; a non-empty one that differs is refused by the adapter
     * (CONFLICT), and so is a target object that differs from the bundle's.
     */
    static StepResult restore(StepContext ctx, BundleParams p) {
        try (BundleEndpoints ends = new BundleEndpoints(stagingOptions(p))) {
            ObjectStore staging = ends.store(bundleUri(p));
            BundleReader reader = BundleReader.open(staging, Retry.DEFAULT, ObjectSteps.progress(ctx));
            Manifest.Header header = reader.inspect();
            if (header.sources().size() != p.members().size()) {
                throw new MigratorException(ErrorCode.FAILED, "the bundle at " + staging.displayUri() + " holds "
                        + header.sources().size() + " sources; bundle " + p.bundle() + " packs " + p.members().size()
                        + " (" + String.join(", ", p.members().stream().map(BundleParams.Member::move).toList()) + ")");
            }
            Map<String, RestoreTarget> targets = new LinkedHashMap<>();
            List<String> untouched = new ArrayList<>();
            int parallelism = 1;
            boolean overwrite = false;
            for (int i = 0; i < p.members().size(); i++) {
                BundleParams.Member m = p.members().get(i);
                String uri = ctx.locationNamed(m.to()).uri();
                if (m.database() != null) {
                    if (identical(ctx, m, "restore")) {
                        untouched.add(m.move());
                        continue;
                    }
                    targets.put(header.sources().get(i).id(), ends.target(uri, false));
                } else {
                    targets.put(header.sources().get(i).id(), new RestoreTarget.Objects(ends.store(uri)));
                    parallelism = Math.max(parallelism, m.objects().parallelism());
                    overwrite |= m.objects().overwrite();
                }
            }
            // A database dump is staged in the step's directory between reading and restoring (not in /tmp).
            RestoreSummary s = reader.restore(targets, new RestoreOptions(parallelism, overwrite, Retry.DEFAULT,
                    ctx.workDir().resolve("restore-state")), ObjectSteps.progress(ctx));
            if (s.conflicts() > 0) {
                throw new MigratorException(ErrorCode.CONFLICT, s.conflicts() + " objects differ from the bundle at their target"
                        + " and were left alone, first: " + (s.problems().isEmpty() ? "?" : s.problems().get(0)));
            }
            List<String> notes = new ArrayList<>();
            notes.add(s.restored() + " restored, " + s.skipped() + " already identical, each checked against its SHA-256 in the bundle");
            if (!untouched.isEmpty()) {
                notes.add("already identical, not restored again: " + String.join(", ", untouched));
            }
            return new StepResult(s.restoredBytes(), s.restored(), s.skipped() + untouched.size(), null, notes);
        }
    }

    private static boolean identical(StepContext ctx, BundleParams.Member m, String verb) {
        try (Databases.Pair pair = DatabaseSteps.open(ctx, m.database(), verb)) {
            return DatabaseSteps.done(pair.source(), pair.target());
        }
    }
}
