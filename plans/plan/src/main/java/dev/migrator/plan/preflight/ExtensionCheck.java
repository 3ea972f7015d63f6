package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Move;
import dev.migrator.provider.Database;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Extensions the source database uses that the target server cannot install: the restore would stop at the first. */
final class ExtensionCheck implements Check {
    @Override
    public String name() {
        return "extensions";
    }

    @Override
    public void run(PreflightContext ctx, Consumer<Finding> out) {
        for (Move m : ctx.plan().moves()) {
            Location from = ctx.plan().location(m.from());
            Location to = ctx.plan().location(m.to());
            if (!from.database()) {
                continue;
            }
            Optional<Database.Facts> a = ctx.factsIfReadable(from);
            Optional<Database.Facts> b = ctx.factsIfReadable(to);
            if (a.isEmpty() || b.isEmpty() || a.get().extensions().isEmpty()) {
                continue;
            }
            List<String> missing = new ArrayList<>(a.get().extensions());
            missing.removeAll(b.get().availableExtensions());
            out.accept(missing.isEmpty()
                    ? new Finding(name(), "move " + m.name(), Status.OK, "the target server can install every extension the source uses ("
                            + String.join(", ", a.get().extensions()) + ")")
                    : new Finding(name(), "move " + m.name(), Status.FAIL, "target " + to.name() + " cannot install "
                            + String.join(", ", missing) + ", which source " + from.name() + " uses; install the packages that provide them"
                            + " on the target server (Debian: e.g. postgresql-" + major(b.get().serverVersion()) + "-postgis-3 for postgis)"));
        }
    }

    private static String major(String version) {
        int dot = version.indexOf('.');
        return dot < 0 ? version : version.substring(0, dot);
    }
}
