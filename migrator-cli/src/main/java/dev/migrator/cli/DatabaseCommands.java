package dev.migrator.cli;

import dev.migrator.provider.Database;
import dev.migrator.provider.Databases;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Stores;
import java.io.PrintStream;
import dev.migrator.provider.Durations;
import dev.migrator.provider.Replication;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code copy} and {@code verify} when their locations are databases: copy streams the source's dump
 * tool straight into the target's restore tool, then proves the result with {@code verify}'s
 * fingerprints; verify compares schema and per-table data fingerprints computed inside each database.
 * The rules (both ends databases of one engine, not the same one) and the comparison are {@link Databases}'s,
 * shared with the plan's database steps; this class only prints.
 */
final class DatabaseCommands {
    private DatabaseCommands() {
    }

    /** Whether either location names a database (then both must). */
    static boolean involved(String src, String dst) {
        return Stores.isDatabase(StoreArgs.toUri(src)) || Stores.isDatabase(StoreArgs.toUri(dst));
    }

    static int copy(String src, String dst, DatabaseArgs args, boolean verify, boolean dryRun, boolean json, boolean quiet) {
        PrintStream out = System.out;
        try (Databases.Pair pair = Databases.open(StoreArgs.toUri(src), StoreArgs.toUri(dst), "copy")) {
            Database source = pair.source();
            Database target = pair.target();
            if (dryRun) {
                Database.Inventory inv = source.inventory();
                out.printf("Dry run: would stream %s (%s, %s tables) into %s with %s's own dump and restore tools.%n",
                        source.displayUri(), Human.bytes(inv.bytes()), Human.count(inv.tables().size()),
                        target.displayUri(), source.engine());
                return 0;
            }
            long started = System.nanoTime();
            try (DatabaseProgress progress = DatabaseProgress.start(System.err, "Copying", source, target, !json && !quiet)) {
                source.copyTo(target, args.dump(), args.restore());
            }
            double copySeconds = (System.nanoTime() - started) / 1e9;
            List<String> differences = verify ? Databases.compare(source, target).differences() : null;
            double seconds = (System.nanoTime() - started) / 1e9;
            if (json) {
                out.println(Json.write(new CopyReport(source.displayUri(), target.displayUri(), verify,
                        differences == null || differences.isEmpty(), differences == null ? List.of() : differences,
                        round(copySeconds), round(seconds))));
            } else {
                out.printf("Copied %s into %s in %s.%n", source.displayUri(), target.displayUri(), Human.seconds(copySeconds));
                if (differences != null) {
                    printVerdict(out, differences, seconds - copySeconds);
                    if (!differences.isEmpty()) {
                        out.println("If the source took writes during the copy, these are expected: freeze writes and run "
                                + "'migrator verify' again.");
                    }
                }
            }
            return differences == null || differences.isEmpty() ? 0 : ErrorCode.DIFFERENCES.exitCode();
        }
    }

    /**
     * {@code copy --follow}: the snapshot copy (or a resume), then the change stream until Ctrl-C or the lag is at most
     * {@code untilLag}. Ctrl-C commits what is applied, prints the lag and how to go on, and exits 130.
     */
    static int follow(String src, String dst, DatabaseArgs args, String untilLag, boolean json, boolean quiet) {
        PrintStream out = System.out;
        java.time.Duration until = untilLag == null ? null : Durations.parse(untilLag, "--until-lag '" + untilLag + "'");
        try (Databases.Pair pair = Databases.open(StoreArgs.toUri(src), StoreArgs.toUri(dst), "copy");
             Replication r = pair.source().replicateTo(pair.target(),
                     new Replication.Options(args.dump().jobs(), args.noOwner, args.noPrivileges, 1L << 30))) {
            AtomicReference<Replication.Lag> last = new AtomicReference<>(Replication.Lag.note("starting"));
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                stop.set(true);
                try {
                    finished.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "interrupt");
            Runtime.getRuntime().addShutdownHook(hook);
            Replication.Lag lag;
            String started;
            try (StatusLine status = new StatusLine(System.err, !json && !quiet, 1_000, () -> describe(last.get()))) {
                java.util.function.Consumer<Replication.Lag> progress = l -> {
                    last.set(l);
                    if (l.warning() != null) {
                        status.println("warning: " + l.warning());
                    }
                };
                started = r.start(progress);
                if (!json && !quiet) {
                    status.println(started);
                }
                lag = r.follow(until, stop::get, progress);
            } finally {
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs: the JVM exits after it
                }
            }
            boolean interrupted = stop.get();
            if (json) {
                out.println(Json.write(new FollowReport(pair.source().displayUri(), pair.target().displayUri(), r.slot(), started,
                        lag.bytes(), round(lag.seconds()), lag.transactions(), lag.changes(), lag.retained(), interrupted)));
            } else {
                out.printf("%s: %s behind, lag %s; applied %s (%s).%n", interrupted ? "Stopped" : "Caught up",
                        Human.bytes(lag.bytes()), Human.seconds(lag.seconds()), Human.count(lag.transactions(), "transaction"),
                        Human.count(lag.changes(), "row change"));
                out.println("The slot " + r.slot() + " stays on the source: run the same command to go on applying changes;"
                        + " when done, drop it with: migrator db slots " + pair.source().displayUri() + " --drop " + r.slot());
            }
            return interrupted ? ErrorCode.INTERRUPTED.exitCode() : 0;
        }
    }

    private static String describe(Replication.Lag l) {
        if (!"streaming".equals(l.phase())) {
            return l.phase();
        }
        return "streaming: lag " + Human.seconds(l.seconds()) + ", " + Human.bytes(l.bytes()) + " behind; applied "
                + Human.count(l.transactions()) + " transactions, " + Human.count(l.changes()) + " rows; slot retains "
                + Human.bytes(l.retained());
    }

    record FollowReport(String source, String target, String slot, String started, long lagBytes, double lagSeconds,
                        long transactions, long changes, long retainedBytes, boolean interrupted) {
    }

    static int verify(String src, String dst, boolean json) {
        PrintStream out = System.out;
        long started = System.nanoTime();
        try (Databases.Pair pair = Databases.open(StoreArgs.toUri(src), StoreArgs.toUri(dst), "verify")) {
            List<String> differences = Databases.compare(pair.source(), pair.target()).differences();
            double seconds = (System.nanoTime() - started) / 1e9;
            if (json) {
                out.println(Json.write(new VerifyReport(pair.source().displayUri(), pair.target().displayUri(), differences.isEmpty(),
                        differences, round(seconds))));
            } else {
                printVerdict(out, differences, seconds);
            }
            return differences.isEmpty() ? 0 : ErrorCode.DIFFERENCES.exitCode();
        }
    }

    private static void printVerdict(PrintStream out, List<String> differences, double seconds) {
        differences.forEach(out::println);
        out.printf("%s: schema (tables, columns, indexes, constraints, sequences, views, functions, triggers) and "
                + "per-table row counts and content hashes compared in %s; %s.%n",
                differences.isEmpty() ? "Identical" : "DIFFERENT", Human.seconds(seconds), Human.count(differences.size(), "difference"));
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    record CopyReport(String source, String target, boolean verified, boolean identical, List<String> differences,
                      double copySeconds, double seconds) {
    }

    record VerifyReport(String source, String target, boolean identical, List<String> differences, double seconds) {
    }
}
