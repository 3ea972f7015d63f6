package dev.migrator.plan.planner;

import dev.migrator.plan.model.Calibration;
import dev.migrator.plan.model.Move;
import dev.migrator.plan.model.Plan;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a rehearsal (a drill of a small held-apart sample) measured of a step's start, for {@code probe PLAN --from-run}.
 * A step's start is what its measured time leaves once the model's work is taken out of it: measured seconds minus
 * (estimated seconds minus the start the model gave it). On a small sample the work is small and the start dominates,
 * so the residue is the start the probe cannot see (the journal, the full listing of both sides, the verify's pool).
 * Starts are kept per target location and step kind (pre-copy, delta, verify): with steps of one size, the median of
 * what they left; with steps of different sizes (a rehearsal with a move of few objects and one of many), a median
 * line through them ({@link #fit}), whose slope is a cost per object the model's figures miss (the journal's and the
 * listing's share of each object, say) and whose intercept is the start. Medians, not means: on a shared machine one
 * step of a rehearsal can take twice its neighbours, and one sample must not set a figure.
 * <p>
 * Warm-up: a fresh drill process's first step of each kind pays the JVM's class loading and JIT on top of its start, so
 * it is not fitted where its target has at least two other steps of that kind (rehearse a small warm-up move first, as
 * bench/estimates.sh does). A line with a negative cost per object (an outlier, not a model) falls back to the start
 * alone, the median; a line whose start is below {@link #MIN_START} is fitted again with its start held there (least
 * squares under the constraint: the cost per object is real, the start nearly none). Each such decision is a note in the
 * calibration file.
 */
public final class Rehearsal {
    /** A step that ran faster than its modelled work started in no time: a millisecond (a start must be positive). */
    static final double MIN_START = 0.001;

    private Rehearsal() {
    }

    /**
     * The measured starts.
     *
     * @param plan  the rehearsal's plan, whose figures made {@code steps}' estimates
     * @param steps the frozen steps of the rehearsal (their estimates)
     * @param took  measured seconds of each step that did its work, by id
     * @return by target location name, its {@code copy-start}, {@code delta-start} and {@code verify-start} where measured
     */
    public static Map<String, Calibration> starts(Plan plan, List<Step> steps, Map<String, Double> took) {
        return fit(plan, steps, took).starts();
    }

    /**
     * What a rehearsal measured, and how: {@code starts} by target location name; {@code notes}, one line each, the steps
     * left out as warm-up and the lines that fell back to a start alone.
     */
    public record Fit(Map<String, Calibration> starts, List<String> notes) {
    }

    /**
     * The measured starts and costs per object, and the notes on how they were fitted.
     *
     * @param steps the frozen steps of the rehearsal, in the order it ran them (at {@code concurrency: 1}, the plan's)
     */
    public static Fit fit(Plan plan, List<Step> steps, Map<String, Double> took) {
        Map<String, Map<Estimate.Kind, List<Point>>> byTarget = new LinkedHashMap<>();
        Map<String, Throughput> targets = new LinkedHashMap<>();
        java.util.Set<Estimate.Kind> warmed = java.util.EnumSet.noneOf(Estimate.Kind.class);
        for (Step s : steps) {
            Estimate.Kind kind = kind(s);
            Double actual = took.get(s.id());
            if (kind == null || actual == null || s.move() == null) {
                continue;
            }
            Move m = plan.moves().stream().filter(x -> x.name().equals(s.move())).findFirst().orElse(null);
            if (m == null || plan.location(m.from()).database()) {
                continue;
            }
            Throughput a = Throughput.of(plan.location(m.from()));
            Throughput b = Throughput.of(plan.location(m.to()));
            targets.put(m.to(), b);
            double work = Math.max(0, s.seconds() - Estimate.plannedStart(a, b, kind));
            // x: objects per stream (what a cost per object adds to), y: what the model did not account for
            double perStream = s.objects() / (double) Estimate.inFlight(s.objects(), m.parallelism());
            byTarget.computeIfAbsent(m.to(), k -> new EnumMap<>(Estimate.Kind.class))
                    .computeIfAbsent(kind, k -> new ArrayList<>()).add(new Point(s.id(), perStream, actual - work, !warmed.add(kind)));
        }
        Map<String, Calibration> out = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        byTarget.forEach((to, kinds) -> {
            Map<Estimate.Kind, double[]> fit = new EnumMap<>(Estimate.Kind.class);
            kinds.forEach((kind, all) -> {
                List<Point> points = all;
                List<Point> warm = all.stream().filter(p -> p.warm).toList();
                if (warm.size() >= 2 && warm.size() < all.size()) {
                    points = warm;
                    all.stream().filter(p -> !p.warm).forEach(p -> notes.add(p.id + ": the rehearsal's first " + name(kind)
                            + " step, not fitted (it paid the JVM's warm-up: " + Calibration.millis(p.y) + " beyond its modelled work)"));
                }
                double[] f = fit(points.stream().map(p -> new double[]{p.x, p.y}).toList());
                if (f.length > 2) {
                    String line = to + " " + name(kind) + ": the median line through " + points.size() + " steps gave a start of "
                            + Calibration.millis(f[2]) + " and " + Calibration.millis(f[3]) + " per object";
                    notes.add(Double.isNaN(f[1])
                            ? line + ", implausible; start only, the median " + Calibration.millis(f[0])
                                    + (warm.size() < 2 ? " (rehearse a small warm-up move first)" : "")
                            : line + "; held at a start of " + Calibration.millis(f[0]) + ": " + Calibration.millis(f[1]) + " per object");
                }
                Throughput.Figure had = targets.get(to).perObject().get(kind);
                if (!Double.isNaN(f[1]) && had != null) {
                    f[1] += had.value(); // the rehearsal's estimates already held the plan's cost per object
                }
                fit.put(kind, f);
            });
            out.put(to, Calibration.starts(start(fit, Estimate.Kind.COPY), start(fit, Estimate.Kind.DELTA), start(fit, Estimate.Kind.VERIFY),
                    perObject(fit, Estimate.Kind.COPY), perObject(fit, Estimate.Kind.DELTA), perObject(fit, Estimate.Kind.VERIFY)));
        });
        return new Fit(out, List.copyOf(notes));
    }

    /** A rehearsed step: x objects per stream, y seconds the model did not account for; warm once a step of its kind ran before. */
    private record Point(String id, double x, double y, boolean warm) {
    }

    private static String name(Estimate.Kind kind) {
        return switch (kind) {
            case COPY -> "pre-copy";
            case DELTA -> "delta";
            case VERIFY -> "verify";
        };
    }

    /**
     * {start, cost per object per stream} through the points {objects per stream, unaccounted seconds}: a median line
     * (Theil–Sen) where the steps differ in size (a cost per object is only seen across sizes), else the median as the
     * start and no cost per object (NaN). The cost per object is the median of the slopes between every two steps of
     * different sizes, the start the median of what each step leaves beside it: one step slowed by the shared machine
     * moves neither, where it would drag a least-squares line (rehearse several steps of each size: shards). Neither is
     * negative: a line whose cost per object would be negative falls back to the median as the start; one whose start
     * would be below {@link #MIN_START} is held there, its cost per object the median of each step's {@code (y - start) / x}.
     * Then the answer has two more elements, the free line's start and cost per object, for the note that says so.
     */
    static double[] fit(List<double[]> points) {
        double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
        double sxx = points.stream().mapToDouble(p -> (p[0] - mx) * (p[0] - mx)).sum();
        double median = median(points.stream().map(p -> p[1]).toList());
        if (sxx <= 1e-9 * Math.max(1, mx * mx)) {
            return new double[]{Math.max(MIN_START, median), Double.NaN};
        }
        double eps = 1e-9 * Math.max(1, Math.abs(mx));
        List<Double> slopes = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            for (int j = i + 1; j < points.size(); j++) {
                double dx = points.get(j)[0] - points.get(i)[0];
                if (Math.abs(dx) > eps) {
                    slopes.add((points.get(j)[1] - points.get(i)[1]) / dx);
                }
            }
        }
        double k = median(slopes);
        double start = median(points.stream().map(p -> p[1] - k * p[0]).toList());
        if (k < 0) {
            return new double[]{Math.max(MIN_START, median), Double.NaN, start, k};
        }
        if (start < MIN_START) {
            // The start held at the least a start can be: the cost per object is real, the start nearly none (a slightly
            // negative start is measurement noise, not a reason to drop the slope).
            List<Double> held = points.stream().filter(p -> p[0] > eps).map(p -> (p[1] - MIN_START) / p[0]).toList();
            double h = held.isEmpty() ? 0 : median(held);
            if (h <= 0) {
                return new double[]{Math.max(MIN_START, median), Double.NaN, start, k};
            }
            return new double[]{MIN_START, h, start, k};
        }
        return new double[]{start, k};
    }

    private static Double start(Map<Estimate.Kind, double[]> fit, Estimate.Kind kind) {
        double[] f = fit.get(kind);
        return f == null ? null : f[0];
    }

    private static Double perObject(Map<Estimate.Kind, double[]> fit, Estimate.Kind kind) {
        double[] f = fit.get(kind);
        return f == null || Double.isNaN(f[1]) || f[1] <= 0 ? null : f[1];
    }

    /** The kind of start a step has, or null for steps whose start is not modelled this way (hooks, databases, bundles). */
    static Estimate.Kind kind(Step s) {
        if (s.kind().equals(ObjectParams.VERIFY)) {
            return Estimate.Kind.VERIFY;
        }
        if (s.kind().equals(ObjectParams.COPY)) {
            return s.phase() == Phase.PRESYNC ? Estimate.Kind.COPY : Estimate.Kind.DELTA;
        }
        return null;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
