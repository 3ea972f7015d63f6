package dev.migrator.plan.preflight;

import java.util.function.Consumer;

/**
 * One small, named readiness check of a plan. A check reads (or writes and removes a probe object), never
 * changes what a move reads or writes, and reports one {@link Finding} per thing it checked. It does not
 * throw for what it finds: a failure it found is a {@link Status#FAIL} finding naming the fix.
 */
public interface Check {
    /** Short and stable (it names the JUnit test class): {@code access}, {@code free-space}, ... */
    String name();

    void run(PreflightContext context, Consumer<Finding> out);
}
