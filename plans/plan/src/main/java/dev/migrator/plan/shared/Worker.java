package dev.migrator.plan.shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.executor.Executor;
import dev.migrator.plan.executor.RunJournal;
import dev.migrator.plan.executor.RunListener;
import dev.migrator.plan.executor.StepKinds;
import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanOverlaps;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Step;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.FileTrees;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code migrator worker}: one of many processes (local, or pods of a Kubernetes Indexed Job) that run one plan
 * together through {@link SharedState}. It claims a unit whose dependencies are done ({@link Leases}) — its own
 * index's first, then any (work stealing) — runs it with the executor's retries, records the result, and repeats; it
 * returns when no unit of the selected phases is left to run. Barriers hold because they are steps of the plan: the
 * cut-over's start waits for every pre-copy unit's result, and a hook is one unit, claimed by one worker.
 *
 * <p>A copy step's object journal is uploaded to the state every {@link Options#journalSync}, so a worker taking over
 * a dead worker's unit resumes mid-shard. Objects the dead worker finished after its last upload are found identical
 * at the target and skipped (compared, not copied); only the objects in flight when it died (at most the step's
 * parallelism) are sent again. A hook interrupted by a worker's death runs again on the worker taking it over, as
 * a resumed single-process run reruns it.
 */
public final class Worker {
    /**
     * @param holder      this worker's name in claims (host, pid, index)
     * @param index       its index (a Job's {@code JOB_COMPLETION_INDEX}): units whose ordinal modulo {@code width}
     *                    is the index are its own and tried first
     * @param width       how many indices share the units (a Job's completions; the number of local workers)
     * @param phases      the phases to run
     * @param lease       how long a claim lasts unrenewed (renewed every third of it)
     * @param journalSync how often a copy's object journal is uploaded
     * @param poll        how long to wait when every unit left is held by another worker or waits for one
     * @param scratch     local working directory (dumps, journals in progress); deleted at the end
     */
    public record Options(String holder, int index, int width, Set<Phase> phases, Duration lease, Duration journalSync,
                          Duration poll, Path scratch, RunListener listener, StepKinds kinds) {
    }

    /** What this worker did, and where the whole run stands. */
    public record Result(int ran, int tookOver, boolean allDone, boolean interrupted, ErrorCode failure) {
        public int exitCode() {
            if (interrupted) {
                return ErrorCode.INTERRUPTED.exitCode();
            }
            return allDone ? 0 : failure == null ? ErrorCode.FAILED.exitCode() : failure.exitCode();
        }
    }

    private final Plan plan;
    private final SharedState state;
    private final Options options;
    private final Leases leases;
    private final AtomicReference<Executor> current = new AtomicReference<>();
    private volatile boolean stopping;

    public Worker(Plan plan, SharedState state, Options options) {
        this.plan = plan;
        this.state = state;
        this.options = options;
        this.leases = new Leases(state, options.holder(), options.lease(), Duration.ofMillis(250), Clock.systemUTC());
    }

    /** Stops (Ctrl-C): the unit running is cancelled and its claim released for another worker; nothing new starts. */
    public void cancel() {
        stopping = true;
        Executor e = current.get();
        if (e != null) {
            e.cancel();
        }
    }

