package dev.migrator.transfer;

import java.util.List;

/**
 * The result of comparing two stores.
 *
 * @param compared     objects present on both sides and compared
 * @param sourceCount  objects in the source
 * @param targetCount  objects in the target
 * @param bytes        bytes in the source
 * @param differenceCount every difference found
 * @param differences  the first {@link Verifier#MAX_REPORTED} of them, in key order
 * @param seconds      wall time
 */
public record VerifyReport(long compared, long sourceCount, long targetCount, long bytes, long differenceCount,
                           List<Difference> differences, double seconds) {
    public boolean identical() {
        return differenceCount == 0;
    }
}
