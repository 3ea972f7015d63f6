package dev.migrator.plan.steps;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migrator.plan.executor.StepContext;
import dev.migrator.plan.executor.StepResult;
import dev.migrator.plan.planner.DatabaseParams;
import dev.migrator.provider.Database;
import dev.migrator.provider.Databases;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.FileTrees;
import dev.migrator.provider.Fingerprint;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Replication;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Database steps against the {@link Database} SPI: a direct copy (dump piped into restore), a dump into
 * the staging directory and its restore, and a verify comparing both databases' fingerprints.
 */
final class DatabaseSteps {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Beside a dump folder, marks it as this step's own, so a rerun may clear it. */
    static final String DUMP_MARKER = ".migrator-dump";

    private DatabaseSteps() {
    }

    static Database.DumpOptions dumpOptions(DatabaseParams s) {
        return new Database.DumpOptions(s.jobs(), s.noOwner(), s.noPrivileges());
    }

    static Database.RestoreOptions restoreOptions(DatabaseParams s) {
        return new Database.RestoreOptions(s.jobs(), s.noOwner(), s.noPrivileges(), false);
    }

    static StepResult copy(StepContext ctx, DatabaseParams s) {
        try (Databases.Pair pair = open(ctx, s, "copy")) {
            Database from = pair.source();
            Database to = pair.target();
            if (done(from, to)) {
                return new StepResult(0, 0, 1, null, List.of("target already identical to the source (an earlier attempt finished)"));
            }
            from.copyTo(to, dumpOptions(s), restoreOptions(s));
            return new StepResult(ctx.step().bytes(), 0, 0, null, List.of("copied " + from.displayUri() + " into " + to.displayUri()));
        }
    }

    /** Where the move's dump lives: the staging directory, or the run's state directory. */
    static Path dumpDir(StepContext ctx, DatabaseParams s) {
        String staging = s.staging();
        Path base = staging == null || staging.isEmpty() ? ctx.stateDir().resolve("dumps") : Path.of(URI.create(staging));
        return base.resolve(ctx.step().move());
    }

