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
 * Starts are kept per target location and step kind (pre-copy, delta, verify), the median of the steps of that kind.
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
        Map<String, Map<Estimate.Kind, List<Double>>> byTarget = new LinkedHashMap<>();
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
            double work = Math.max(0, s.seconds() - Estimate.plannedStart(a, b, kind));
            byTarget.computeIfAbsent(m.to(), k -> new EnumMap<>(Estimate.Kind.class))
                    .computeIfAbsent(kind, k -> new ArrayList<>()).add(Math.max(MIN_START, actual - work));
        }
        Map<String, Calibration> out = new LinkedHashMap<>();
        byTarget.forEach((to, kinds) -> out.put(to, Calibration.starts(median(kinds.get(Estimate.Kind.COPY)),
                median(kinds.get(Estimate.Kind.DELTA)), median(kinds.get(Estimate.Kind.VERIFY)))));
        return out;
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

    private static Double median(List<Double> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
