package dev.migrator.plan.steps;

import dev.migrator.plan.executor.StepKind;
import dev.migrator.plan.executor.StepKinds;
import dev.migrator.plan.executor.StepResult;
import dev.migrator.plan.planner.BundleParams;
import dev.migrator.plan.planner.DatabaseParams;
import dev.migrator.plan.planner.HookParams;
import dev.migrator.plan.planner.TtlParams;
import dev.migrator.plan.planner.ObjectParams;
import dev.migrator.plan.planner.RestoreParams;
import dev.migrator.plan.planner.BucketSettingsParams;
import dev.migrator.plan.planner.StepParams;

/** The step kinds this build runs: name, parameter record, whether it verifies, action — one {@link StepKinds#register} each. */
public final class StandardSteps {
    private StandardSteps() {
    }

    public static StepKinds kinds() {
        return new StepKinds()
                .register(StepKind.simple(StepParams.BARRIER, false, (ctx, none) -> StepResult.of()))
                .register(new StepKind<>(ObjectParams.COPY, ObjectParams.class, false, ObjectSteps::copy))
                .register(new StepKind<>(ObjectParams.VERIFY, ObjectParams.class, true, ObjectSteps::verify))
                .register(new StepKind<>(RestoreParams.RESTORE, RestoreParams.class, false, RestoreStep::run))
                .register(new StepKind<>(BucketSettingsParams.BUCKET_SETTINGS, BucketSettingsParams.class, false, BucketSettingsStep::run))
                .register(new StepKind<>(HookParams.HOOK, HookParams.class, false, HookStep::run))
                .register(new StepKind<>(TtlParams.LOWER_TTL, TtlParams.class, false, HookStep::lowerTtl))
                .register(new StepKind<>(TtlParams.TTL_WAIT, TtlParams.class, false, HookStep::ttlWait))
                .register(new StepKind<>(DatabaseParams.DB_COPY, DatabaseParams.class, false, DatabaseSteps::copy))
                .register(new StepKind<>(DatabaseParams.DB_DUMP, DatabaseParams.class, false, DatabaseSteps::dump))
                .register(new StepKind<>(DatabaseParams.DB_RESTORE, DatabaseParams.class, false, DatabaseSteps::restore))
                .register(new StepKind<>(DatabaseParams.DB_VERIFY, DatabaseParams.class, true, DatabaseSteps::verify))
                .register(new StepKind<>(DatabaseParams.DB_REPLICATE, DatabaseParams.class, false, DatabaseSteps::replicate))
                .register(new StepKind<>(DatabaseParams.DB_CUTOVER, DatabaseParams.class, true, DatabaseSteps::cutover))
                .register(new StepKind<>(BundleParams.BUNDLE_PACK, BundleParams.class, false, BundleSteps::pack))
                .register(new StepKind<>(BundleParams.BUNDLE_RESTORE, BundleParams.class, false, BundleSteps::restore));
    }
}
