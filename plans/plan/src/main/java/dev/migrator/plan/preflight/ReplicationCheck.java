package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Move;
import dev.migrator.provider.Database;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The server settings change capture needs on each source database: PostgreSQL {@code wal_level=logical}, a
 * free replication slot and a WAL sender; MariaDB/MySQL the binary log in ROW format with a server id. A FAIL
 * for a {@code via: replicate} move (it cannot start without them), a WARN for any other database move (the
 * day a replicate move is wanted, these need a restart).
 */
final class ReplicationCheck implements Check {
    private final java.util.function.Predicate<Move> replicating;

    ReplicationCheck() {
        this(ReplicationCheck::replicates);
    }

    /** {@code replicating} says which moves stream changes (a test may say all do). */
    ReplicationCheck(java.util.function.Predicate<Move> replicating) {
        this.replicating = replicating;
    }

    @Override
    public String name() {
        return "replication";
    }

    /** Whether {@code m} streams changes until the cut-over (by name: {@code via: replicate} is added to the plan model separately). */
    static boolean replicates(Move m) {
        return m.via().name().equals("REPLICATE");
    }

    @Override
    public void run(PreflightContext ctx, Consumer<Finding> out) {
        for (Move m : ctx.plan().moves()) {
            Location from = ctx.plan().location(m.from());
            if (!from.database()) {
                continue;
            }
            ctx.factsIfReadable(from).ifPresent(f -> {
                List<String> missing = missing(f);
                boolean needed = replicating.test(m);
                String subject = "move " + m.name();
                if (missing.isEmpty()) {
                    out.accept(new Finding(name(), subject, Status.OK, "source " + from.name() + " is ready for change capture ("
                            + settings(f) + ")"));
                } else {
                    out.accept(new Finding(name(), subject, needed ? Status.FAIL : Status.WARN, "source " + from.name() + ": "
                            + String.join("; ", missing) + (needed ? "" : " (only a via: replicate move needs this)")));
                }
            });
        }
    }

    /** What the server lacks for change capture, each with the fix; empty when it is ready. */
    static List<String> missing(Database.Facts f) {
        List<String> out = new ArrayList<>();
        var s = f.settings();
        if (s.containsKey("wal_level")) {
            if (!"logical".equals(s.get("wal_level"))) {
                out.add("wal_level is " + s.get("wal_level") + ", logical decoding needs logical: ALTER SYSTEM SET wal_level = "
                        + "logical; then restart PostgreSQL");
            }
            if (f.freeReplicationSlots() < 1) {
                out.add("no free replication slot (max_replication_slots = " + s.get("max_replication_slots")
                        + ", all in use): raise max_replication_slots or drop an unused slot (pg_drop_replication_slot)");
            }
            if ("0".equals(s.get("max_wal_senders"))) {
                out.add("max_wal_senders is 0: ALTER SYSTEM SET max_wal_senders = 10; then restart PostgreSQL");
            }
        } else if (s.containsKey("log_bin")) {
            if (!"ON".equals(s.get("log_bin"))) {
                out.add("the binary log is off: start the server with log_bin (e.g. log_bin = mysql-bin in its [mysqld] "
                        + "section) and restart it");
            }
            if (!"ROW".equalsIgnoreCase(s.get("binlog_format"))) {
                out.add("binlog_format is " + s.get("binlog_format") + ", change capture needs ROW: SET GLOBAL binlog_format = "
                        + "'ROW' (and binlog_format = ROW in the server's configuration)");
            }
            if ("0".equals(s.get("server_id"))) {
                out.add("server_id is 0: set server_id to a unique non-zero number in the server's configuration");
            }
        }
        return out;
    }

    private static String settings(Database.Facts f) {
        List<String> out = new ArrayList<>();
        f.settings().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> out.add(e.getKey() + "=" + e.getValue()));
        if (f.freeReplicationSlots() >= 0) {
            out.add(f.freeReplicationSlots() + " free replication slots");
        }
        return String.join(", ", out);
    }
}
