package dev.migrator.cli;

import dev.migrator.plan.executor.RunListener;
import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.planner.LiveEta;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Planner;
import dev.migrator.plan.planner.Step;
import dev.migrator.plan.report.PlanOutput;
import dev.migrator.plan.report.Format;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plan run for a person: one line when a step starts, retries or ends (so CI logs tell the story), and a
 * status line for the whole plan (steps done, running steps, elapsed, the time left as re-estimated from what the run
 * measured ({@link LiveEta}) and the deadline slack) redrawn on a terminal or printed every 30 seconds elsewhere.
 * When the pre-copy ends, one line gives the cut-over and freeze window re-estimated from it.
 */
final class PlanProgress implements RunListener, AutoCloseable {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final StatusLine status;
    private final long started = System.nanoTime();
    private final Map<String, Long> running = new ConcurrentHashMap<>();
    private final AtomicInteger settled = new AtomicInteger();
    private volatile int total;
    private volatile double estimate;
    private volatile LiveEta eta;
    private volatile Plan plan;
    private volatile Duration deadline;
    private volatile double plannedFreeze;
    private final Instant startedAt = Instant.now();
    private final AtomicBoolean presyncAnnounced = new AtomicBoolean();
    private volatile List<Step> steps = List.of();

    private final PrintStream err;

    PlanProgress(PrintStream out, boolean enabled) {
        this.err = out;
        status = new StatusLine(out, enabled, 1000, this::status);
    }

    /**
     * The steps about to run, so the status line can count them and re-estimate the rest: with {@code plan}'s limits and
     * deadline ({@code deadline} instead, if not null); a null plan shows no ETA.
     */
    void estimate(Plan plan, Duration deadline, List<Step> steps) {
        this.steps = List.copyOf(steps);
        total = steps.size();
        if (plan == null) {
            return;
        }
        this.plan = plan;
        this.deadline = deadline;
        LiveEta live = new LiveEta(steps, plan.limits().concurrency(), Planner.capacities(plan));
        LiveEta.Forecast f = live.forecast(0);
        estimate = f.remaining();
        plannedFreeze = f.freeze();
        eta = live;
    }

    private double elapsed() {
        return (System.nanoTime() - started) / 1e9;
    }

    @Override
    public void started(Step step, int attempt) {
        running.put(step.id(), System.nanoTime());
        LiveEta live = eta;
        if (live != null && attempt == 1) {
            live.started(step.id(), elapsed());
        }
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
        LiveEta live = eta;
        if (live != null) {
            live.finished(step, 0, false);
        }
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
        LiveEta live = eta;
        if (live != null) {
            live.finished(o.step(), o.seconds(), o.status() == StepOutcome.Status.DONE);
        }
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
        if (live != null && o.step().phase() == Phase.PRESYNC && presyncDone(live) && presyncAnnounced.compareAndSet(false, true)) {
            line(afterPresync(live));
        }
    }

    private boolean presyncDone(LiveEta live) {
        return steps.stream().filter(s -> s.phase() == Phase.PRESYNC).allMatch(s -> live.isFinished(s.id()))
                && steps.stream().anyMatch(s -> s.phase() == Phase.CUTOVER);
    }

    /** The cut-over as re-estimated from the pre-copy just measured, against the plan's figures. */
    private String afterPresync(LiveEta live) {
        LiveEta.Forecast f = live.forecast(elapsed());
        return String.format(java.util.Locale.ROOT,
                "pre-copy done in %s (%.2fx the estimate); re-estimated from it: cut-over %s, freeze window %s (planned %s, %s%s)",
                Format.duration(elapsed()), f.factor(), Format.duration(f.remaining()), Format.duration(f.freeze()),
                Format.duration(plannedFreeze), f.freeze() >= plannedFreeze ? "+" : "-", Format.duration(Math.abs(f.freeze() - plannedFreeze)))
                + slack(elapsed() + f.remaining());
    }

    /** {@code , deadline slack 5h59m} (negative: late), or nothing without a deadline. */
    private String slack(double finishesAt) {
        PlanOutput.Verdict v = PlanOutput.verdict(plan, deadline, finishesAt, startedAt);
        if (v.deadline() == null) {
            return "";
        }
        return ", deadline slack " + (v.slack() < 0 ? "-" : "") + Format.duration(Math.abs(v.slack()));
    }

    private void line(String text) {
        status.println(LocalTime.now().format(CLOCK) + " " + text);
    }

    private String status() {
        double elapsed = elapsed();
        LiveEta live = eta;
        String left = "";
        if (live != null) {
            double remaining = live.forecast(elapsed).remaining();
            left = ", ~" + Format.duration(remaining) + " left" + slack(elapsed + remaining);
        }
        String s = "plan: " + settled.get() + "/" + total + " steps, " + running.size() + " running, "
                + Format.duration(elapsed) + " of est " + Format.duration(estimate) + left
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
