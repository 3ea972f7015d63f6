package dev.migrator.cli;

import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The plan file and its run's state directory, as {@code run}, {@code drill} and {@code status} take them. */
final class PlanArgs {
    @Parameters(index = "0", paramLabel = "PLAN", description = "The plan file (YAML).")
    Path file;

    @Option(names = "--state", paramLabel = "DIR",
            description = "The run's journal, frozen plan and report. Default: PLAN.state beside the plan.")
    Path state;

    Plan parse() {
        return PlanParser.parse(file);
    }

    /** {@code --state}, else {@code PLAN.state} beside the plan. */
    Path stateDir() {
        return state != null ? state : PlanRunner.defaultState(file);
    }
}
