package dev.migrator.cli;

import dev.migrator.provider.Database;
import dev.migrator.provider.Databases;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Stores;
import java.io.PrintStream;
import java.util.List;

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
