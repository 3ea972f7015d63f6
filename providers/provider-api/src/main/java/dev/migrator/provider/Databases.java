package dev.migrator.provider;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The rules of a database copy, restore or verify, in one place for every caller (the CLI's copy and
 * verify, the plan's database steps): both ends must be databases, of the same engine (a dump restores
 * only into its own engine), and not the same database; and how two databases are compared.
 */
public final class Databases {
    private Databases() {
    }

    /** A source and a target database opened together; closing it closes both. */
    public record Pair(Database source, Database target) implements AutoCloseable {
        @Override
        public void close() {
            try (Database s = source; Database t = target) {
                // both closed, the target first
            }
        }
    }

    /**
     * Opens {@code src} and {@code dst} for {@code verb} ("copy", "verify", "restore"...). Refuses, as
     * {@link ErrorCode#BAD_INPUT} naming both (redacted): a database paired with an object store, two
     * engines, and (but for "verify") one database on both ends. Opening connects to nothing: the adapters connect per call.
     */
    public static Pair open(String src, String dst, String verb) {
        boolean a = Stores.isDatabase(src);
        boolean b = Stores.isDatabase(dst);
        if (a != b) {
            throw MigratorException.badInput(verb + " pairs a database with a database; "
                    + Redaction.uri(a ? src : dst) + " is a database and " + Redaction.uri(a ? dst : src) + " is not"
                    + (verb.equals("copy") ? " (to put a database into a store, use 'migrator bundle create')" : ""));
        }
        Database source = Stores.database(src);
        Database target;
        try {
            target = Stores.database(dst);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        Pair pair = new Pair(source, target);
        if (!source.engine().equals(target.engine())) {
            pair.close();
            throw MigratorException.badInput("cannot " + verb + " " + source.displayUri() + " with " + target.displayUri()
                    + ": " + source.engine() + " and " + target.engine() + " are different engines, and a database dump "
                    + "restores only into the same engine");
        }
        // copying a database onto itself would refuse (not empty) or, with --allow-non-empty, restore over
        // its own data; verifying it against itself is harmless (and checks it can be read and logged in to)
        if (!verb.equals("verify") && source.displayUri().equals(target.displayUri())) {
            pair.close();
            throw MigratorException.badInput("source and target are the same database: " + source.displayUri()
                    + "; name another database as the target");
        }
        return pair;
    }

    /** The outcome of {@link #compare}: the differences (none: identical) and the target's fingerprint. */
    public record Comparison(List<String> differences, Fingerprint target) {
        public boolean identical() {
            return differences.isEmpty();
        }

        /** Rows in the target's tables. */
        public long targetRows() {
            return target.tables().values().stream().mapToLong(Fingerprint.TableData::rows).sum();
        }
    }

    /**
     * Fingerprints both databases at once (each is a scan inside its own server) and compares them. A failure
     * of either side is rethrown as it is, and the other side's scan is cancelled.
     */
    public static Comparison compare(Database source, Database target) {
        CompletableFuture<Fingerprint> a = CompletableFuture.supplyAsync(source::fingerprint);
        CompletableFuture<Fingerprint> b = CompletableFuture.supplyAsync(target::fingerprint);
        try {
            Fingerprint t = b.join();
            return new Comparison(a.join().differences(t), t);
        } catch (CompletionException e) {
            a.cancel(true);
            b.cancel(true);
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }
}
