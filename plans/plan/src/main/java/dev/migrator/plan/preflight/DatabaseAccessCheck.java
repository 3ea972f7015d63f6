package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Location;
import dev.migrator.provider.Database;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Redaction;
import java.util.function.Consumer;

/** Each database: credentials accepted, server reachable, the source database there (a target may be created by the restore). */
final class DatabaseAccessCheck implements Check {
    @Override
    public String name() {
        return "database-access";
    }

    @Override
    public void run(PreflightContext ctx, Consumer<Finding> out) {
        for (Location l : ctx.locations(true)) {
            boolean source = ctx.isSource(l);
            String subject = (source ? "source " : "target ") + l.name();
            String shown = Redaction.uri(l.uri());
            Database.Facts f;
            try {
                f = ctx.facts(l);
            } catch (MigratorException e) {
                String what = switch (e.code()) {
                    case AUTH -> "credentials rejected";
                    case NOT_FOUND -> "does not exist";
                    default -> "not reachable";
                };
                out.accept(new Finding(name(), subject, Status.FAIL, shown + ": " + what + ": " + e.getMessage()));
                continue;
            }
            if (source && !f.exists()) {
                out.accept(new Finding(name(), subject, Status.FAIL, shown + ": the server answers but the database does not exist;"
                        + " check its name"));
            } else {
                out.accept(new Finding(name(), subject, Status.OK, shown + ": credentials accepted, server " + f.serverVersion()
                        + (f.exists() ? "" : "; the database does not exist yet and the restore creates it")));
            }
        }
    }
}
