package dev.migrator.cli;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one status line of a long command, refreshed by a daemon ticker: on a terminal redrawn in place
 * every {@code terminalMillis}; elsewhere (CI logs) printed as a plain line every 30 seconds, so logs
 * stay readable. Permanent lines go through {@link #println} so they never mix with the status line.
 */
final class StatusLine implements AutoCloseable {
    private static final long LOG_MILLIS = 30_000;

    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private final Supplier<String> text;
    private final ScheduledExecutorService ticker;
    private int lastWidth;

    /** {@code enabled=false} draws nothing (for --json and --quiet); {@link #println} then prints nothing too. */
    StatusLine(PrintStream out, boolean enabled, long terminalMillis, Supplier<String> text) {
        this.out = out;
        this.text = text;
        if (!enabled) {
            ticker = null;
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "status-line");
            t.setDaemon(true);
            return t;
        });
        long period = terminal ? terminalMillis : LOG_MILLIS;
        ticker.scheduleAtFixedRate(this::render, period, period, TimeUnit.MILLISECONDS);
    }

    boolean terminal() {
        return terminal;
    }

    private synchronized void render() {
        String line = text.get();
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Prints a line that stays, above the status line. */
    synchronized void println(String line) {
        if (ticker == null) {
            return;
        }
        erase();
        out.println(line);
        out.flush();
    }

    private void erase() {
        if (terminal && lastWidth > 0) {
            out.print("\r" + " ".repeat(lastWidth) + "\r");
            lastWidth = 0;
        }
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            erase();
            out.flush();
        }
    }
}
