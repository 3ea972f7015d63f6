package dev.migrator.transfer;

/**
 * One way two stores differ.
 *
 * @param key    the object key
 * @param kind   what differs
 * @param detail for a person: the two values
 */
public record Difference(String key, Kind kind, String detail) {
    public enum Kind {
        /** In the source, not in the target. */
        MISSING,
        /** In the target, not in the source. */
        EXTRA,
        /** Bytes differ (size or checksum). */
        CONTENT,
        /** Content-type, encoding, cache-control, disposition or user metadata differ. */
        METADATA,
        /** Could not be compared (read failed); counts as a difference. */
        ERROR
    }
}
