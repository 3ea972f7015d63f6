package dev.migrator.cli;

import dev.migrator.provider.ObjectInfo;
import dev.migrator.transfer.Progress;
import java.io.PrintStream;
import java.util.concurrent.atomic.LongAdder;

/**
 * Renders engine events for a person: on a terminal a status line redrawn five times a second
 * (objects, bytes, rate, ETA); elsewhere (CI logs) one plain line every 30 seconds.
 */
final class ConsoleProgress implements Progress, AutoCloseable {
    private final String verb;
    private final long started = System.nanoTime();
    private final LongAdder listedObjects = new LongAdder();
    private final LongAdder listedBytes = new LongAdder();
    private final LongAdder doneObjects = new LongAdder();
    private final LongAdder failedObjects = new LongAdder();
    private final LongAdder streamed = new LongAdder();
    private final LongAdder skippedBytes = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private volatile boolean listingDone;
    private final StatusLine status;

    /** {@code enabled=false} gives a silent listener (for --json and --quiet). */
    ConsoleProgress(PrintStream out, String verb, boolean enabled) {
        this.verb = verb;
        this.status = new StatusLine(out, enabled, 200, this::line);
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
            if (EventLog.json()) {
                EventLog.event(System.err, "object-failed", java.util.Map.of("key", object.key(), "size", object.size()));
            }
        }
    }

    @Override
    public void retrying(String what, String reason) {
        retries.increment();
        if (EventLog.json()) {
            EventLog.event(System.err, "retrying", java.util.Map.of("what", what, "reason", String.valueOf(reason)));
        }
    }

    long retries() {
        return retries.sum();
    }

    /** Seconds left at the rate so far, or NaN before the listing is done or anything moved (for the line and the metrics). */
    double eta() {
        double elapsed = (System.nanoTime() - started) / 1e9;
        long bytesDone = Math.min(streamed.sum() + skippedBytes.sum(), listedBytes.sum());
        double rate = elapsed > 0 ? streamed.sum() / elapsed : 0;
        return listingDone && rate > 0 ? (listedBytes.sum() - bytesDone) / rate : listingDone && bytesDone >= listedBytes.sum() ? 0 : Double.NaN;
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
        double eta = eta();
        if (!Double.isNaN(eta)) {
            s.append("  ETA ").append(Human.duration(eta));
        }
        if (failedObjects.sum() > 0) {
            s.append("  failed ").append(Human.count(failedObjects.sum()));
        }
        if (retries.sum() > 0) {
            s.append("  retries ").append(Human.count(retries.sum()));
        }
        return s.toString();
    }

    @Override
    public void close() {
        status.close();
    }
}
