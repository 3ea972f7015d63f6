package dev.migrator.cli;

import dev.migrator.plan.Drill;
import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.report.RunReport;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "drill", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Rehearse the plan: run both phases into the drill section's scratch targets, verify everything,",
            "and report the measured recovery time (RTO) and freeze window against the estimate and the deadline.",
            "Exit code: 0 verified within the deadline, 3 verification found differences, 1 deadline missed or failed.",
            "Scratch object stores are emptied afterwards unless --keep. Hooks run only if the drill section says hooks: true."})
final class DrillCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PLAN", description = "The plan file (YAML) with a 'drill' section.")
    Path file;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write JUnit XML (one test case per step, verification and deadline).")
    Path junit;

    @Option(names = "--keep", description = "Keep what the drill wrote to the scratch targets.")
    boolean keep;

    @Option(names = "--state", paramLabel = "DIR", description = "Where the drill's journal and report go (in DIR/drill). Default: PLAN.state beside the plan.")
    Path state;

    @Option(names = "--json", description = "Print the report as JSON on stdout.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress lines.")
    boolean quiet;

    @Override
    public Integer call() {
        Plan plan = PlanParser.parse(file);
        Drill.scratchPlan(plan); // no drill section: bad input before anything runs
        Path dir = (state != null ? state : PlanRunner.defaultState(file)).resolve("drill");
        RunReport report = RunCommand.execute(dir, EnumSet.allOf(Phase.class), false, json, quiet,
                options -> Drill.run(plan, options, keep, junit));
        if (junit != null && !json) {
            System.out.println("JUnit XML: " + junit);
        }
        return report.exitCode();
    }
}
