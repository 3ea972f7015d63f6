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
 * @param verifiedBy   how many objects' contents were compared on each kind of evidence
 *                     ({@code "stored CRC32C"}: from the checksums both stores hold, no bytes read; {@code "read one
 *                     side, MD5"}; {@code "read both sides, MD5"}; {@code "sizes"}), in that order of how often
 */
public record VerifyReport(long compared, long sourceCount, long targetCount, long bytes, long differenceCount,
                           List<Difference> differences, double seconds, java.util.Map<String, Long> verifiedBy) {
    public VerifyReport {
        verifiedBy = verifiedBy == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(verifiedBy));
    }

    /** Without the evidence tally. */
    public VerifyReport(long compared, long sourceCount, long targetCount, long bytes, long differenceCount,
                        List<Difference> differences, double seconds) {
        this(compared, sourceCount, targetCount, bytes, differenceCount, differences, seconds, java.util.Map.of());
    }

    /** {@link #verifiedBy} as one line for a person, e.g. "verified from stored CRC32C: 12; read one side, MD5: 1". */
    public String evidence() {
        return verifiedBy.entrySet().stream().map(e -> (e.getKey().startsWith("stored") ? "verified from " : "")
                + e.getKey() + ": " + e.getValue()).collect(java.util.stream.Collectors.joining("; "));
    }

    public boolean identical() {
        return differenceCount == 0;
    }
}
