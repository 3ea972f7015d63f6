package dev.migrator.transfer;

import dev.migrator.provider.ObjectInfo;

/**
 * Events the engine emits while it works; the CLI renders them as a progress bar or JSON. Called from
 * many threads at once; implementations must be thread-safe and fast.
 */
public interface Progress {
    Progress NONE = new Progress() { };

    /** The source listing found another object (totals grow until {@link #listingDone}). */
    default void listed(ObjectInfo object) { }

    /** The source listing is complete: totals are final. */
    default void listingDone() { }

    /** {@code bytes} more bytes were read from a source. */
    default void transferred(long bytes) { }

    /** One object is finished, whatever the outcome. */
    default void finished(ObjectInfo object, Outcome outcome) { }

    /** An operation failed and will be retried. */
    default void retrying(String what, String reason) { }

    enum Outcome { COPIED, SKIPPED, FAILED }
}
