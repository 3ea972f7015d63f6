package dev.migrator.cli;

import dev.migrator.provider.Database;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Fingerprint;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Providers;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code copy} and {@code verify} when their locations are databases: copy streams the source's dump
 * tool straight into the target's restore tool, then proves the result with {@code verify}'s
 * fingerprints; verify compares schema and per-table data fingerprints computed inside each database.
 */
final class DatabaseCommands {
    private DatabaseCommands() {
    }

    /** Whether either location names a database (then both must). */
    static boolean involved(String src, String dst) {
        return Providers.isDatabase(StoreArgs.toUri(src)) || Providers.isDatabase(StoreArgs.toUri(dst));
    }

    static int copy(String src, String dst, DatabaseArgs args, boolean verify, boolean dryRun, boolean json, boolean quiet) {
        PrintStream out = System.out;
        try (Database source = open(src, dst, "copy"); Database target = Providers.database(dst)) {
            if (source.displayUri().equals(target.displayUri())) {
                throw MigratorException.badInput("source and target are the same database: " + source.displayUri());
            }
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
            List<String> differences = verify ? compare(source, target) : null;
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
        try (Database source = open(src, dst, "verify"); Database target = Providers.database(dst)) {
            List<String> differences = compare(source, target);
            double seconds = (System.nanoTime() - started) / 1e9;
            if (json) {
                out.println(Json.write(new VerifyReport(source.displayUri(), target.displayUri(), differences.isEmpty(),
                        differences, round(seconds))));
            } else {
                printVerdict(out, differences, seconds);
            }
            return differences.isEmpty() ? 0 : ErrorCode.DIFFERENCES.exitCode();
        }
    }

    /** Fingerprints both sides at once (each is a scan inside its own server) and lists the differences. */
    static List<String> compare(Database source, Database target) {
        CompletableFuture<Fingerprint> a = CompletableFuture.supplyAsync(source::fingerprint);
        CompletableFuture<Fingerprint> b = CompletableFuture.supplyAsync(target::fingerprint);
        try {
            return a.join().differences(b.join());
        } catch (CompletionException e) {
            a.cancel(true);
            b.cancel(true);
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static void printVerdict(PrintStream out, List<String> differences, double seconds) {
        differences.forEach(out::println);
        out.printf("%s: schema (tables, columns, indexes, constraints, sequences, views, functions, triggers) and "
                + "per-table row counts and content hashes compared in %s; %s.%n",
                differences.isEmpty() ? "Identical" : "DIFFERENT", Human.seconds(seconds), Human.count(differences.size(), "difference"));
    }

    /** Opens the source database, refusing a database paired with an object store or another engine. */
    private static Database open(String src, String dst, String verb) {
        boolean a = Providers.isDatabase(StoreArgs.toUri(src));
        boolean b = Providers.isDatabase(StoreArgs.toUri(dst));
        if (a != b) {
            String db = a ? src : dst;
            throw MigratorException.badInput(verb + " pairs a database with a database; "
                    + dev.migrator.provider.Redaction.uri(db) + " is a database and "
                    + dev.migrator.provider.Redaction.uri(a ? dst : src) + " is not"
                    + (verb.equals("copy") ? " (to put a database into a store, use 'migrator bundle create')" : ""));
        }
        Database source = Providers.database(src);
        String targetScheme = Providers.parse(dst).getScheme();
        String sourceScheme = Providers.parse(src).getScheme();
        if (Providers.factoryFor(Providers.parse(dst)).getClass() != Providers.factoryFor(Providers.parse(src)).getClass()) {
            source.close();
            throw MigratorException.badInput("cannot " + verb + " " + sourceScheme + ":// with " + targetScheme
                    + "://: a database dump restores only into the same engine");
        }
        return source;
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
