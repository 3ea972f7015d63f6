package dev.migrator.plan.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.planner.Resources;
import dev.migrator.plan.planner.Step;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Redaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs steps in dependency order, in parallel within the plan's limits (the same {@link Resources} check
 * the schedule made), earliest planned start first. Each step is retried with exponential backoff; a step
 * that still fails blocks the steps that depend on it while independent steps go on, or, with fail-fast,
 * stops the run. Every start and end is journaled ({@link RunJournal}) so the same run resumes after a
 * crash without redoing finished steps. Knows nothing about kinds: actions come from {@link StepKinds}.
 */
public final class Executor {
    /** Codes that the same attempt would meet again: not retried. */
    private static final Set<ErrorCode> PERMANENT = Set.of(ErrorCode.BAD_INPUT, ErrorCode.AUTH, ErrorCode.NOT_FOUND,
            ErrorCode.CONFLICT, ErrorCode.DIFFERENCES, ErrorCode.INTERRUPTED);

    private final Plan plan;
    private final List<Step> steps;
    private final Map<String, Double> plannedStart;
    private final StepKinds kinds;
    private final Path stateDir;
    private final boolean failFast;
    private final boolean drill;
    private final RunListener listener;
    private final Map<String, Long> bandwidth;
    private final Map<String, StepContext> running = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile boolean interrupted;

    /**
     * @param steps        the steps to run (dependencies on steps not in the list count as met)
     * @param plannedStart each step's planned start, for the order among ready steps
     * @param bandwidth    bytes/s per endpoint, as scheduled
     */
    public Executor(Plan plan, List<Step> steps, Map<String, Double> plannedStart, Map<String, Long> bandwidth, StepKinds kinds,
                    Path stateDir, boolean failFast, boolean drill, RunListener listener) {
        this.plan = plan;
        this.steps = steps;
        this.plannedStart = plannedStart;
        this.bandwidth = bandwidth;
        this.kinds = kinds;
        this.stateDir = stateDir;
        this.failFast = failFast;
        this.drill = drill;
        this.listener = listener;
    }

    /** The run's outcome, step by step in planned order. */
    public record Result(List<StepOutcome> outcomes, double seconds, boolean interrupted, boolean resumed) {
        public boolean ok() {
            return !interrupted && outcomes.stream().allMatch(StepOutcome::ok);
        }
    }

    /** Stops the run (Ctrl-C): running steps are cancelled, nothing new starts; {@link #run} returns interrupted. */
    public void cancel() {
        interrupted = true;
        stopping = true;
        running.values().forEach(StepContext::cancel);
    }

