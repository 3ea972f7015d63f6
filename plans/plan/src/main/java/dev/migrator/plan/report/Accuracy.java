package dev.migrator.plan.report;

import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.planner.Estimate;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Step;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * How well a run's estimates held: measured against estimated seconds for each step that ran in this run, each
 * phase, the whole run and the freeze window, and which model figure was most likely wrong where they did not.
 * A drill grades the plan with it ({@code drill --eta-tolerance}).
 *
 * @param totals the whole run, the pre-copy and the freeze window (names {@link #RUN}, {@code presync}, {@link #FREEZE}),
 *               those that ran in this run
 * @param steps  each step that ran now and was estimated to take time
 */
public record Accuracy(List<Item> totals, List<Item> steps) {
    public static final String RUN = "whole run";
    public static final String FREEZE = "freeze window";

    /**
     * One estimate and what was measured.
     *
     * @param name     a step id, or one of the totals
     * @param estimate estimated seconds
     * @param actual   measured seconds
     * @param bound    what the model said bounds it (a step's {@code bound:}), or null
     */
    public record Item(String name, double estimate, double actual, String bound) {
        /** measured ÷ estimated. */
        public double ratio() {
            return estimate > 0 ? actual / estimate : Double.POSITIVE_INFINITY;
        }

        /** |measured − estimated| ÷ estimated. */
        public double error() {
            return Math.abs(ratio() - 1);
        }

        /** e.g. {@code presync/media/copy: estimate 12.0 s, took 15.1 s (1.26x)}. */
        public String text() {
            return String.format(Locale.ROOT, "%s: estimate %s, took %s (%.2fx)", name, Format.duration(estimate), Format.duration(actual),
                    ratio());
        }

        /** Which figure of the model was most likely wrong, from what bounded the estimate. */
        public String culprit() {
            String dir = ratio() > 1 ? "slower" : "faster";
            if (bound == null) {
                return "the declared estimate";
            }
            String where = bound.contains("(") ? bound.substring(bound.indexOf('(') + 1, bound.lastIndexOf(')')) : bound;
            if (bound.startsWith(Estimate.PER_REQUEST)) {
                return "the per-request latency of the " + where + " (" + dir + " than modelled)";
            }
            if (bound.startsWith(Estimate.STREAM)) {
                return "the stream throughput of the " + where + " (" + dir + " than modelled)";
            }
            return "the " + bound + " (" + dir + " than modelled)";
        }
    }

    /** The accuracy of {@code r}: estimates from its steps and planned starts, actuals from its outcomes. */
    public static Accuracy of(RunReport r) {
        List<Item> totals = new ArrayList<>();
        totals.add(new Item(RUN, r.estimate(), r.result().seconds(), null));
        for (Phase phase : r.phases()) {
            if (phase == Phase.CUTOVER) {
                continue; // the freeze window below is the cut-over up to the switch
            }
            double planned = planned(r, phase);
            double actual = measured(r, phase);
            if (planned > 0 && actual >= 0) {
                totals.add(new Item(phase.word(), planned, actual, null));
            }
        }
        if (r.estimateFreeze() > 0 && r.measuredFreeze() >= 0) {
            totals.add(new Item(FREEZE, r.estimateFreeze(), r.measuredFreeze(), null));
        }
        List<Item> steps = new ArrayList<>();
        for (StepOutcome o : r.result().outcomes()) {
            if (o.status() == StepOutcome.Status.DONE && o.startedAt() >= 0 && o.step().seconds() > 0) {
                steps.add(new Item(o.step().id(), o.step().seconds(), o.seconds(), bound(o.step())));
            }
        }
        return new Accuracy(totals, steps);
    }

    /** The step's bound as its explanation names it ({@code bound: X + 1 s}), or null (hooks, databases). */
    static String bound(Step s) {
        int at = s.explain().lastIndexOf("bound: ");
        if (at < 0) {
            return null;
        }
        String b = s.explain().substring(at + "bound: ".length());
        int plus = b.lastIndexOf(" + ");
        return plus < 0 ? b : b.substring(0, plus);
    }

    /** The {@code n} steps whose estimates were furthest off (by ratio either way), worst first. */
    public List<Item> worst(int n) {
        return steps.stream().sorted(Comparator.comparingDouble((Item i) -> -Math.abs(Math.log(i.ratio())))).limit(n).toList();
    }

    /** The totals off by more than {@code tolerance}, and the steps off by more than {@code stepTolerance} (NaN: not checked). */
    public List<Item> beyond(double tolerance, double stepTolerance) {
        List<Item> out = new ArrayList<>();
        totals.stream().filter(i -> i.error() > tolerance).forEach(out::add);
        if (!Double.isNaN(stepTolerance)) {
            steps.stream().filter(i -> i.error() > stepTolerance).forEach(out::add);
        }
        return out;
    }

    /** Lines for a report: the totals, then the worst steps and why. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        totals.forEach(i -> out.add("Estimate of the " + i.text()));
        for (Item i : worst(3)) {
            if (i.error() > 0.1) {
                out.add("Worst estimate: " + i.text() + "; bound by " + (i.bound == null ? "its declared estimate" : i.bound)
                        + ", so the figure that was off: " + i.culprit());
            }
        }
        return out;
    }

    /** Planned length of a phase in the schedule: first planned start to last planned end of its steps. */
    private static double planned(RunReport r, Phase phase) {
        double first = Double.MAX_VALUE;
        double last = -1;
        for (StepOutcome o : r.result().outcomes()) {
            Double start = r.plannedStart().get(o.step().id());
            if (o.step().phase() != phase || start == null || dev.migrator.plan.planner.Planner.afterSwitch(o.step())) {
                continue;
            }
            first = Math.min(first, start);
            last = Math.max(last, start + o.step().seconds());
        }
        return last < 0 ? -1 : last - first;
    }

    /** Measured length of a phase: first start to last end of its steps in this run; -1 if any did not run now. */
    private static double measured(RunReport r, Phase phase) {
        double first = Double.MAX_VALUE;
        double last = -1;
        for (StepOutcome o : r.result().outcomes()) {
            if (o.step().phase() != phase || dev.migrator.plan.planner.Planner.afterSwitch(o.step())) {
                continue;
            }
            if (o.startedAt() < 0) {
                return -1;
            }
            first = Math.min(first, o.startedAt());
            last = Math.max(last, o.startedAt() + o.seconds());
        }
        return last < 0 ? -1 : last - first;
    }
}
