package dev.migrator.plan.planner;

import java.util.List;
import java.util.Map;

/**
 * When each step is expected to run, from the start of the plan (seconds).
 *
 * @param steps         the steps in start order
 * @param start         planned start by step id
 * @param end           planned end by step id
 * @param presync       seconds of the pre-copy phase
 * @param cutover       seconds of the cut-over phase up to the switch: the write-freeze window
 * @param afterSwitch   seconds of the cut-over steps after the switch (full fingerprints of replicated databases)
 * @param criticalPath  the longest dependency chain, in order (ids)
 * @param lowerBound    max(critical path, total work / concurrency, bytes per endpoint / its bandwidth), per phase, summed:
 *                      no schedule can be shorter
 * @param waited        per phase, the seconds during which a ready step waited for each limit: a demand key of
 *                      {@link Step#demand} (an endpoint's bandwidth or requests) or {@link Resources#CONCURRENCY}
 */
public record Schedule(List<Step> steps, Map<String, Double> start, Map<String, Double> end, double presync,
                       double cutover, double afterSwitch, List<String> criticalPath, double lowerBound,
                       Map<Phase, Map<String, Double>> waited) {

    public double total() {
        return presync + cutover + afterSwitch;
    }
}
