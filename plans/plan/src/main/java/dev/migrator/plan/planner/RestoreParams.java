package dev.migrator.plan.planner;

import dev.migrator.provider.Archive;
import dev.migrator.transfer.Selection;
import java.util.List;

/**
 * Parameters of {@link #RESTORE}, the step {@code archived: restore} adds before a move's copies: asks the source to
 * restore every archived object of the selection, then polls each until it can be read.
 *
 * @param from        the source location's name
 * @param selection   the move's keys
 * @param speed       the restore tier
 * @param days        how long the restored copies stay readable
 * @param pollSeconds how often to ask whether they are done
 */
public record RestoreParams(String from, Selection selection, Archive.Speed speed, int days, long pollSeconds) implements StepParams {
    public static final String RESTORE = "restore";

    public RestoreParams {
        selection = selection == null ? Selection.ALL : selection;
    }

    @Override
    public List<String> locations() {
        return List.of(from);
    }

    /**
     * Hours a restore takes at most, by the providers' documented figures: S3 GLACIER expedited 1–5 minutes, standard
     * 3–5 hours, bulk 5–12 hours; DEEP_ARCHIVE standard within 12 hours, bulk within 48 (no expedited); Azure Archive
     * rehydration standard up to 15 hours, high priority under 1 hour for small blobs.
     */
    public static double hours(String storageClass, Archive.Speed speed) {
        return switch (storageClass) {
            case "DEEP_ARCHIVE" -> speed == Archive.Speed.BULK ? 48 : 12;
            case "Archive" -> speed == Archive.Speed.EXPEDITED ? 1 : 15;
            default -> switch (speed) {
                case EXPEDITED -> 5 / 60.0;
                case STANDARD -> 5;
                case BULK -> 12;
            };
        };
    }
}
