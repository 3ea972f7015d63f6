package dev.migrator.cli;

import dev.migrator.provider.ObjectInfo;
import dev.migrator.transfer.Progress;
import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Renders engine events for a person: on a terminal a status line redrawn five times a second
 * (objects, bytes, rate, ETA); elsewhere (CI logs) one plain line every 30 seconds.
 */
final class ConsoleProgress implements Progress, AutoCloseable {
    private final PrintStream out;
    private final String verb;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private final LongAdder listedObjects = new LongAdder();
    private final LongAdder listedBytes = new LongAdder();
    private final LongAdder doneObjects = new LongAdder();
    private final LongAdder failedObjects = new LongAdder();
    private final LongAdder streamed = new LongAdder();
    private final LongAdder skippedBytes = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private volatile boolean listingDone;
    private final ScheduledExecutorService ticker;
    private int lastWidth;

    /** {@code enabled=false} gives a silent listener (for --json and --quiet). */
    ConsoleProgress(PrintStream out, String verb, boolean enabled) {
        this.out = out;
        this.verb = verb;
        this.terminal = System.console() != null;
        if (enabled) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "progress");
                t.setDaemon(true);
                return t;
            });
            long period = terminal ? 200 : 30_000;
            ticker.scheduleAtFixedRate(this::render, period, period, TimeUnit.MILLISECONDS);
        } else {
            ticker = null;
        }
    }

    @Override
    public void listed(ObjectInfo object) {
        listedObjects.increment();
        listedBytes.add(object.size());
    }

    @Override
    public void listingDone() {
        listingDone = true;
    }

    @Override
    public void transferred(long bytes) {
        streamed.add(bytes);
    }

    @Override
    public void finished(ObjectInfo object, Outcome outcome) {
        doneObjects.increment();
        if (outcome == Outcome.SKIPPED) {
            skippedBytes.add(object.size());
        } else if (outcome == Outcome.FAILED) {
            failedObjects.increment();
        }
    }

    @Override
    public void retrying(String what, String reason) {
        retries.increment();
    }

    long retries() {
        return retries.sum();
    }

    String line() {
        double elapsed = (System.nanoTime() - started) / 1e9;
        long bytesDone = Math.min(streamed.sum() + skippedBytes.sum(), listedBytes.sum());
        double rate = elapsed > 0 ? streamed.sum() / elapsed : 0;
        StringBuilder s = new StringBuilder(verb).append(' ')
                .append(Human.count(doneObjects.sum())).append('/').append(Human.count(listedObjects.sum()))
                .append(listingDone ? "" : "+").append(" objects  ")
                .append(Human.bytes(bytesDone)).append('/').append(Human.bytes(listedBytes.sum()))
                .append(listingDone ? "" : "+").append("  ").append(Human.bytes(rate)).append("/s");
        if (listingDone && rate > 0) {
            s.append("  ETA ").append(Human.duration((listedBytes.sum() - bytesDone) / rate));
        }
        if (failedObjects.sum() > 0) {
            s.append("  failed ").append(Human.count(failedObjects.sum()));
        }
        if (retries.sum() > 0) {
            s.append("  retries ").append(Human.count(retries.sum()));
        }
        return s.toString();
    }

    private synchronized void render() {
        String line = line();
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
