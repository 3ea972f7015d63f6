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
 * @param pos      where it is declared
 */
public record Hook(Point point, String name, String command, Duration timeout, Duration estimate, Pos pos) {

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
