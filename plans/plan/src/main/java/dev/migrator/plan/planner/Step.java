package dev.migrator.plan.planner;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One unit of work of a plan, as the planner made it and the executor runs it. What a step does is
 * its {@code kind} (an action in the executor's registry) with its typed {@code params}; everything else
 * (dependencies, estimate, resource demand) is kind-independent.
 *
 * @param id      unique and stable between runs of the same plan, e.g. {@code cutover/media/delta-2of4}
 * @param kind    what runs it: copy, verify, hook, db-copy, db-dump, db-restore, db-verify, bundle-pack, bundle-restore
 * @param phase   presync or cutover
 * @param move    the move it belongs to, or null for hooks
 * @param after   ids of steps that must finish first
 * @param params  the kind's parameter record (the kind encodes it into the frozen plan and back)
 * @param bytes   bytes it is expected to move or check
 * @param objects objects it is expected to move or check
 * @param seconds estimated duration
 * @param demand  bytes/s it uses on each endpoint while it runs (for bandwidth limits)
 * @param explain how the estimate was made, for a person
 */
public record Step(String id, String kind, Phase phase, String move, List<String> after, StepParams params,
                   long bytes, long objects, double seconds, Map<String, Long> demand, String explain) {
    public Step {
        after = List.copyOf(after);
        params = Objects.requireNonNull(params, "params");
        demand = Map.copyOf(demand);
    }
}
