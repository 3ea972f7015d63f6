package dev.migrator.cli;

import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.shared.SharedRun;
import dev.migrator.plan.shared.StoreState;
import dev.migrator.plan.steps.StandardSteps;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Show where the last run of a plan stands, from its journal: each step done, running, failed, blocked or pending.",
            "With --workers (or a --state URI), from the state the workers share, on any machine."})
final class StatusCommand implements Callable<Integer> {
    @Mixin
    PlanArgs plan;

    @Option(names = "--workers", description = "Read the state workers share (implied by an s3:// or gs:// --state).")
    boolean workers;

    @Override
    public Integer call() {
        if (workers || plan.stateIsRemote()) {
            try (StoreState state = StoreState.open(plan.sharedState())) {
                System.out.print(SharedRun.status(plan.parse(), state, StandardSteps.kinds()));
            }
            return 0;
        }
        System.out.print(PlanRunner.status(plan.parse(), plan.stateDir()));
        return 0;
    }
}
