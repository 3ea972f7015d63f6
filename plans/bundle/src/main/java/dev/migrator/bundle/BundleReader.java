package dev.migrator.bundle;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.RetryingObjectStore;
import dev.migrator.transfer.Progress;
import java.util.Map;

/**
 * Reads a bundle: {@link #inspect} (the manifest's header only), {@link #verify} (every byte and every
 * checksum; {@link BundleVerifier}) and {@link #restore} (entries into object stores or databases, each
 * entry's checksum checked before it is written; {@link BundleRestorer}). The checks both apply live in
 * {@link BundleArchive}. Names in an archive are never trusted: an entry must be a regular file
 * whose name is safe ({@link BundleLayout#requireSafe}) and is the next one the manifest lists;
 * anything else is refused before a byte of it is written.
 */
public final class BundleReader {
    public static final int MAX_REPORTED = 1000;

    private final ObjectStore bundle;
    private final Retry.Listener onRetry;
    private final Encryption key;

    private BundleReader(ObjectStore bundle, Retry retry, Progress progress, Encryption key) {
        this.key = key;
        this.onRetry = (what, attempt, cause) -> progress.retrying(what, cause.getMessage());
        this.bundle = RetryingObjectStore.around(bundle, retry, onRetry); // never retried twice
    }

    /** A reader of the bundle at {@code bundle} (the store rooted at the bundle's location). */
    public static BundleReader open(ObjectStore bundle) {
        return open(bundle, Retry.DEFAULT, Progress.NONE);
    }

    public static BundleReader open(ObjectStore bundle, Retry retry, Progress progress) {
        return open(bundle, retry, progress, null);
    }

    /** A reader with the key of an encrypted bundle ({@code null} for an unencrypted one). */
    public static BundleReader open(ObjectStore bundle, Retry retry, Progress progress, Encryption key) {
        BundleReader r = new BundleReader(bundle, retry, progress, key);
        if (r.bundle.stat(BundleLayout.SUMS).isEmpty() && r.bundle.stat(BundleLayout.MANIFEST).isEmpty()) {
            throw MigratorException.notFound("no bundle at " + bundle.displayUri() + " (no " + BundleLayout.MANIFEST
                    + " or " + BundleLayout.SUMS + "); give the location 'migrator bundle create' printed");
        }
        return r;
    }

    public String displayUri() {
        return bundle.displayUri();
    }

    /** The manifest's header: sources, parts, sizes, created-at. Reads no data part. */
    public Manifest.Header inspect() {
        try (ManifestReader m = new ManifestReader(bundle)) {
            return m.header();
        }
    }

    BundleRef ref(int resumed, double seconds) {
        Manifest.Header h = inspect();
        return new BundleRef(bundle.displayUri(), h.sources().size(), h.entries(), h.bytes(), h.parts().size(), h.storedBytes(),
                resumed, 0, seconds);
    }

    // ---------------------------------------------------------------- verify and restore

    /**
     * Reads every part and checks every checksum: {@code SHA256SUMS} against the manifest and the parts,
     * each part's size and SHA-256, each entry's name, size and SHA-256. Never throws for damage: every
     * damaged file or entry is in the report.
     */
    public BundleCheck verify(Progress progress) {
        return new BundleVerifier(new BundleArchive(bundle, key)).verify(progress);
    }

    /**
     * Restores the sources named in {@code targets} (source id to target). Before anything is written,
     * the manifest is checked against {@code SHA256SUMS} and every entry name in it is checked. Each
     * entry is then read, checked against its SHA-256 and only then written; an object the target
     * already holds identically is skipped (so running the same restore again resumes it), one it holds
     * differently is a conflict, left alone unless {@link RestoreOptions#overwrite}.
     */
    public RestoreSummary restore(Map<String, RestoreTarget> targets, RestoreOptions options, Progress progress) {
        return new BundleRestorer(new BundleArchive(bundle, key), onRetry).restore(targets, options, progress);
    }
}
