package dev.migrator.plan.executor;

import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.planner.Step;
import dev.migrator.provider.MigratorException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** What a running step may use: its definition, the plan's locations, a private work directory, progress and cancellation. */
public final class StepContext {
    private final Step step;
    private final Plan plan;
    private final Path workDir;
    private final Path stateDir;
    private final boolean drill;
    private final AtomicLong bytes = new AtomicLong();
    private final List<Runnable> onCancel = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    StepContext(Step step, Plan plan, Path stateDir, boolean drill) {
        this.step = step;
        this.plan = plan;
        this.stateDir = stateDir;
        this.workDir = stateDir.resolve("steps").resolve(step.id().replace('/', '_'));
        this.drill = drill;
    }

    public Step step() {
        return step;
    }

    public Plan plan() {
        return plan;
    }

    /** The step's own directory (journals, logs), kept across retries and resumed runs. */
    public Path workDir() {
        return workDir;
    }

    /** The run's state directory, shared by all steps (e.g. a dump one step writes and the next restores). */
    public Path stateDir() {
        return stateDir;
    }

    public boolean drill() {
        return drill;
    }

    /** The plan's location {@code name} (a parameter's {@code from}, {@code to}), or BAD_INPUT naming the step. */
    public Location locationNamed(String name) {
        Location l = name == null ? null : plan.location(name);
        if (l == null) {
            throw MigratorException.badInput("step " + step.id() + ": no location '" + name + "' in the plan");
        }
        return l;
    }

    public void transferred(long n) {
        bytes.addAndGet(n);
    }

    public long bytesSoFar() {
        return bytes.get();
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** Runs {@code r} when the step is cancelled (at once if it already is). */
    public void onCancel(Runnable r) {
        onCancel.add(r);
        if (cancelled) {
            r.run();
        }
    }

    void cancel() {
        cancelled = true;
        onCancel.forEach(Runnable::run);
    }

    void resetForRetry() {
        bytes.set(0);
        onCancel.clear();
    }
}
