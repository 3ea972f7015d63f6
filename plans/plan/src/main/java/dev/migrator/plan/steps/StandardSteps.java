package dev.migrator.plan.steps;

import dev.migrator.plan.executor.StepKinds;

/** The step kinds this build runs, one {@link StepKinds#register} each. */
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
                .register("db-verify", DatabaseSteps::verify)
                .register("bundle-pack", BundleSteps::pack)
                .register("bundle-restore", BundleSteps::restore);
    }
}