    static StepResult dump(StepContext ctx, DatabaseParams s) throws IOException {
        Path dir = dumpDir(ctx, s);
        Path ready = dir.resolve("dump.json");
        Path doneThisRun = ctx.workDir().resolve("dump-done"); // a dump left by an earlier run is stale: redo it
        if (Files.exists(ready) && Files.exists(doneThisRun)) {
            return new StepResult(0, 0, 1, null, List.of("dump already complete in " + dir));
        }
        // Both ends are checked before anything is done (same engine, not one database twice): a dump the
        // restore would refuse is not worth its time.
        try (Databases.Pair pair = open(ctx, s, "dump")) {
            Database from = pair.source();
            // A torn earlier attempt leaves a partial dump: start it again in an empty directory. Only a folder
            // this step made (a marker beside it says so; the dump tools want the folder itself empty) is cleared:
            // a staging folder may hold someone else's files.
            Path marker = dir.resolveSibling(dir.getFileName() + DUMP_MARKER);
            if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.exists(marker)) {
                try (var entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw MigratorException.badInput("move '" + ctx.step().move() + "': the dump folder " + dir
                                + " already holds files that migrator did not write; empty it or choose another staging");
                    }
                }
            }
            Files.createDirectories(dir.getParent());
            Files.writeString(marker, "the folder " + dir.getFileName() + " beside this file is migrator's dump of move '"
                    + ctx.step().move() + "'\n");
            FileTrees.delete(dir);
            Files.createDirectories(dir);
            Database.Dump dump = from.dump(dir, dumpOptions(s));
            Path tmp = dir.resolve("dump.json.tmp");
            JSON.writeValue(tmp.toFile(), dump);
            Files.move(tmp, ready, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.createDirectories(ctx.workDir());
            Files.writeString(doneThisRun, "");
            return new StepResult(size(dir), 0, 0, null, List.of(dump.tool() + " " + dump.toolVersion() + ", " + dump.format()
                    + " format, in " + dir));
        }
    }

    static StepResult restore(StepContext ctx, DatabaseParams s) throws IOException {
        Path dir = dumpDir(ctx, s);
        Path ready = dir.resolve("dump.json");
        if (!Files.exists(ready)) {
            throw new MigratorException(ErrorCode.FAILED, "no complete dump in " + dir + " (the dump step did not finish)");
        }
        Database.Dump dump = JSON.readValue(ready.toFile(), Database.Dump.class);
        try (Databases.Pair pair = open(ctx, s, "restore")) {
            Database from = pair.source();
            Database to = pair.target();
            if (done(from, to)) {
                return new StepResult(0, 0, 1, null, List.of("target already identical to the source (an earlier attempt finished)"));
            }
            to.restore(dir, dump, restoreOptions(s));
            return new StepResult(size(dir), 0, 0, null, List.of("restored into " + to.displayUri()));
        }
    }

    static StepResult verify(StepContext ctx, DatabaseParams s) {
        try (Databases.Pair pair = open(ctx, s, "verify")) {
            Databases.Comparison c = Databases.compare(pair.source(), pair.target());
            List<String> details = new ArrayList<>();
            if (c.identical()) {
                details.add(c.target().tables().size() + " tables and " + c.target().schema().size()
                        + " schema objects identical; rows: " + c.targetRows());
            } else {
                details.add(c.differences().size() + " differences");
                details.addAll(c.differences().subList(0, Math.min(20, c.differences().size())));
            }
            return new StepResult(0, c.targetRows(), 0, c.identical(), details);
        }
    }

    /** How long a pre-copy keeps catching up before it hands over to the cut-over. */
    static final java.time.Duration CATCH_UP_LIMIT = java.time.Duration.ofMinutes(10);

    static Replication.Options replicationOptions(DatabaseParams s) {
        return new Replication.Options(s.jobs(), s.noOwner(), s.noPrivileges(), Replication.Options.defaults().warnRetainedBytes());
    }

    /**
     * Pre-copy of a replicate move: makes the slot and copies the snapshot (or resumes an earlier run's), then drains the
     * changes made since. A later pre-copy run only drains. The slot stays for the cut-over.
     */
    static StepResult replicate(StepContext ctx, DatabaseParams s) {
        try (Databases.Pair pair = open(ctx, s, "copy");
             Replication r = pair.source().replicateTo(pair.target(), replicationOptions(s))) {
            List<String> details = new ArrayList<>();
            details.add(r.start(lag -> { }));
            List<String> warnings = new ArrayList<>();
            // Drain until a change made at the source now reaches the target within a second, so that the freeze starts
            // from a short backlog (the target catches up on what it fell behind during the snapshot copy here, not
            // inside the freeze). A target that cannot keep up is given up on after CATCH_UP_LIMIT: the cut-over drains
            // the rest, and its time says so.
            long until = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
            Replication.Lag lag = r.follow(java.time.Duration.ofSeconds(1), () -> System.nanoTime() > until, l -> {
                if (l.warning() != null) {
                    warnings.add("warning: " + l.warning());
                }
            });
            if (lag.seconds() > 1) {
                warnings.add("warning: the target is still " + Math.round(lag.seconds()) + " s behind the source after "
                        + CATCH_UP_LIMIT.toMinutes() + " minutes of catching up: it applies changes more slowly than the source"
                        + " writes them, and the cut-over will take at least that long");
            }
            details.add("caught up: " + lag.transactions() + " transactions (" + lag.changes() + " row changes) applied; a change now"
                    + " reaches the target in " + Math.round(lag.seconds() * 1000) + " ms; slot " + r.slot() + " retains "
                    + lag.retained() / 1024 + " KiB of WAL until the cut-over");
            details.addAll(warnings);
            return new StepResult(ctx.step().bytes(), 0, 0, null, details);
        }
    }

    /**
     * Cut-over of a replicate move, after the freeze hook: the last drain, sequences, and the checks of what can have
     * changed (schema, rows the stream touched) — inside the freeze; the full fingerprint runs after the switch.
     */
    static StepResult cutover(StepContext ctx, DatabaseParams s) {
        try (Databases.Pair pair = open(ctx, s, "copy");
             Replication r = pair.source().replicateTo(pair.target(), replicationOptions(s))) {
            Replication.Cutover c;
            try {
                c = r.cutover(lag -> { });
            } catch (MigratorException e) {
                // a retried cut-over whose first attempt dropped the slot: done if the target equals the source
                if (e.code() == ErrorCode.NOT_FOUND && done(pair.source(), pair.target())) {
                    return new StepResult(0, 0, 1, true, List.of("already cut over: slot gone and the target identical to the source"));
                }
                throw e;
            }
            List<String> details = new ArrayList<>();
            details.add("inside the freeze: drained " + c.lag().transactions() + " transactions (" + c.lag().changes()
                    + " row changes); checked:");
            details.addAll(c.checked());
            if (!c.differences().isEmpty()) {
                details.add(c.differences().size() + " differences (the slot " + r.slot() + " is kept; "
                        + Replication.dropHint(pair.source().displayUri(), r.slot()) + ")");
                details.addAll(c.differences().subList(0, Math.min(20, c.differences().size())));
            }
            return new StepResult(c.lag().bytes(), c.lag().changes(), 0, c.differences().isEmpty(), details);
        }
    }

    /** The step's source and target databases, refused as {@link Databases#open} refuses them for the CLI. */
    static Databases.Pair open(StepContext ctx, DatabaseParams s, String verb) {
        return Databases.open(ctx.locationNamed(s.from()).uri(), ctx.locationNamed(s.to()).uri(), verb);
    }

    /**
     * Whether the target already holds exactly the source (a retried, resumed or repeated copy): then there is
     * nothing to do. A non-empty target that differs is left to the adapter, which refuses it (CONFLICT) rather
     * than overwrite it.
     */
    static boolean done(Database from, Database to) {
        Fingerprint t;
        try {
            t = to.fingerprint();
        } catch (MigratorException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return false; // no such database yet: the restore creates it
            }
            throw e;
        }
        return !t.tables().isEmpty() && from.fingerprint().differences(t).isEmpty();
    }

    private static long size(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
