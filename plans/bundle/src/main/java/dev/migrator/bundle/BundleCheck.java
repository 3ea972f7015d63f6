package dev.migrator.bundle;

import java.util.List;

/**
 * The result of {@link BundleReader#verify}.
 *
 * @param parts       parts read
 * @param entries     entries whose checksum was checked
 * @param bytes       entry bytes checked
 * @param damageCount everything found wrong
 * @param damage      the first {@link BundleReader#MAX_REPORTED} of them, in bundle order
 * @param seconds     wall time
 */
public record BundleCheck(int parts, long entries, long bytes, long damageCount, List<Damage> damage, double seconds) {
    public boolean intact() {
        return damageCount == 0;
    }
}
