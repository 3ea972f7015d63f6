package dev.migrator.plan.model;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A plan file, parsed and checked: names resolve, values are in range. See docs/plan-format.md.
 *
 * @param file      the plan file
 * @param name      a title for reports
 * @param deadlineAt the instant everything must be done by, or null
 * @param deadlineIn the time everything must take at most, or null
 * @param locations sources and targets by name, in file order
 * @param moves     in file order
 * @param limits    concurrency and retries
 * @param hooks     in file order
 * @param drill     where a drill puts things, or null when the plan has no drill section
 */
public record Plan(Path file, String name, Instant deadlineAt, Duration deadlineIn, Map<String, Location> locations,
                   List<Move> moves, Limits limits, List<Hook> hooks, Drill drill) {

    /**
     * @param concurrency steps running at once
     * @param attempts    tries per step before it fails
     * @param backoff     wait before the second try; doubles each time
     */
    public record Limits(int concurrency, int attempts, Duration backoff) {
    }

    /**
     * @param targets  scratch URI per target location name
     * @param deadline the recovery time the drill must meet, or null for the plan's
     * @param hooks    whether hooks run in a drill (off by default: a drill must not freeze production)
     */
    public record Drill(Map<String, String> targets, Duration deadline, boolean hooks, Pos pos) {
    }

    public Location location(String name) {
        return locations.get(name);
    }
}
