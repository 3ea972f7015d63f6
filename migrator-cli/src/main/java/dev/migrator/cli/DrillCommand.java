package dev.migrator.cli;

import dev.migrator.plan.Drill;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.report.RunReport;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "drill", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Rehearse the plan into scratch targets and report the measured recovery time (RTO).",
            "Runs both phases into the drill section's scratch targets, verifies everything, and reports the RTO",
            "and freeze window against the estimate and the deadline.",
            "Exit code: 0 verified within the deadline, 3 verification found differences, 1 deadline missed or failed.",
            "Scratch object stores are emptied afterwards unless --keep. Hooks run only if the drill section says hooks: true.",
            "The drill's journal and report go into STATE/drill."})
final class DrillCommand implements Callable<Integer> {
    @Mixin
    PlanArgs plan;

    @Mixin
    OutputArgs output;

    @Mixin
    MetricsArgs metrics;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write JUnit XML (one test case per step, verification and deadline).")
    Path junit;

    @Option(names = "--keep", description = "Keep what the drill wrote to the scratch targets.")
    boolean keep;

    @Option(names = "--skip-preflight", description = "Start without the checks of 'migrator preflight --drill'.")
    boolean skipPreflight;

    @Override
    public Integer call() {
        Plan parsed = plan.parse();
        Plan scratch = Drill.scratchPlan(parsed); // no drill section: bad input before anything runs
        Runnable preflight = skipPreflight ? () -> { } : () -> PreflightCommand.require(scratch, "drill");
        RunReport report = RunCommand.execute(plan.stateDir().resolve("drill"), EnumSet.allOf(Phase.class), false, output, metrics,
                options -> Drill.run(parsed, options, keep, junit, preflight));
        if (junit != null && !output.json) {
            System.out.println("JUnit XML: " + junit);
        }
        return report.exitCode();
    }
}
