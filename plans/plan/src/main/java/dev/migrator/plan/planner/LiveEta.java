package dev.migrator.plan.planner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The remaining time of a run, re-estimated from what it has measured: each finished step gives its measured ÷
 * estimated time, and the remaining steps' estimates are scaled by that of the finished steps most like them (same
 * move, kind and phase; else same kind; else same move; else all finished steps of moves; a hook only by hooks), then
 * scheduled again with the plan's limits. A running step keeps its scaled estimate minus the time it has run. Thread-safe.
 */
public final class LiveEta {
    private final List<Step> steps;
    private final int concurrency;
    private final Map<String, Long> capacities;
    private final Map<String, Double> startedAt = new HashMap<>();
    private final Map<String, double[]> measured = new HashMap<>(); // group -> {actual, estimate}
    private final Map<String, Boolean> finished = new HashMap<>();
    private final Map<String, Double> took = new HashMap<>(); // step id -> measured seconds, of steps that did their work

    /**
     * The remaining time as it stands.
     *
     * @param remaining seconds until the last step ends
     * @param freeze    seconds of the freeze window (cut-over up to the switch): the part still to come, plus the part
     *                  already run if the cut-over has started
     * @param factor    measured ÷ estimated time of all steps finished so far (1 before any)
     */
    public record Forecast(double remaining, double freeze, double factor) {
    }

    public LiveEta(List<Step> steps, int concurrency, Map<String, Long> capacities) {
        this.steps = List.copyOf(steps);
        this.concurrency = concurrency;
        this.capacities = Map.copyOf(capacities);
    }

    /** {@code at}: seconds since the run started. */
    public synchronized void started(String id, double at) {
        startedAt.put(id, at);
    }

    /** A step ended after {@code seconds}; only steps that did their work ({@code done}) teach the model. */
    public synchronized void finished(Step step, double seconds, boolean done) {
        finished.put(step.id(), done);
        startedAt.remove(step.id());
        if (done) {
            took.put(step.id(), seconds);
        }
        if (done && step.seconds() > 0 && seconds > 0) {
            for (String g : groups(step)) {
                double[] m = measured.computeIfAbsent(g, k -> new double[2]);
                m[0] += seconds;
                m[1] += step.seconds();
            }
        }
    }

    /** Steps that ran to their end (done, failed or skipped). */
    public synchronized boolean isFinished(String id) {
        return finished.containsKey(id);
    }

    /** The forecast at {@code now} seconds since the run started. */
    public synchronized Forecast forecast(double now) {
        List<Step> left = new ArrayList<>();
        double cutoverRun = -1;
        for (Step s : steps) {
            if (finished.containsKey(s.id())) {
                continue;
            }
            double seconds = s.seconds() * factor(s);
            Double at = startedAt.get(s.id());
            if (at != null) {
                seconds = Math.max(0, seconds - (now - at));
                if (s.phase() == Phase.CUTOVER) {
                    cutoverRun = Math.max(cutoverRun, now - at);
                }
            }
            left.add(new Step(s.id(), s.kind(), s.phase(), s.move(), s.after(), s.params(), s.bytes(), s.objects(), seconds,
                    s.demand(), s.explain()));
        }
        double[] all = measured.getOrDefault("", new double[]{1, 1});
        double factor = all[1] > 0 ? all[0] / all[1] : 1;
        if (left.isEmpty()) {
            return new Forecast(0, 0, factor);
        }
        Schedule s = Scheduler.schedule(left, concurrency, capacities);
        return new Forecast(s.total(), s.cutover() + Math.max(0, cutoverRun), factor);
    }

    /** The measured seconds of each step that finished its work, by id. */
    public synchronized Map<String, Double> took() {
        return Map.copyOf(took);
    }

    /** The measured seconds of the steps of {@code phase} that finished their work, summed. */
    public synchronized double measuredSeconds(Phase phase) {
        return steps.stream().filter(s -> s.phase() == phase && took.containsKey(s.id())).mapToDouble(s -> took.get(s.id())).sum();
    }

    /** Seconds the steps not finished would take at their planned estimates, scheduled with the plan's limits. */
    public synchronized double plannedLeft() {
        List<Step> left = steps.stream().filter(s -> !finished.containsKey(s.id())).toList();
        return left.isEmpty() ? 0 : Scheduler.schedule(left, concurrency, capacities).total();
    }

    /** measured ÷ estimated of the finished steps most like {@code s}, or 1 when none has finished. */
    private double factor(Step s) {
        for (String g : groups(s)) {
            double[] m = measured.get(g);
            if (m != null && m[1] > 0) {
                return m[0] / m[1];
            }
        }
        return 1;
    }

    /** From the most to the least alike: move, kind and phase; kind; move; everything (""). */
    private static List<String> groups(Step s) {
        if (s.move() == null) {
            return List.of("kind\n" + s.kind()); // a hook's declared estimate is not scaled by how fast copies went
        }
        return List.of(s.move() + "\n" + s.kind() + "\n" + s.phase(), "kind\n" + s.kind(), "move\n" + s.move(), "");
    }

    /** For tests: the scaled estimates by step id of what is left. */
    synchronized Map<String, Double> scaled() {
        Map<String, Double> out = new LinkedHashMap<>();
        steps.stream().filter(s -> !finished.containsKey(s.id())).forEach(s -> out.put(s.id(), s.seconds() * factor(s)));
        return out;
    }
}
