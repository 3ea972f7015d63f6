package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Location;
import dev.migrator.provider.Database;
import java.util.function.Consumer;

/**
 * Transactions open for minutes on a source database: a dump's snapshot and a replication slot wait for
 * them, and DDL in them can block the dump's locks. A WARN naming them.
 */
final class LongTransactionCheck implements Check {
    @Override
    public String name() {
        return "long-transactions";
    }

    @Override
    public void run(PreflightContext ctx, Consumer<Finding> out) {
        for (Location l : ctx.locations(true)) {
            if (!ctx.isSource(l)) {
                continue;
            }
            ctx.factsIfReadable(l).ifPresent(f -> out.accept(f.longTransactions().isEmpty()
                    ? new Finding(name(), "source " + l.name(), Status.OK, "no transaction open longer than "
                            + Database.Facts.LONG_TRANSACTION_MINUTES + " min")
                    : new Finding(name(), "source " + l.name(), Status.WARN, f.longTransactions().size() + " transactions open longer than "
                            + Database.Facts.LONG_TRANSACTION_MINUTES + " min (" + String.join("; ", f.longTransactions().subList(0,
                            Math.min(3, f.longTransactions().size()))) + "): the dump waits behind them; end them"
                            + " (pg_terminate_backend / KILL) or start when they are done")));
        }
    }
}
