package dev.migrator.plan.planner;

import java.util.HashMap;
import java.util.Map;

/**
 * The limits steps share: how many run at once, and each endpoint's bytes/s (keyed by its name) and requests/s
 * (keyed by its name + {@link Planner#REQUESTS}, where known). The one place deciding
 * whether a step may start now; the scheduler and the executor both ask it, so a run keeps the limits
 * its schedule assumed. Not thread-safe: callers synchronize.
 */
public final class Resources {
    /** What {@link #blockedBy} names when every slot for steps is taken. */
    public static final String CONCURRENCY = "steps at once";
    private final int concurrency;
    private final Map<String, Long> bandwidth;
    private final Map<String, Long> used = new HashMap<>();
    private int running;

    /** {@code bandwidth}: capacity by demand key ({@link Step#demand}); keys not named are unlimited. */
    public Resources(int concurrency, Map<String, Long> bandwidth) {
        this.concurrency = concurrency;
        this.bandwidth = Map.copyOf(bandwidth);
    }

    public int concurrency() {
        return concurrency;
    }

    public Map<String, Long> bandwidth() {
        return bandwidth;
    }

    /** Whether no more steps can start until one ends. */
    public boolean full() {
        return running >= concurrency;
    }

    public int running() {
        return running;
    }

    /** Whether {@code step} fits now. A step that alone exceeds a capacity fits when that endpoint is idle (it gets what there is). */
    public boolean fits(Step step) {
        return blockedBy(step) == null;
    }

    /** What keeps {@code step} from starting now: {@link #CONCURRENCY}, the demand key of a full capacity, or null when it fits. */
    public String blockedBy(Step step) {
        if (running >= concurrency) {
            return CONCURRENCY;
        }
        for (Map.Entry<String, Long> d : step.demand().entrySet()) {
            Long cap = bandwidth.get(d.getKey());
            if (cap == null) {
                continue;
            }
            long inUse = used.getOrDefault(d.getKey(), 0L);
            if (inUse > 0 && inUse + Math.min(d.getValue(), cap) > cap) {
                return d.getKey();
            }
        }
        return null;
    }

    public void acquire(Step step) {
        running++;
        step.demand().forEach((e, r) -> used.merge(e, clamp(e, r), Long::sum));
    }

    public void release(Step step) {
        running--;
        step.demand().forEach((e, r) -> used.merge(e, -clamp(e, r), Long::sum));
    }

    private long clamp(String endpoint, long rate) {
        Long cap = bandwidth.get(endpoint);
        return cap == null ? rate : Math.min(rate, cap);
    }
}
