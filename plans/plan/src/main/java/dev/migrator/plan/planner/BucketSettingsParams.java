package dev.migrator.plan.planner;

import java.util.List;

/**
 * Parameters of {@link #BUCKET_SETTINGS}, the step a move's {@code bucket-settings: true} adds after its pre-copy: the
 * source bucket's settings applied to the target where it has an equivalent, the rest reported as actions.
 *
 * @param from the source location's name
 * @param to   the target location's name
 */
public record BucketSettingsParams(String from, String to) implements StepParams {
    public static final String BUCKET_SETTINGS = "bucket-settings";

    @Override
    public List<String> locations() {
        return List.of(from, to);
    }
}
