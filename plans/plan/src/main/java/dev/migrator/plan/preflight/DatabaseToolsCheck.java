package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Location;
import dev.migrator.provider.Database;
import java.util.function.Consumer;

/** The dump tool for each source database and the restore tool for each target, as the adapter would pick them, against the server's version. */
final class DatabaseToolsCheck implements Check {
    @Override
    public String name() {
        return "database-tools";
    }

    @Override
    public void run(PreflightContext ctx, Consumer<Finding> out) {
        for (Location l : ctx.locations(true)) {
            String use = ctx.isSource(l) ? "dump" : "restore";
            String subject = (ctx.isSource(l) ? "source " : "target ") + l.name();
            ctx.factsIfReadable(l).ifPresent(f -> {
                for (Database.ToolCheck t : f.tools()) {
                    if (!t.use().equals(use)) {
                        continue;
                    }
                    out.accept(t.problem() == null
                            ? new Finding(name(), subject, Status.OK, t.name() + " " + t.version() + " (" + t.path() + ") for server "
                                    + f.serverVersion())
                            : new Finding(name(), subject, Status.FAIL, t.problem()));
                }
            });
        }
    }
}
