package dev.migrator.plan.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.planner.Resources;
import dev.migrator.plan.planner.Step;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.FileTrees;
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
 * crash without redoing finished steps. Knows nothing about kinds: each step's {@link StepKind} comes from {@link StepKinds}.
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

    /** The steps this executor runs (for progress displays and metrics). */
    public List<Step> steps() {
        return steps;
    }

    /** A step's planned start in the schedule, seconds (0 when the schedule has none for it). */
    public double plannedStart(Step step) {
        return plannedStart.getOrDefault(step.id(), 0.0);
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
        steps.forEach(kinds::of); // every step is of a kind this build runs, with the parameters that kind takes
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(plan.limits().concurrency(), r -> {
            Thread t = new Thread(r, "step");
            t.setDaemon(true);
            return t;
        });
        try (RunJournal journal = RunJournal.open(stateDir)) {
            boolean resumed = journal.resuming();
            if (!resumed) {
                clearStepDirectories(); // a new run starts from the top: no step may trust what an earlier run left
            }
            ObjectNode begin = journal.event("run", null);
            begin.put("steps", steps.size());
            begin.put("drill", drill);
            journal.append(begin);
            Run run = new Run(journal, t0);
            run.resumeFinished(journal.done());
            run.runUntilIdle(pool);
            List<StepOutcome> ordered = run.ordered();
            ObjectNode end = journal.event("end", null);
            end.put("complete", ordered.stream().allMatch(StepOutcome::ok));
            end.put("interrupted", interrupted);
            journal.append(end);
            return new Result(ordered, (System.nanoTime() - t0) / 1e9, interrupted, resumed);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One run's bookkeeping: the dependency graph, what is ready, running and finished. Only the run's thread
     * touches it; steps report back through {@code completions}.
     */
    private final class Run {
        private final RunJournal journal;
        private final long t0;
        private final Map<String, Step> byId = new LinkedHashMap<>();
        /** Step id to the steps waiting for it (only steps of this run). */
        private final Map<String, List<String>> dependents = new HashMap<>();
        /** Step id to how many of its dependencies have not finished yet. */
        private final Map<String, Integer> waiting = new HashMap<>();
        private final Map<String, StepOutcome> outcomes = new HashMap<>();
        /** Steps whose dependencies are done, earliest planned start first. */
        private final TreeSet<String> ready = new TreeSet<>(Comparator.comparingDouble((String id) -> plannedStart.getOrDefault(id, 0.0))
                .thenComparing(id -> id));
        private final Resources resources = new Resources(plan.limits().concurrency(), bandwidth);
        private final LinkedBlockingQueue<StepOutcome> completions = new LinkedBlockingQueue<>();
        private int active;

        Run(RunJournal journal, long t0) {
            this.journal = journal;
            this.t0 = t0;
            steps.forEach(s -> byId.put(s.id(), s));
            for (Step s : steps) {
                int n = 0;
                for (String d : s.after()) {
                    if (byId.containsKey(d)) { // a dependency outside the selected steps counts as met
                        dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(s.id());
                        n++;
                    }
                }
                waiting.put(s.id(), n);
            }
        }

        /** Steps an earlier run finished, unchanged since (same fingerprint), count as done: their dependents may start. */
        void resumeFinished(Map<String, JsonNode> done) {
            for (Step s : steps) {
                JsonNode d = done.get(s.id());
                if (d != null && fingerprint(s).equals(d.path("fingerprint").asText())) {
                    outcomes.put(s.id(), new StepOutcome(s, StepOutcome.Status.RESUMED, resultOf(d.path("result")),
                            d.path("seconds").asDouble(), -1, d.path("attempts").asInt(1), null, null, verifies(s)));
                    listener.skipped(s, "done by an earlier run");
                }
            }
            for (String id : List.copyOf(outcomes.keySet())) {
                dependents.getOrDefault(id, List.of()).forEach(next -> waiting.merge(next, -1, Integer::sum));
            }
            for (Step s : steps) {
                if (!outcomes.containsKey(s.id()) && waiting.get(s.id()) == 0) {
                    ready.add(s.id());
                }
            }
        }

        /** Starts what is ready and fits, takes in what finishes, until nothing runs and nothing more can start. */
        void runUntilIdle(ExecutorService pool) {
            while (true) {
                if (!stopping) {
                    startReady(pool);
                }
                if (active == 0) {
                    return;
                }
                StepOutcome o;
                try {
                    o = completions.poll(200, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancel();
                    continue;
                }
                if (o != null) {
                    finished(o);
                }
            }
        }

        private void startReady(ExecutorService pool) {
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

        /** A step ended: its dependents may start, or, if it failed, are blocked (and with fail-fast, everything stops). */
        private void finished(StepOutcome o) {
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
                block(o.step().id());
                if (failFast) {
                    stopping = true;
                    running.values().forEach(StepContext::cancel);
                }
            }
        }

        /** Marks every step that depends, directly or not, on {@code failed} as blocked. */
        private void block(String failed) {
            Deque<String> todo = new ArrayDeque<>(dependents.getOrDefault(failed, List.of()));
            while (!todo.isEmpty()) {
                String id = todo.poll();
                if (outcomes.containsKey(id)) {
                    continue;
                }
                ready.remove(id);
                Step s = byId.get(id);
                StepOutcome o = new StepOutcome(s, StepOutcome.Status.BLOCKED, null, 0, -1, 0, "not run: " + failed + " failed", null,
                        verifies(s));
                outcomes.put(id, o);
                ObjectNode e = journal.event("blocked", id);
                e.put("by", failed);
                journal.append(e);
                listener.finished(o);
                todo.addAll(dependents.getOrDefault(id, List.of()));
            }
        }

        /** Every step's outcome in planned order; steps that never started are cancelled (run stopped) or pending. */
        List<StepOutcome> ordered() {
            List<StepOutcome> ordered = new ArrayList<>();
            for (Step s : steps) {
                StepOutcome o = outcomes.get(s.id());
                if (o == null) {
                    o = new StepOutcome(s, stopping ? StepOutcome.Status.CANCELLED : StepOutcome.Status.PENDING, null, 0, -1, 0,
                            stopping ? (interrupted ? "interrupted" : "stopped by --fail-fast") : null, null, verifies(s));
                }
                ordered.add(o);
            }
            return ordered;
        }
    }

    private boolean verifies(Step s) {
        return kinds.verifies(s);
    }

    private void clearStepDirectories() {
        Path dir = stateDir.resolve("steps");
        try {
            FileTrees.delete(dir);
        } catch (java.io.IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot clear " + dir + " for a new run: " + e.getMessage(), e);
        }
    }

    /** Runs one step with its retries; never throws. */
    private StepOutcome attempt(StepContext ctx, RunJournal journal, double startedAt) {
        Step s = ctx.step();
        StepKind<?> kind = kinds.of(s);
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
                StepResult r = kind.run(ctx);
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
                    StepOutcome o = new StepOutcome(s, StepOutcome.Status.DONE, r, seconds, startedAt, attempt, null, null, kind.verifies());
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
            StepOutcome o = new StepOutcome(s, status, null, seconds, startedAt, attempt, failure.getMessage(), failure.code().name(),
                    kind.verifies());
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

    /** What makes a finished step still valid: its kind, parameters (as frozen) and the (redacted) locations it touches. */
    String fingerprint(Step s) {
        StringBuilder b = new StringBuilder(s.kind()).append('\n').append(kinds.of(s).encode(s.params())).append('\n');
        for (String name : s.params().locations()) {
            Location l = plan.location(name);
            if (l != null) {
                b.append(name).append(".uri=").append(Redaction.uri(l.uri())).append('\n');
            }
        }
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
