package dev.migrator.plan.executor;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.migrator.plan.planner.StepParams;
import java.io.IOException;

/**
 * One kind of step: the parameter record its steps carry, how that record is frozen into the state
 * directory's plan.json and read back, what it does, and whether it verifies (its result then says whether
 * source and target are identical, and the report counts it as a verification).
 *
 * <p>The encoding is the record as a JSON object, field by field (a {@code Selection} as its include and
 * exclude lists and range ends), so a frozen plan stays readable; a kind whose record Jackson cannot map
 * overrides {@link #encode} and {@link #decode}.
 *
 * @param name     the kind's name in plans, reports and the frozen plan (e.g. {@code copy})
 * @param params   the record its steps carry
 * @param verifies whether its result is a verification
 * @param action   what it does
 */
public record StepKind<P extends StepParams>(String name, Class<P> params, boolean verifies, Action<P> action) {
    /** Records by their components only: a derived {@code isX()} (e.g. {@code Selection.isAll}) is not a parameter. */
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .setVisibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE);

    /**
     * What a kind's step does with its parameters. Implementations do the work and prove it: a step that
     * returns has succeeded (and, when it verifies, found no differences). Failures are
     * {@link dev.migrator.provider.MigratorException}s; the executor retries those classified retryable or of
     * code FAILED/INTEGRITY, with backoff.
     *
     * <p>Contract: idempotent (a retry or a resumed run calls it again after a partial attempt, and it must
     * finish the job without harm); stops soon after {@link StepContext#cancelled()} turns true or a registered
     * cancel callback runs; reports bytes as it goes through {@link StepContext#transferred}.
     */
    @FunctionalInterface
    public interface Action<P> {
        StepResult run(StepContext context, P params) throws Exception;
    }

    /** A kind without parameters (a barrier, or a test's). */
    public static StepKind<StepParams.None> simple(String name, boolean verifies, Action<StepParams.None> action) {
        return new StepKind<>(name, StepParams.None.class, verifies, action);
    }

    /** The parameters as they go into the frozen plan. */
    public JsonNode encode(StepParams p) {
        return JSON.valueToTree(params.cast(p));
    }

    /** The parameters back from the frozen plan. */
    public P decode(JsonNode n) throws IOException {
        return JSON.treeToValue(n, params);
    }

    StepResult run(StepContext ctx) throws Exception {
        return action.run(ctx, params.cast(ctx.step().params()));
    }
}
