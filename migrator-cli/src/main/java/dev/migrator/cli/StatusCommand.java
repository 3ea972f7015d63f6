package dev.migrator.cli;

import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.model.PlanParser;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Show where the last run of a plan stands, from its journal: each step done, running, failed, blocked or pending.")
final class StatusCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PLAN", description = "The plan file (YAML).")
    Path file;

    @Option(names = "--state", paramLabel = "DIR", description = "The run's state directory. Default: PLAN.state beside the plan.")
    Path state;

    @Override
    public Integer call() {
        var plan = PlanParser.parse(file);
        System.out.print(PlanRunner.status(plan, state != null ? state : PlanRunner.defaultState(file)));
        return 0;
    }
}
