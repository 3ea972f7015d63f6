package dev.migrator.plan.steps;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migrator.plan.executor.StepContext;
import dev.migrator.plan.executor.StepResult;
import dev.migrator.plan.planner.DatabaseParams;
import dev.migrator.provider.Database;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Fingerprint;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Providers;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Database steps against the {@link Database} SPI: a direct copy (dump piped into restore), a dump into
 * the staging directory and its restore, and a verify comparing both databases' fingerprints.
 */
final class DatabaseSteps {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DatabaseSteps() {
    }

    static Database.DumpOptions dumpOptions(DatabaseParams s) {
        return new Database.DumpOptions(s.jobs(), s.noOwner(), s.noPrivileges());
    }

    static Database.RestoreOptions restoreOptions(DatabaseParams s) {
        return new Database.RestoreOptions(s.jobs(), s.noOwner(), s.noPrivileges(), false);
    }

    static StepResult copy(StepContext ctx, DatabaseParams s) {
        try (Database from = Providers.database(ctx.locationNamed(s.from()).uri()); Database to = Providers.database(ctx.locationNamed(s.to()).uri())) {
            if (done(ctx, from, to)) {
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
        // A torn earlier attempt leaves a partial dump: start it again in an empty directory.
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        try (Database from = Providers.database(ctx.locationNamed(s.from()).uri())) {
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
        try (Database from = Providers.database(ctx.locationNamed(s.from()).uri()); Database to = Providers.database(ctx.locationNamed(s.to()).uri())) {
            if (done(ctx, from, to)) {
                return new StepResult(0, 0, 1, null, List.of("target already identical to the source (an earlier attempt finished)"));
            }
            to.restore(dir, dump, restoreOptions(s));
            return new StepResult(size(dir), 0, 0, null, List.of("restored into " + to.displayUri()));
        }
    }

    static StepResult verify(StepContext ctx, DatabaseParams s) throws Exception {
        try (Database from = Providers.database(ctx.locationNamed(s.from()).uri()); Database to = Providers.database(ctx.locationNamed(s.to()).uri())) {
            CompletableFuture<Fingerprint> a = CompletableFuture.supplyAsync(from::fingerprint);
            Fingerprint b = to.fingerprint();
            List<String> diffs = a.join().differences(b);
            List<String> details = new ArrayList<>();
            if (diffs.isEmpty()) {
                details.add(b.tables().size() + " tables and " + b.schema().size() + " schema objects identical; rows: "
                        + b.tables().values().stream().mapToLong(Fingerprint.TableData::rows).sum());
            } else {
                details.add(diffs.size() + " differences");
                details.addAll(diffs.subList(0, Math.min(20, diffs.size())));
            }
            long rows = b.tables().values().stream().mapToLong(Fingerprint.TableData::rows).sum();
            return new StepResult(0, rows, 0, diffs.isEmpty(), details);
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /**
     * Whether the target already holds exactly the source (a retried, resumed or repeated copy): then there is
     * nothing to do. A non-empty target that differs is left to the adapter, which refuses it (CONFLICT) rather
     * than overwrite it.
     */
    private static boolean done(StepContext ctx, Database from, Database to) {
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
