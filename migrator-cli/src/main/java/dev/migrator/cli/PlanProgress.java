package dev.migrator.cli;

import dev.migrator.plan.executor.RunListener;
import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.planner.Step;
import dev.migrator.plan.report.Format;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plan run for a person: one line when a step starts, retries or ends (so CI logs tell the story), and a
 * status line for the whole plan (steps done, running steps, elapsed against the estimate) redrawn on a
 * terminal or printed every 30 seconds elsewhere.
 */
final class PlanProgress implements RunListener, AutoCloseable {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final StatusLine status;
    private final long started = System.nanoTime();
    private final Map<String, Long> running = new ConcurrentHashMap<>();
    private final AtomicInteger settled = new AtomicInteger();
    private volatile int total;
    private volatile double estimate;

    private final PrintStream err;

    PlanProgress(PrintStream out, boolean enabled) {
        this.err = out;
        status = new StatusLine(out, enabled, 1000, this::status);
    }

    void expect(int steps, double estimateSeconds) {
        total = steps;
        estimate = estimateSeconds;
    }

    @Override
    public void started(Step step, int attempt) {
        running.put(step.id(), System.nanoTime());
        if (EventLog.json()) {
            EventLog.event(err, "step-started", Map.of("step", step.id(), "attempt", attempt, "plannedSeconds", step.seconds()));
            return;
        }
        line("start " + step.id() + (attempt > 1 ? " (attempt " + attempt + ")" : "") + "  est " + Format.duration(step.seconds()));
    }

    @Override
    public void retrying(Step step, int attempt, String reason, long delayMillis) {
        if (EventLog.json()) {
            EventLog.event(err, "step-retrying", Map.of("step", step.id(), "attempt", attempt, "reason", reason, "delaySeconds", delayMillis / 1000.0));
            return;
        }
        line("retry " + step.id() + " in " + Format.duration(delayMillis / 1000.0) + " after attempt " + attempt + ": " + reason);
    }

    @Override
    public void skipped(Step step, String why) {
        settled.incrementAndGet();
        if (EventLog.json()) {
            EventLog.event(err, "step-skipped", Map.of("step", step.id(), "why", why));
            return;
        }
        line("skip  " + step.id() + ": " + why);
    }

    @Override
    public void finished(StepOutcome o) {
        running.remove(o.step().id());
        settled.incrementAndGet();
        if (EventLog.json()) {
            Map<String, Object> f = new java.util.LinkedHashMap<>();
            f.put("step", o.step().id());
            f.put("status", o.status().name());
            f.put("seconds", o.seconds());
            f.put("plannedSeconds", o.step().seconds());
            f.put("attempts", o.attempts());
            if (o.result() != null) {
                f.put("bytes", o.result().bytes());
                f.put("objects", o.result().objects());
                if (o.result().verified() != null) {
                    f.put("verified", o.result().verified());
                }
                f.put("details", o.result().details());
            }
            if (o.error() != null) {
                f.put("error", o.error());
            }
            EventLog.event(err, "step-finished", f);
            return;
        }
        String what = switch (o.status()) {
            case DONE -> "done  " + o.step().id() + " in " + Format.duration(o.seconds()) + " (planned "
                    + Format.duration(o.step().seconds()) + ")" + (o.result() == null || o.result().details().isEmpty() ? ""
                    : ": " + o.result().details().get(0));
            case FAILED -> "FAIL  " + o.step().id() + " after " + o.attempts() + " attempt(s): " + o.error();
            case BLOCKED -> "block " + o.step().id() + ": " + o.error();
            default -> o.status().name().toLowerCase(java.util.Locale.ROOT) + " " + o.step().id();
        };
        line(what);
    }

    private void line(String text) {
        status.println(LocalTime.now().format(CLOCK) + " " + text);
    }

    private String status() {
        double elapsed = (System.nanoTime() - started) / 1e9;
        String s = "plan: " + settled.get() + "/" + total + " steps, " + running.size() + " running, "
                + Format.duration(elapsed) + " of est " + Format.duration(estimate)
                + (running.isEmpty() ? "" : "  [" + String.join(", ", running.keySet()) + "]");
        if (status.terminal()) {
            return s.length() > 160 ? s.substring(0, 157) + "..." : s;
        }
        return LocalTime.now().format(CLOCK) + " " + s;
    }

    @Override
    public void close() {
        status.close();
    }
}