    public Result run() {
        PlanOverlaps.refuse(plan, true);
        PlanRunner.Frozen frozen = SharedRun.freeze(plan, state, options.kinds());
        List<Unit> units = SharedRun.units(frozen, options.phases());
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "worker-lease");
            t.setDaemon(true);
            return t;
        });
        int ran = 0;
        int tookOver = 0;
        try {
            while (!stopping) {
                SharedRun.Snapshot now = SharedRun.snapshot(state, units);
                List<Unit> ready = now.ready(units);
                if (now.remaining(units).isEmpty()) {
                    return new Result(ran, tookOver, now.allDone(units), false, now.failure());
                }
                ready.sort(Comparator.comparing((Unit u) -> u.ordinal() % Math.max(1, options.width()) != options.index())
                        .thenComparingDouble(u -> frozen.start().getOrDefault(u.steps().get(0).id(), 0.0))
                        .thenComparingInt(Unit::ordinal));
                boolean claimed = false;
                for (Unit u : ready) {
                    Optional<Leases.Lease> lease = leases.tryClaim(SharedRun.encode(u.name()));
                    if (lease.isPresent()) {
                        claimed = true;
                        ran++;
                        tookOver += lease.get().tookOverFrom() != null ? 1 : 0;
                        runUnit(frozen, u, lease.get(), timers);
                        break;
                    }
                }
                if (!claimed) {
                    Thread.sleep(options.poll().toMillis());
                }
            }
            return new Result(ran, tookOver, false, true, ErrorCode.INTERRUPTED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(ran, tookOver, false, true, ErrorCode.INTERRUPTED);
        } finally {
            timers.shutdownNow();
            try {
                FileTrees.delete(options.scratch());
            } catch (IOException ignored) {
                // scratch space only; the state holds everything that matters
            }
        }
    }

    /** Runs the unit's steps that are not done yet, renewing the lease meanwhile; records each result. */
    private void runUnit(PlanRunner.Frozen frozen, Unit u, Leases.Lease lease, ScheduledExecutorService timers) {
        AtomicBoolean lost = new AtomicBoolean();
        for (Step s : u.steps()) {
            if (state.read(SharedRun.doneName(s.id())).isPresent()) {
                continue; // finished by the holder before us, after our snapshot
            }
            Path scratch = options.scratch().resolve(SharedRun.encode(u.name()) + "-" + lease.generation());
            Path journalFile = scratch.resolve("steps").resolve(s.id().replace('/', '_')).resolve("copy-journal");
            String journalName = "journals/" + SharedRun.encode(s.id()) + "/copy-journal";
            prepare(scratch, journalFile, journalName, lease);
            Executor executor = new Executor(plan, List.of(s), frozen.start(), frozen.bandwidth(), options.kinds(), scratch, false,
                    false, options.listener());
            current.set(executor);
            if (stopping) {
                executor.cancel();
            }
            long period = Math.max(100, options.lease().toMillis() / 3);
            var renewal = timers.scheduleWithFixedDelay(() -> {
                try {
                    if (!lease.renew()) {
                        lost.set(true);
                        executor.cancel();
                    }
                } catch (RuntimeException e) {
                    // a failed renewal is retried at the next tick; the lease lasts three ticks
                }
            }, period, period, TimeUnit.MILLISECONDS);
            var upload = timers.scheduleWithFixedDelay(() -> uploadJournal(journalFile, journalName),
                    options.journalSync().toMillis(), options.journalSync().toMillis(), TimeUnit.MILLISECONDS);
            Executor.Result r;
            try {
                r = executor.run();
            } finally {
                renewal.cancel(false);
                upload.cancel(false);
                current.set(null);
            }
            StepOutcome o = r.outcomes().get(0);
            if (lost.get() || lease.lost()) {
                return; // another worker holds the unit now; what it records counts
            }
            if (o.ok()) {
                ObjectNode done = SharedRun.record(o, options.holder(), lease.generation());
                state.create(SharedRun.doneName(s.id()), Leases.bytes(done));
                state.delete(journalName);
            } else if (o.status() == StepOutcome.Status.CANCELLED || r.interrupted()) {
                uploadJournal(journalFile, journalName);
                lease.release();
                return;
            } else {
                state.write(SharedRun.failedName(s.id()), Leases.bytes(SharedRun.record(o, options.holder(), lease.generation())));
                break;
            }
        }
        lease.release();
    }

    /** A fresh scratch directory holding the unit's copy journal as last uploaded (a takeover resumes from it). */
    private void prepare(Path scratch, Path journalFile, String journalName, Leases.Lease lease) {
        try {
            FileTrees.delete(scratch);
            Files.createDirectories(journalFile.getParent());
            // The executor clears step directories of a run it did not resume: this one resumes the unit.
            try (RunJournal j = RunJournal.open(scratch)) {
                ObjectNode e = j.event("unit", null);
                e.put("generation", lease.generation());
                j.append(e);
            }
            Optional<byte[]> saved = state.read(journalName);
            if (saved.isPresent()) {
                Files.write(journalFile, saved.get());
            }
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot prepare the scratch directory " + scratch + ": " + e.getMessage(), e);
        }
    }

    /** Uploads the copy journal up to its last complete line (a line being written is left for the next upload). */
    private void uploadJournal(Path file, String name) {
        try {
            if (!Files.exists(file)) {
                return;
            }
            byte[] all = Files.readAllBytes(file);
            int end = all.length;
            while (end > 0 && all[end - 1] != '\n') {
                end--;
            }
            if (end > 0) {
                state.write(name, java.util.Arrays.copyOf(all, end));
            }
        } catch (IOException | RuntimeException e) {
            // the next upload tries again; a takeover then resumes from an older point, comparing a few more objects
        }
    }

    /**
     * Work units: usually one step each. A database restore from a local dump joins its dump's unit, so that both
     * run on the worker holding the dump.
     */
    public record Unit(String name, int ordinal, List<Step> steps, Set<String> after) {
    }

    static List<Unit> group(List<Step> selected) {
        List<Unit> units = new ArrayList<>();
        java.util.Map<String, List<Step>> byFirst = new java.util.LinkedHashMap<>();
        java.util.Map<String, String> unitOf = new java.util.HashMap<>();
        for (Step s : selected) {
            String joins = s.kind().equals(dev.migrator.plan.planner.DatabaseParams.DB_RESTORE) && s.after().size() == 1
                    ? unitOf.get(s.after().get(0)) : null;
            String unit = joins != null ? joins : s.id();
            byFirst.computeIfAbsent(unit, k -> new ArrayList<>()).add(s);
            unitOf.put(s.id(), unit);
        }
        Set<String> ids = new java.util.HashSet<>();
        selected.forEach(s -> ids.add(s.id()));
        int ordinal = 0;
        for (var e : byFirst.entrySet()) {
            Set<String> mine = new java.util.HashSet<>();
            e.getValue().forEach(s -> mine.add(s.id()));
            Set<String> after = new java.util.TreeSet<>();
            e.getValue().forEach(s -> s.after().stream().filter(d -> ids.contains(d) && !mine.contains(d)).forEach(after::add));
            units.add(new Unit(e.getKey(), ordinal++, List.copyOf(e.getValue()), Set.copyOf(after)));
        }
        return units;
    }
}
