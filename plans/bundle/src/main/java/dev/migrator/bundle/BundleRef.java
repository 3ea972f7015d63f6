package dev.migrator.bundle;

/**
 * A finished bundle.
 *
 * @param uri         where it is (redacted)
 * @param sources     how many sources it holds
 * @param entries     entries in all sources
 * @param bytes       their total size
 * @param parts       data parts
 * @param storedBytes bytes stored in the parts (compressed)
 * @param resumed     parts an earlier, interrupted run had already finished
 * @param vanished    objects listed but deleted from the source before they were read
 * @param seconds     wall time of this run
 */
public record BundleRef(String uri, int sources, long entries, long bytes, int parts, long storedBytes, int resumed,
                        long vanished, double seconds) {
}
