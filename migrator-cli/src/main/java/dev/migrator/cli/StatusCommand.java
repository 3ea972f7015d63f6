package dev.migrator.cli;

import dev.migrator.plan.PlanRunner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "status", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Show where the last run of a plan stands, from its journal: each step done, running, failed, blocked or pending.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    PlanArgs plan;

    @Override
    public Integer call() {
        System.out.print(PlanRunner.status(plan.parse(), plan.stateDir()));
        return 0;
    }
}
