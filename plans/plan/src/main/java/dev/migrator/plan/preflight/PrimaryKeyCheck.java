package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Move;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tables without a primary key in each source database. Change capture cannot apply an update or a delete
 * to a row it cannot identify, so for a replicate move they are a WARN naming them; a dump copies them fine.
 */
final class PrimaryKeyCheck implements Check {
    private static final int SHOWN = 5;

    private static String count(int n) {
        return n == 1 ? "1 table has" : n + " tables have";
    }

    @Override
    public String name() {
        return "primary-keys";
    }

    @Override
    public void run(PreflightContext ctx, Consumer<Finding> out) {
        for (Move m : ctx.plan().moves()) {
            Location from = ctx.plan().location(m.from());
            if (!from.database()) {
                continue;
            }
            ctx.factsIfReadable(from).ifPresent(f -> {
                List<String> tables = f.tablesWithoutPrimaryKey();
                String subject = "move " + m.name();
                if (tables.isEmpty()) {
                    out.accept(new Finding(name(), subject, Status.OK, "every table of " + from.name() + " has a primary key"));
                    return;
                }
                String named = String.join(", ", tables.subList(0, Math.min(SHOWN, tables.size())))
                        + (tables.size() > SHOWN ? " and " + (tables.size() - SHOWN) + " more" : "");
                out.accept(ReplicationCheck.replicates(m)
                        ? new Finding(name(), subject, Status.WARN, "source " + from.name() + ": " + count(tables.size()) + " no primary key ("
                                + named + "): their updates and deletes cannot be replicated; add a primary key"
                                + " (PostgreSQL: or ALTER TABLE ... REPLICA IDENTITY FULL)")
                        : new Finding(name(), subject, Status.OK, "source " + from.name() + ": " + count(tables.size()) + " no primary key ("
                                + named + "); a dump copies them, only a replicate move would need one"));
            });
        }
    }
}
