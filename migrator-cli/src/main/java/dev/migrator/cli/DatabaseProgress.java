package dev.migrator.cli;

import dev.migrator.provider.Database;
import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Progress of a database copy, which the tools do not report: the target's size on disk against the
 * source's, read from the catalogs every few seconds (a cheap query), with the elapsed time. On a
 * terminal the line is redrawn; elsewhere one line every 30 seconds.
 */
final class DatabaseProgress implements AutoCloseable {
    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private final ScheduledExecutorService ticker;
    private final long started = System.nanoTime();
    private int lastWidth;

    private DatabaseProgress(PrintStream out, String verb, Database source, Database target, boolean enabled) {
        this.out = out;
        if (!enabled) {
            ticker = null;
            return;
        }
        long sourceBytes = source.inventory().bytes();
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "db-progress");
            t.setDaemon(true);
            return t;
        });
        long period = terminal ? 2_000 : 30_000;
        ticker.scheduleAtFixedRate(() -> render(verb + " " + source.displayUri() + " -> " + target.displayUri() + "  "
                + targetSize(target) + "/" + Human.bytes(sourceBytes) + "  "
                + Human.duration((System.nanoTime() - started) / 1e9)), period, period, TimeUnit.MILLISECONDS);
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

    private synchronized void render(String line) {
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            if (terminal && lastWidth > 0) {
                out.print("\r" + " ".repeat(lastWidth) + "\r");
                out.flush();
            }
        }
    }
}
