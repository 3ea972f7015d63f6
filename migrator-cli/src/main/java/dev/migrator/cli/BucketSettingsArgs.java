package dev.migrator.cli;

import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code copy --bucket-settings}: carries the source bucket's settings that have an equivalent at the target. */
final class BucketSettingsArgs {
    @Option(names = "--bucket-settings", description = {"Also apply SRC's bucket settings to DST where DST has an equivalent"
            + " (CORS, website documents, lifecycle rules that map, versioning) and print the rest (public access, policy,"
            + " what DST's server lacks) as actions for the operator."})
    boolean enabled;

    /** Refuses the option, before anything is copied, when SRC or DST has no bucket settings. */
    void check(ObjectStore source, ObjectStore target) {
        if (enabled) {
            access(source, "to copy");
            access(target, "to set");
        }
    }

    private static BucketSettings.Access access(ObjectStore store, String what) {
        return store.bucketSettings().orElseThrow(() -> MigratorException.badInput(
                "--bucket-settings: " + store.displayUri() + " has no bucket settings " + what + "; drop the option"));
    }

    /**
     * Reads SRC's settings and applies them to DST (with {@code dryRun}, only says what it would apply); returns the
     * operator's actions, printed to {@code out}. Nothing when the option is not given.
     */
    List<String> apply(ObjectStore source, ObjectStore target, boolean dryRun, PrintStream out) {
        if (!enabled) {
            return List.of();
        }
        BucketSettings.Access from = access(source, "to copy");
        BucketSettings.Access to = access(target, "to set");
        BucketSettings settings = from.read();
        if (dryRun) {
            out.println("Bucket settings that would be applied to " + target.displayUri() + ": " + settings);
            return List.of();
        }
        List<String> actions = to.apply(settings);
        out.println("Bucket settings: applied what " + target.displayUri() + " has an equivalent for; "
                + (actions.isEmpty() ? "nothing left to do by hand." : actions.size() + " actions for the operator:"));
        actions.forEach(a -> out.println("  ACTION " + a));
        return actions;
    }
}