    public Result run() {
        for (Step s : steps) {
            if (kinds.find(s.kind()).isEmpty()) {
                throw MigratorException.badInput("step " + s.id() + " is of kind '" + s.kind() + "', which this build cannot run"
                        + (s.kind().startsWith("bundle") ? " (bundle moves need the bundle module; use 'via: direct' for now)" : "")
                        + "; known kinds: " + kinds.kinds());
            }
        }
        long t0 = System.nanoTime();
        Map<String, Step> byId = new LinkedHashMap<>();
        steps.forEach(s -> byId.put(s.id(), s));
        Map<String, List<String>> dependents = new HashMap<>();
        Map<String, Integer> waiting = new HashMap<>();
        for (Step s : steps) {
            int n = 0;
            for (String d : s.after()) {
                if (byId.containsKey(d)) {
                    dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(s.id());
                    n++;
                }
            }
            waiting.put(s.id(), n);
        }
        Map<String, StepOutcome> outcomes = new HashMap<>();
        TreeSet<String> ready = new TreeSet<>(Comparator.comparingDouble((String id) -> plannedStart.getOrDefault(id, 0.0))
                .thenComparing(id -> id));
        Resources resources = new Resources(plan.limits().concurrency(), bandwidth);
        LinkedBlockingQueue<StepOutcome> completions = new LinkedBlockingQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(plan.limits().concurrency(), r -> {
            Thread t = new Thread(r, "step");
            t.setDaemon(true);
            return t;
        });
        boolean resumed;
        try (RunJournal journal = RunJournal.open(stateDir)) {
            resumed = journal.resuming();
            if (!resumed) {
                clearStepDirectories(); // a new run starts from the top: no step may trust what an earlier run left
            }
            Map<String, JsonNode> done = journal.done();
            ObjectNode begin = journal.event("run", null);
            begin.put("steps", steps.size());
            begin.put("drill", drill);
            journal.append(begin);
            // Steps an earlier run finished, unchanged since, count as done: their dependents may start.
            Deque<String> settle = new ArrayDeque<>();
            for (Step s : steps) {
                JsonNode d = done.get(s.id());
                if (d != null && fingerprint(s).equals(d.path("fingerprint").asText())) {
                    StepResult r = resultOf(d.path("result"));
                    StepOutcome o = new StepOutcome(s, StepOutcome.Status.RESUMED, r, d.path("seconds").asDouble(), -1,
                            d.path("attempts").asInt(1), null, null);
                    outcomes.put(s.id(), o);
                    listener.skipped(s, "done by an earlier run");
                    settle.add(s.id());
                }
            }
            for (String id : settle) {
                for (String next : dependents.getOrDefault(id, List.of())) {
                    waiting.merge(next, -1, Integer::sum);
                }
            }
            for (Step s : steps) {
                if (!outcomes.containsKey(s.id()) && waiting.get(s.id()) == 0) {
                    ready.add(s.id());
                }
            }
            int active = 0;
            while (true) {
                if (!stopping) {
                    for (var it = ready.iterator(); it.hasNext() && !resources.full(); ) {
                        Step s = byId.get(it.next());
                        if (resources.fits(s)) {
                            it.remove();
                            resources.acquire(s);
                            active++;
                            StepContext ctx = new StepContext(s, plan, stateDir, drill);
                            running.put(s.id(), ctx);
                            double at = (System.nanoTime() - t0) / 1e9;
                            pool.execute(() -> completions.add(attempt(ctx, journal, at)));
                        }
                    }
                }
                if (active == 0) {
                    break;
                }
                StepOutcome o;
                try {
                    o = completions.poll(200, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancel();
                    continue;
                }
                if (o == null) {
                    continue;
                }
                active--;
                running.remove(o.step().id());
                resources.release(o.step());
                outcomes.put(o.step().id(), o);
                if (o.ok()) {
                    for (String next : dependents.getOrDefault(o.step().id(), List.of())) {
                        if (waiting.merge(next, -1, Integer::sum) == 0 && !outcomes.containsKey(next)) {
                            ready.add(next);
                        }
                    }
                } else if (o.status() == StepOutcome.Status.FAILED) {
                    block(o.step().id(), dependents, byId, outcomes, ready, journal);
                    if (failFast) {
                        stopping = true;
                        running.values().forEach(StepContext::cancel);
                    }
                }
            }
            List<StepOutcome> ordered = new ArrayList<>();
            for (Step s : steps) {
                StepOutcome o = outcomes.get(s.id());
                if (o == null) {
                    o = new StepOutcome(s, stopping ? StepOutcome.Status.CANCELLED : StepOutcome.Status.PENDING, null, 0, -1, 0,
                            stopping ? (interrupted ? "interrupted" : "stopped by --fail-fast") : null, null);
                }
                ordered.add(o);
            }
            boolean complete = ordered.stream().allMatch(StepOutcome::ok);
            ObjectNode end = journal.event("end", null);
            end.put("complete", complete);
            end.put("interrupted", interrupted);
            journal.append(end);
            return new Result(ordered, (System.nanoTime() - t0) / 1e9, interrupted, resumed);
        } finally {
            pool.shutdownNow();
        }
    }

    private void clearStepDirectories() {
        Path steps = stateDir.resolve("steps");
        if (!java.nio.file.Files.exists(steps)) {
            return;
        }
        try (var walk = java.nio.file.Files.walk(steps)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        } catch (java.io.IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot clear " + steps + " for a new run: " + e.getMessage(), e);
        }
    }

    /** Marks every step that depends, directly or not, on {@code failed} as blocked. */
    private void block(String failed, Map<String, List<String>> dependents, Map<String, Step> byId,
                       Map<String, StepOutcome> outcomes, TreeSet<String> ready, RunJournal journal) {
        Deque<String> todo = new ArrayDeque<>(dependents.getOrDefault(failed, List.of()));
        while (!todo.isEmpty()) {
            String id = todo.poll();
            if (outcomes.containsKey(id)) {
                continue;
            }
            ready.remove(id);
            Step s = byId.get(id);
            StepOutcome o = new StepOutcome(s, StepOutcome.Status.BLOCKED, null, 0, -1, 0, "not run: " + failed + " failed", null);
            outcomes.put(id, o);
            ObjectNode e = journal.event("blocked", id);
            e.put("by", failed);
            journal.append(e);
            listener.finished(o);
            todo.addAll(dependents.getOrDefault(id, List.of()));
        }
    }

    /** Runs one step with its retries; never throws. */
    private StepOutcome attempt(StepContext ctx, RunJournal journal, double startedAt) {
        Step s = ctx.step();
        StepAction action = kinds.find(s.kind()).orElseThrow();
        int attempts = plan.limits().attempts();
        long backoff = plan.limits().backoff().toMillis();
        for (int attempt = 1; ; attempt++) {
            ObjectNode start = journal.event("start", s.id());
            start.put("attempt", attempt);
            journal.append(start);
            listener.started(s, attempt);
            long t = System.nanoTime();
            MigratorException failure;
            try {
                StepResult r = action.run(ctx);
                double seconds = (System.nanoTime() - t) / 1e9;
                if (ctx.cancelled()) {
                    failure = new MigratorException(ErrorCode.INTERRUPTED, "cancelled");
                } else if (Boolean.FALSE.equals(r.verified())) {
                    failure = new MigratorException(ErrorCode.DIFFERENCES, "verification found differences: "
                            + String.join("; ", r.details().subList(0, Math.min(5, r.details().size()))));
                } else {
                    ObjectNode done = journal.event("done", s.id());
                    done.put("fingerprint", fingerprint(s));
                    done.put("seconds", seconds);
                    done.put("attempts", attempt);
                    done.set("result", RunJournal.JSON.valueToTree(r));
                    journal.append(done);
                    StepOutcome o = new StepOutcome(s, StepOutcome.Status.DONE, r, seconds, startedAt, attempt, null, null);
                    listener.finished(o);
                    return o;
                }
            } catch (MigratorException e) {
                failure = e;
            } catch (InterruptedException e) {
                failure = new MigratorException(ErrorCode.INTERRUPTED, "interrupted", e);
            } catch (Exception e) {
                failure = new MigratorException(ErrorCode.FAILED, e.toString(), e);
            }
            double seconds = (System.nanoTime() - t) / 1e9;
            boolean cancelled = ctx.cancelled() || failure.code() == ErrorCode.INTERRUPTED;
            boolean retry = !cancelled && attempt < attempts && (failure.retryable() || !PERMANENT.contains(failure.code()));
            if (retry) {
                long delay = Math.min(backoff << Math.min(attempt - 1, 16), 300_000);
                listener.retrying(s, attempt, failure.getMessage(), delay);
                if (sleep(ctx, delay)) {
                    ctx.resetForRetry();
                    running.put(s.id(), ctx);
                    continue;
                }
                cancelled = true;
            }
            StepOutcome.Status status = cancelled ? StepOutcome.Status.CANCELLED : StepOutcome.Status.FAILED;
            ObjectNode e = journal.event(cancelled ? "cancelled" : "failed", s.id());
            e.put("attempts", attempt);
            e.put("code", failure.code().name());
            e.put("error", failure.getMessage());
            journal.append(e);
            StepOutcome o = new StepOutcome(s, status, null, seconds, startedAt, attempt, failure.getMessage(), failure.code().name());
            listener.finished(o);
            return o;
        }
    }

    /** Waits {@code millis} unless the step is cancelled meanwhile; returns whether it waited the whole time. */
    private static boolean sleep(StepContext ctx, long millis) {
        long until = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < until) {
            if (ctx.cancelled()) {
                return false;
            }
            try {
                Thread.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !ctx.cancelled();
    }

    /** What makes a finished step still valid: its kind, parameters and the (redacted) locations it touches. */
    String fingerprint(Step s) {
        StringBuilder b = new StringBuilder(s.kind()).append('\n');
        new java.util.TreeMap<>(s.params()).forEach((k, v) -> {
            b.append(k).append('=').append(v).append('\n');
            Location l = ("from".equals(k) || "to".equals(k)) ? plan.location(v) : null;
            if (l != null) {
                b.append(k).append(".uri=").append(Redaction.uri(l.uri())).append('\n');
            }
        });
        return Digests.hex(Digests.sha256().digest(b.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 32);
    }

    private static StepResult resultOf(JsonNode n) {
        List<String> details = new ArrayList<>();
        n.path("details").forEach(d -> details.add(d.asText()));
        JsonNode v = n.path("verified");
        return new StepResult(n.path("bytes").asLong(), n.path("objects").asLong(), n.path("skipped").asLong(),
                v.isBoolean() ? v.asBoolean() : null, details);
    }
}
