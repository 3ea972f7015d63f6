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
 * what they left; with steps of different sizes (a rehearsal with a move of few objects and one of many), a line
 * through them, whose slope is a cost per object the model's figures miss (the journal's and the listing's share of
 * each object, say) and whose intercept is the start.
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
        Map<String, Map<Estimate.Kind, List<double[]>>> byTarget = new LinkedHashMap<>();
        Map<String, Throughput> targets = new LinkedHashMap<>();
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
                    .computeIfAbsent(kind, k -> new ArrayList<>()).add(new double[]{perStream, actual - work});
        }
        Map<String, Calibration> out = new LinkedHashMap<>();
        byTarget.forEach((to, kinds) -> {
            Map<Estimate.Kind, double[]> fit = new EnumMap<>(Estimate.Kind.class);
            kinds.forEach((kind, points) -> {
                double[] f = fit(points);
                Throughput.Figure had = targets.get(to).perObject().get(kind);
                if (!Double.isNaN(f[1]) && had != null) {
                    f[1] += had.value(); // the rehearsal's estimates already held the plan's cost per object
                }
                fit.put(kind, f);
            });
            out.put(to, Calibration.starts(start(fit, Estimate.Kind.COPY), start(fit, Estimate.Kind.DELTA), start(fit, Estimate.Kind.VERIFY),
                    perObject(fit, Estimate.Kind.COPY), perObject(fit, Estimate.Kind.DELTA), perObject(fit, Estimate.Kind.VERIFY)));
        });
        return out;
    }

    /**
     * {start, cost per object per stream} through the points {objects per stream, unaccounted seconds}: a least-squares
     * line where the steps differ in size (a cost per object is only seen across sizes), else the median as the start
     * and no cost per object (NaN). Neither is negative: a start at least {@link #MIN_START}.
     */
    static double[] fit(List<double[]> points) {
        double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
        double my = points.stream().mapToDouble(p -> p[1]).average().orElse(0);
        double sxx = points.stream().mapToDouble(p -> (p[0] - mx) * (p[0] - mx)).sum();
        if (sxx <= 1e-9 * Math.max(1, mx * mx)) {
            return new double[]{Math.max(MIN_START, median(points.stream().map(p -> p[1]).toList())), Double.NaN};
        }
        double sxy = points.stream().mapToDouble(p -> (p[0] - mx) * (p[1] - my)).sum();
        double k = Math.max(0, sxy / sxx);
        return new double[]{Math.max(MIN_START, my - k * mx), k};
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
