package dev.migrator.plan.steps;

import dev.migrator.plan.executor.StepKinds;

/** The step kinds this build runs. Bundle kinds (bundle-pack, bundle-restore) are planned but not registered yet. */
public final class StandardSteps {
    private StandardSteps() {
    }

    public static StepKinds kinds() {
        return new StepKinds()
                .register("barrier", ctx -> dev.migrator.plan.executor.StepResult.of())
                .register("copy", ObjectSteps::copy)
                .register("verify", ObjectSteps::verify)
                .register("hook", HookStep::run)
                .register("db-copy", DatabaseSteps::copy)
                .register("db-dump", DatabaseSteps::dump)
                .register("db-restore", DatabaseSteps::restore)
                .register("db-verify", DatabaseSteps::verify);
    }
}
