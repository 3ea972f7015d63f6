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

    @Option(names = "--eta-tolerance", paramLabel = "PERCENT",
            description = {"Fail (exit 1, a JUnit failure) when the whole run, the pre-copy or the freeze window takes more",
                "than this far from its estimate, e.g. 15%."})
    String etaTolerance;

    @Option(names = "--step-tolerance", paramLabel = "PERCENT", description = "The same for each step, e.g. 25%.")
    String stepTolerance;

    @Override
    public Integer call() {
        Drill.Eta eta = new Drill.Eta(percent(etaTolerance, "--eta-tolerance"), percent(stepTolerance, "--step-tolerance"));
        Plan parsed = plan.parse();
        Plan scratch = Drill.scratchPlan(parsed); // no drill section: bad input before anything runs
        Runnable preflight = skipPreflight ? () -> { } : () -> PreflightCommand.require(scratch, "drill");
        RunReport report = RunCommand.execute(plan.stateDir().resolve("drill"), EnumSet.allOf(Phase.class), false, output, metrics,
                scratch, parsed.drill().deadline() != null ? parsed.drill().deadline() : parsed.deadlineIn(),
                options -> Drill.run(parsed, options, keep, junit, eta, preflight));
        if (junit != null && !output.json) {
            System.out.println("JUnit XML: " + junit);
        }
        int code = report.exitCode();
        return code == 0 && !eta.misses(report).isEmpty() ? dev.migrator.provider.ErrorCode.FAILED.exitCode() : code;
    }

    /** {@code 15%} or {@code 0.15} as a fraction; null: NaN (unchecked). */
    static double percent(String text, String option) {
        if (text == null) {
            return Double.NaN;
        }
        String t = text.trim();
        try {
            double v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100 : Double.parseDouble(t);
            if (v > 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw dev.migrator.provider.MigratorException.badInput(option + " '" + text + "': expected a positive percentage such as 15%");
    }
}
