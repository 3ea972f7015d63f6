package dev.migrator.plan.model;

import java.time.Duration;

/**
 * A shell command run at a point of the plan, e.g. "put the app in read-only mode" at {@link Point#FREEZE}.
 *
 * @param point    when it runs
 * @param name     unique, used in step ids
 * @param command  run with {@code sh -c}; non-zero exit fails the step
 * @param timeout  killed after this
 * @param estimate how long it usually takes (for the schedule)
 * @param ttl      a switch hook that repoints a DNS record: the record's current TTL, or null. Resolvers may keep
 *                 the old answer that long after the switch unless the TTL was lowered at least that long before
 * @param lowerTtl the shell command that lowers that record's TTL (run at the start of the pre-copy; the switch
 *                 waits until the old TTL has expired since), or null
 * @param pos      where it is declared
 */
public record Hook(Point point, String name, String command, Duration timeout, Duration estimate, Duration ttl, String lowerTtl,
                   Pos pos) {

    public enum Point {
        /** Before the bulk pre-copy starts. */
        BEFORE_PRESYNC("before-presync"),
        /** Starts the cut-over: writes stop at the old system; the freeze window opens. */
        FREEZE("freeze"),
        /** Ends the cut-over once everything is verified: traffic goes to the new host; the window closes. */
        SWITCH("switch");

        public final String word;

        Point(String word) {
            this.word = word;
        }
    }
}
