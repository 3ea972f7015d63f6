package dev.migrator.plan.steps;

import dev.migrator.plan.executor.StepContext;
import dev.migrator.plan.executor.StepResult;
import dev.migrator.plan.planner.Step;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Providers;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.transfer.CopyOptions;
import dev.migrator.transfer.CopySummary;
import dev.migrator.transfer.Copier;
import dev.migrator.transfer.Difference;
import dev.migrator.transfer.Progress;
import dev.migrator.transfer.Selection;
import dev.migrator.transfer.VerifyReport;
import dev.migrator.transfer.Verifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/** Object store steps: copy (pre-copy and cut-over delta) through {@link Copier}, verify through {@link Verifier}. */
final class ObjectSteps {
    private ObjectSteps() {
    }

    static Selection selection(Step s) {
        return new Selection(lines(s.param("include")), lines(s.param("exclude")), blankToNull(s.param("key-from")),
                blankToNull(s.param("key-to")));
    }

    static StoreOptions storeOptions(Step s) {
        String part = s.param("part-size");
        return new StoreOptions(part == null ? StoreOptions.DEFAULT_PART_SIZE : Long.parseLong(part), 4, Retry.DEFAULT);
    }

    /**
     * Copies the step's selection; objects already identical at the target are skipped, so the same step is
     * the bulk pre-copy and the cut-over delta. With {@code delete-extraneous}, the delta then deletes target
     * objects in the selection that the source no longer has; without it, those are left for verify to report.
     */
    static StepResult copy(StepContext ctx) {
        Step s = ctx.step();
        Selection selection = selection(s);
        StoreOptions options = storeOptions(s);
        try (ObjectStore source = Providers.objectStore(ctx.location("from").uri(), options);
             ObjectStore target = Providers.objectStore(ctx.location("to").uri(), options)) {
            CopyOptions copy = new CopyOptions(Integer.parseInt(s.param("parallelism")), Boolean.parseBoolean(s.param("overwrite")),
                    false, ctx.workDir().resolve("copy-journal"), Retry.DEFAULT, selection);
            Copier copier = new Copier(source, target, copy, new Progress() {
                @Override
                public void transferred(long bytes) {
                    ctx.transferred(bytes);
                }
            });
            ctx.onCancel(copier::cancel);
            CopySummary r = copier.run();
            if (r.interrupted()) {
                throw new MigratorException(ErrorCode.INTERRUPTED, "cancelled");
            }
            if (r.failed() > 0) {
                CopySummary.Failure f = r.failures().get(0);
                boolean conflicts = r.failures().stream().allMatch(x -> x.code().equals(ErrorCode.CONFLICT.name()));
                throw new MigratorException(conflicts ? ErrorCode.CONFLICT : ErrorCode.FAILED, r.failed() + " of "
                        + (r.copied() + r.skipped() + r.failed()) + " objects failed, first: " + f.message());
            }
            // Deletions go into the first line: it is the one the console prints when the step is done.
            String deletions = "";
            if (Boolean.parseBoolean(s.param("delete-extraneous"))) {
                long deleted = deleteExtraneous(source, target, selection, ctx);
                deletions = ", " + deleted + " deleted at the target (" + selection + ") because the source no longer has them";
            }
            List<String> details = new ArrayList<>();
            details.add(r.copied() + " copied, " + r.skipped() + " already identical" + deletions + (r.vanished() > 0 ? ", "
                    + r.vanished() + " vanished at the source" : "") + (r.retries() > 0 ? ", " + r.retries() + " retries" : ""));
            return new StepResult(r.copiedBytes(), r.copied(), r.skipped(), null, details);
        }
    }

    /**
     * Deletes target objects in {@code selection} that the source does not list; both listings merged in key order.
     * Only keys the selection contains are ever deleted (its prefixes and its shard's range), so a shard or a move
     * with includes never prunes another's objects; the plan refused targets that overlap a source.
     */
    private static long deleteExtraneous(ObjectStore source, ObjectStore target, Selection selection, StepContext ctx) {
        long deleted = 0;
        try (Stream<ObjectInfo> a = source.list(""); Stream<ObjectInfo> b = target.list("")) {
            Iterator<ObjectInfo> ia = a.iterator();
            String x = next(ia, selection);
            for (Iterator<ObjectInfo> ib = b.iterator(); ib.hasNext() && !ctx.cancelled(); ) {
                String y = ib.next().key();
                if (selection.pastEnd(y)) {
                    break; // the rest of the target belongs to later shards
                }
                if (!selection.contains(y)) {
                    continue;
                }
                while (x != null && Keys.ORDER.compare(x, y) < 0) {
                    x = next(ia, selection);
                }
                if (x == null || !x.equals(y)) {
                    target.delete(y);
                    deleted++;
                }
            }
        }
        return deleted;
    }

    private static String next(Iterator<ObjectInfo> it, Selection selection) {
        while (it.hasNext()) {
            String k = it.next().key();
            if (selection.contains(k)) {
                return k;
            }
        }
        return null;
    }

    /** Compares the selection on both sides; differences fail the step (not retried). */
    static StepResult verify(StepContext ctx) {
        Step s = ctx.step();
        StoreOptions options = storeOptions(s);
        try (ObjectStore source = Providers.objectStore(ctx.location("from").uri(), options);
             ObjectStore target = Providers.objectStore(ctx.location("to").uri(), options)) {
            VerifyReport r = new Verifier(source, target, Integer.parseInt(s.param("parallelism")), Retry.DEFAULT, Progress.NONE,
                    selection(s)).run();
            List<String> details = new ArrayList<>();
            if (r.identical()) {
                details.add(r.compared() + " objects identical (keys, sizes, checksums, metadata)");
            } else {
                details.add(r.differenceCount() + " differences in " + r.sourceCount() + " objects");
                for (Difference d : r.differences().subList(0, Math.min(20, r.differences().size()))) {
                    details.add(d.kind() + " '" + d.key() + "': " + d.detail());
                }
            }
            return new StepResult(r.bytes(), r.compared(), 0, r.identical(), details);
        }
    }

    private static List<String> lines(String v) {
        return v == null || v.isEmpty() ? List.of() : Arrays.asList(v.split("\n"));
    }

    private static String blankToNull(String v) {
        return v == null || v.isEmpty() ? null : v;
    }
}
