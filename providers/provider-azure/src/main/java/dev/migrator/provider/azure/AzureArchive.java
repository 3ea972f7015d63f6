package dev.migrator.provider.azure;

import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.ArchiveStatus;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.RehydratePriority;
import dev.migrator.provider.Archive;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.StorageClasses;
import java.util.stream.Stream;

/**
 * Blobs in the Archive tier: their tier from the listing (which carries it), rehydration to Hot as the restore
 * (Set Blob Tier with a rehydrate priority), and its progress from the blob's archive status. A rehydrated blob is Hot
 * from then on, so a copy of it writes the target's hot class, not its archive class.
 */
final class AzureArchive implements Archive {
    private final AzureObjectStore store;

    AzureArchive(AzureObjectStore store) {
        this.store = store;
    }

    @Override
    public StorageClasses.Family family() {
        return StorageClasses.Family.AZURE;
    }

    /** A listed blob whose tags the listing did not carry has no metadata: its class is read with a stat. */
    @Override
    public Stream<Listed> listWithClasses(String prefix) {
        return store.list(prefix).map(o -> {
            dev.migrator.provider.ObjectInfo known = o.metadata() != null ? o : store.stat(o.key()).orElse(o);
            return new Listed(o, known.metadata() == null ? null : known.metadata().storageClass());
        });
    }

    @Override
    public State state(String key) {
        BlobProperties p;
        try {
            p = store.blob(key).getProperties();
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                throw MigratorException.notFound("reading the tier of '" + key + "' in " + store.displayUri() + ": no such blob");
            }
            throw store.errors.translate(e, key);
        } catch (RuntimeException e) {
            throw store.errors.translate(e, key);
        }
        if (!AccessTier.ARCHIVE.equals(p.getAccessTier())) {
            return State.READABLE;
        }
        ArchiveStatus s = p.getArchiveStatus();
        return s != null && s.toString().startsWith("rehydrate-pending") ? State.RESTORING : State.ARCHIVED;
    }

    /** Rehydrates to Hot; {@code days} does not apply (the blob stays Hot), {@code EXPEDITED} is High priority. */
    @Override
    public void requestRestore(String key, int days, Speed speed) {
        RehydratePriority priority = speed == Speed.EXPEDITED ? RehydratePriority.HIGH : RehydratePriority.STANDARD;
        store.call(key, () -> store.blob(key).setAccessTierWithResponse(AccessTier.HOT, priority, null, null, null));
    }
}
