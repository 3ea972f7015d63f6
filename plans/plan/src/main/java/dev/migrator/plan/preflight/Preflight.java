package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanOverlaps;
import dev.migrator.plan.planner.Inventory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code migrator preflight}, and the start of {@code run} and {@code drill}: every check of a plan's readiness,
 * in a fixed order (access first: the others reuse what it opened). One place lists them.
 */
public final class Preflight {
    private Preflight() {
    }

    /** The checks, in the order they run and report. */
    public static List<Check> checks() {
        return List.of(new StoreAccessCheck(), new BucketCheck(), new FreeSpaceCheck(), new ClockSkewCheck(), new DatabaseAccessCheck(),
                new DatabaseToolsCheck(), new ReplicationCheck(), new PrimaryKeyCheck(), new LongTransactionCheck(),
                new ExtensionCheck(), new HookCheck());
    }

    /**
     * Runs every check against {@code plan} as it will run (for a drill, its scratch plan). Overlapping
     * locations are refused first ({@link PlanOverlaps}), since the probe writes into targets.
     */
    public static PreflightReport run(Plan plan, Inventory.Source sizes) {
        return run(plan, sizes, Clock.systemUTC(), checks());
    }

    public static PreflightReport run(Plan plan, Inventory.Source sizes, Clock clock, List<Check> checks) {
        PlanOverlaps.refuse(plan, true);
        long t0 = System.nanoTime();
        List<Finding> findings = new ArrayList<>();
        try (PreflightContext ctx = new PreflightContext(plan, sizes, clock)) {
            for (Check c : checks) {
                c.run(ctx, findings::add);
            }
        }
        return new PreflightReport(plan.name(), findings, (System.nanoTime() - t0) / 1e9);
    }
}
