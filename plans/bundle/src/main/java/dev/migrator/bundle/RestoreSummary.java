package dev.migrator.bundle;

import java.util.List;

/**
 * The result of {@link BundleReader#restore}.
 *
 * @param restored      entries written
 * @param restoredBytes their bytes
 * @param skipped       entries already identical at the target
 * @param conflicts     entries left alone because the target holds different data
 * @param problems      the first {@link BundleReader#MAX_REPORTED} conflicts, for a person
 * @param seconds       wall time
 * @param actions       what applying the bundled bucket settings left to the operator, one sentence each
 */
public record RestoreSummary(long restored, long restoredBytes, long skipped, long conflicts, List<String> problems,
                             double seconds, List<String> actions) {
    public RestoreSummary {
        actions = actions == null ? List.of() : List.copyOf(actions);
    }

    public RestoreSummary(long restored, long restoredBytes, long skipped, long conflicts, List<String> problems, double seconds) {
        this(restored, restoredBytes, skipped, conflicts, problems, seconds, List.of());
    }
}
