package dev.migrator.plan.steps;

import dev.migrator.plan.executor.StepContext;
import dev.migrator.plan.executor.StepResult;
import dev.migrator.plan.planner.BucketSettingsParams;
import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.util.ArrayList;
import java.util.List;

/** {@code bucket-settings: true}: the source bucket's settings applied to the target; what has no equivalent is reported. */
final class BucketSettingsStep {
    private BucketSettingsStep() {
    }

    static StepResult run(StepContext ctx, BucketSettingsParams p) {
        try (ObjectStore source = Stores.open(ctx.locationNamed(p.from()).uri(), StoreOptions.DEFAULTS);
             ObjectStore target = Stores.open(ctx.locationNamed(p.to()).uri(), StoreOptions.DEFAULTS)) {
            BucketSettings settings = access(source, "to copy").read();
            List<String> actions = access(target, "to set").apply(settings);
            List<String> details = new ArrayList<>();
            details.add("bucket settings applied where " + target.displayUri() + " has an equivalent; "
                    + (actions.isEmpty() ? "nothing left to do by hand" : actions.size() + " actions for the operator"));
            actions.forEach(a -> details.add("ACTION " + a));
            return new StepResult(0, 0, 0, null, details);
        }
    }

    private static BucketSettings.Access access(ObjectStore store, String what) {
        return store.bucketSettings().orElseThrow(() -> MigratorException.badInput("bucket-settings: " + store.displayUri()
                + " has no bucket settings " + what + "; remove 'bucket-settings' from the move"));
    }
}
