package dev.migrator.cli;

import dev.migrator.plan.model.Calibration;
import dev.migrator.plan.model.Move;
import dev.migrator.plan.model.Plan;
import dev.migrator.provider.Database;
import dev.migrator.provider.Sizes;
import dev.migrator.provider.Stores;
import java.util.Locale;

/**
 * The dump and restore rates of a database move, for {@code probe PLAN} (issue 16): a sample of the source's largest
 * table read out as a dump reads it (its source's {@code stream:}, what the planner's direct copy runs at), that table
 * dumped into files by the dump tool with a dump step's flags ({@code dump-stream:}, what its dump steps run at, in the
 * table's stored bytes: the unit the planner divides the database's size by; where the engine measures it) and,
 * with {@code --write}, loaded into a scratch schema of the target in a transaction that is rolled back (the target's
 * {@code write-stream:}, what its restore runs at). Bounded to {@link #MAX_BYTES} and {@link #MAX_SECONDS}.
 */
final class DatabaseProbe {
    /** Enough rows for a rate beyond the round trips, few enough for a probe of seconds on any server. */
    static final long MAX_BYTES = 16L << 20;
    static final double MAX_SECONDS = 3;

    /** The figures measured, by location name, and a comment line for each. */
    record Result(Calibration source, Calibration target, String log) {
    }

    private DatabaseProbe() {
    }

    /** Null when the source has no table to sample. */
    static Result probe(Plan plan, Move m, boolean write) {
        String from = plan.location(m.from()).uri();
        String to = plan.location(m.to()).uri();
        boolean restore = write && Stores.isDatabase(to);
        try (Database a = Stores.database(from); Database b = restore ? Stores.database(to) : null) {
            Database.Rates r = a.sampleRates(b, MAX_BYTES, MAX_SECONDS, m.dumpJobs());
            if (r == null || r.dumpBytes() == 0) {
                return new Result(Calibration.NONE, Calibration.NONE, "#   " + m.from() + ": no rows to sample; dump and restore"
                        + " rates not probed\n");
            }
            long dump = rate(r.dumpBytes(), r.dumpSeconds());
            StringBuilder log = new StringBuilder(String.format(Locale.ROOT, "#   %s: dump of a sample of %s: %s in %.2f s = %s/s%n",
                    m.from(), r.table(), Sizes.format(r.dumpBytes()), r.dumpSeconds(), Sizes.format(dump)));
            Calibration source = new Calibration(dump, null, null, null, null, null);
            if (r.fileDumpSeconds() > 0 && r.fileDumpBytes() > 0) {
                long file = rate(r.fileDumpBytes(), r.fileDumpSeconds());
                log.append(String.format(Locale.ROOT, "#   %s: dump of %s into files by the dump tool (a dump step's flags, its compression):"
                        + " %s of the table's stored size in %.2f s beyond its start = %s/s (a dump step's and a bundle's rate; a direct"
                        + " copy's is the uncompressed one)%n", m.from(), r.table(), Sizes.format(r.fileDumpBytes()), r.fileDumpSeconds(),
                        Sizes.format(file)));
                source = source.with(Calibration.database(null, null, null, null, file));
            }
            Calibration target = Calibration.NONE;
            if (r.restoreSeconds() > 0) {
                long load = rate(r.restoreBytes(), r.restoreSeconds());
                log.append(String.format(Locale.ROOT, "#   %s: restore of that sample into a scratch schema (rolled back): %s in %.2f s"
                        + " = %s/s (the table's column types, then its indexes)%n", m.to(),
                        Sizes.format(r.restoreBytes()), r.restoreSeconds(), Sizes.format(load)));
                target = new Calibration(null, null, load, null, null, null);
            } else if (!write) {
                log.append("#   ").append(m.to()).append(": restore rate not probed (probe with --write)\n");
            }
            source = source.with(end(r.source(), m.from(), true, log));
            return new Result(source, target.with(end(r.target(), m.to(), false, log)), log.toString());
        }
    }

    /** One end's step start, fingerprint start and hashing rate, each with a comment line (nothing when not measured). */
    private static Calibration end(Database.End e, String name, boolean source, StringBuilder log) {
        if (e == null) {
            return Calibration.NONE;
        }
        log.append(String.format(Locale.ROOT, "#   %s: %s start %s (%s); fingerprint start %s (a connection and the schema queries)%n",
                name, source ? "dump" : "restore", Calibration.millis(e.stepStart()), source
                        ? "the dump of the schema alone, its tool's start and connections" : "the restore tool started on that dump,"
                        + " restoring nothing: its start and connection; the database's create is not in it",
                Calibration.millis(e.fingerprintStart())));
        Long hash = null;
        if (e.hashSeconds() > 0) {
            hash = rate(e.hashBytes(), e.hashSeconds());
            log.append(String.format(Locale.ROOT, "#   %s: fingerprint of the sample's rows: %s in %.2f s = %s/s%n", name,
                    Sizes.format(e.hashBytes()), e.hashSeconds(), Sizes.format(hash)));
        }
        return Calibration.database(source ? e.stepStart() : null, source ? null : e.stepStart(), e.fingerprintStart(), hash);
    }

    private static long rate(long bytes, double seconds) {
        return (long) (bytes / Math.max(seconds, 1e-6));
    }
}
