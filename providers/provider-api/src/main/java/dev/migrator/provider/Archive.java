package dev.migrator.provider;

import java.util.stream.Stream;

/**
 * Optional capability of a store whose objects may sit in a class that cannot be read until restored
 * (S3 GLACIER and DEEP_ARCHIVE, Azure Archive): what the listing says of each object's class, and the
 * restore request and its progress. Reached through {@link ObjectStore#archive()}; thread-safe.
 */
public interface Archive {

    /** One listed object with the storage class its listing reports ({@code null}: the default class). */
    record Listed(ObjectInfo info, String storageClass) {
        /** Whether an object of this class must be restored before it can be read ({@link StorageClasses.Tier#needsRestore}). */
        public boolean archived(StorageClasses.Family family) {
            return StorageClasses.tier(family, storageClass).map(StorageClasses.Tier::needsRestore).orElse(false);
        }
    }

    /** Where an archived object stands. */
    enum State {
        /** readable now: not in an archive class */
        READABLE,
        /** in an archive class, no restore asked for (or the restored copy has expired) */
        ARCHIVED,
        /** a restore was asked for and is still running */
        RESTORING,
        /** in an archive class with a restored copy that can be read now */
        RESTORED;

        /** Whether a GET reads the object now. */
        public boolean readable() {
            return this == READABLE || this == RESTORED;
        }
    }

    /** How fast a restore runs (and what it costs); the provider's own names. */
    enum Speed { EXPEDITED, STANDARD, BULK }

    /** Whose class names the listing uses. */
    StorageClasses.Family family();

    /**
     * Like {@link ObjectStore#list(String)}, in the same order and memory, with each object's class as the
     * listing reports it.
     */
    Stream<Listed> listWithClasses(String prefix);

    /** Where {@code key} stands; {@link ErrorCode#NOT_FOUND} when there is no such object. */
    State state(String key);

    /**
     * Asks the store to restore {@code key} for {@code days} days at {@code speed}. Repeating it while a restore
     * runs or after it finished is not an error (idempotent).
     */
    void requestRestore(String key, int days, Speed speed);
}
