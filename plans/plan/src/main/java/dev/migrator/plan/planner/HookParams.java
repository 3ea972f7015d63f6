package dev.migrator.plan.planner;

/**
 * Parameters of a {@link #HOOK} step.
 *
 * @param hook the hook's name in the plan
 */
public record HookParams(String hook) implements StepParams {
    public static final String HOOK = "hook";
}
