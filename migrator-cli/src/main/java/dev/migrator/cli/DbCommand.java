package dev.migrator.cli;

import dev.migrator.provider.Database;
import dev.migrator.provider.Replication;
import dev.migrator.provider.Stores;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code migrator db ...}: database housekeeping. */
@Command(name = "db", mixinStandardHelpOptions = true, description = "Database housekeeping.",
        subcommands = DbCommand.Slots.class)
final class DbCommand {

    @Command(name = "slots", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"List the replication slots migrator left on a database's server (copy --follow, via: replicate).",
                "A slot keeps the source's WAL until it is dropped: drop the ones you gave up with --drop NAME."})
    static final class Slots implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "URI", description = "The source database, e.g. postgresql://user@host:5432/db.")
        String uri;

        @Option(names = "--drop", paramLabel = "NAME", description = "Drop this slot and its publication.")
        String drop;

        @Mixin
        OutputArgs output;

        @Override
        public Integer call() {
            try (Database db = Stores.database(StoreArgs.toUri(uri))) {
                if (drop != null) {
                    db.dropReplicationSlot(drop);
                    System.out.println("Dropped slot " + drop + " and its publication on " + db.displayUri() + ".");
                    return 0;
                }
                List<Replication.Slot> slots = db.replicationSlots();
                if (output.json) {
                    System.out.println(Json.write(slots));
                    return 0;
                }
                if (slots.isEmpty()) {
                    System.out.println("No migrator replication slots on " + db.displayUri() + ".");
                    return 0;
                }
                for (Replication.Slot s : slots) {
                    System.out.printf("%s  database %s  %s  retains %s  -> %s%n", s.name(), s.database(),
                            s.active() ? "active" : "idle", Human.bytes(s.retainedBytes()), s.target());
                }
                System.out.println("Drop one with: migrator db slots " + db.displayUri() + " --drop NAME");
                return 0;
            }
        }
    }
}
