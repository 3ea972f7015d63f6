package dev.migrator.plan.planner;

/**
 * Parameters of the two steps a DNS switch hook with a {@code ttl} adds: {@link #LOWER_TTL} runs its
 * {@code lower-ttl} command at the start of the pre-copy and records when; {@link #TTL_WAIT}, just before the
 * switch, waits until the old TTL has passed since then.
 *
 * @param hook       the switch hook's name in the plan
 * @param ttlSeconds the record's TTL before it was lowered
 */
public record TtlParams(String hook, long ttlSeconds) implements StepParams {
    public static final String LOWER_TTL = "lower-ttl";
    public static final String TTL_WAIT = "ttl-wait";
}
