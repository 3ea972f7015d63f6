package dev.migrator.cli;

import dev.migrator.provider.Database;
import java.io.PrintStream;

/**
 * Progress of a database copy, which the tools do not report: the target's size on disk against the
 * source's, read from the catalogs every few seconds (a cheap query), with the elapsed time. On a
 * terminal the line is redrawn; elsewhere one line every 30 seconds.
 */
final class DatabaseProgress implements AutoCloseable {
    private final StatusLine status;
    private final long started = System.nanoTime();

    private DatabaseProgress(PrintStream out, String verb, Database source, Database target, boolean enabled) {
        long sourceBytes = enabled ? source.inventory().bytes() : 0;
        status = new StatusLine(out, enabled, 2_000, () -> verb + " " + source.displayUri() + " -> " + target.displayUri()
                + "  " + targetSize(target) + "/" + Human.bytes(sourceBytes) + "  "
                + Human.duration((System.nanoTime() - started) / 1e9));
    }

    static DatabaseProgress start(PrintStream out, String verb, Database source, Database target, boolean enabled) {
        return new DatabaseProgress(out, verb, source, target, enabled);
    }

    private static String targetSize(Database target) {
        try {
            return Human.bytes(target.inventory().bytes());
        } catch (RuntimeException e) {
            return "?"; // the target may not exist yet; progress is best effort
        }
    }

    @Override
    public void close() {
        status.close();
    }
}
