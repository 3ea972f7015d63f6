package dev.migrator.provider.s3;

import dev.migrator.provider.Archive;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.StorageClasses;
import java.util.Locale;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tier;

/**
 * S3 GLACIER and DEEP_ARCHIVE objects: their classes from ListObjectsV2, RestoreObject, and the restore's
 * progress from HEAD's {@code x-amz-restore} ({@code ongoing-request="true"} while it runs, {@code "false"}
 * with an expiry date once the copy can be read). GLACIER_IR is read at once and is not archived here.
 */
final class S3Archive implements Archive {
    private final S3ObjectStore store;

    S3Archive(S3ObjectStore store) {
        this.store = store;
    }

    @Override
    public StorageClasses.Family family() {
        return StorageClasses.Family.S3;
    }

    @Override
    public Stream<Listed> listWithClasses(String prefix) {
        return store.listWithClasses(prefix, null);
    }

    @Override
    public State state(String key) {
        String full = store.fullKey(key);
        String what = "reading the restore state of " + store.location.describe(key);
        HeadObjectResponse head;
        try {
            head = store.s3().headObject(b -> b.bucket(store.location.bucket()).key(full));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw MigratorException.notFound(what + ": no such object");
            }
            throw store.errors.translate(e, what);
        } catch (SdkException e) {
            throw store.errors.translate(e, what);
        }
        return state(head.storageClassAsString(), head.restore());
    }

    /** The state for a HEAD's storage class and {@code x-amz-restore} header. */
    static State state(String storageClass, String restore) {
        boolean archived = StorageClasses.tier(StorageClasses.Family.S3, storageClass)
                .map(StorageClasses.Tier::needsRestore).orElse(false);
        if (!archived) {
            return State.READABLE;
        }
        if (restore == null || restore.isBlank()) {
            return State.ARCHIVED;
        }
        String r = restore.replace(" ", "").toLowerCase(Locale.ROOT);
        if (r.contains("ongoing-request=\"true\"")) {
            return State.RESTORING;
        }
        return r.contains("ongoing-request=\"false\"") ? State.RESTORED : State.ARCHIVED;
    }

    /** RestoreObject; a restore already under way (409 RestoreAlreadyInProgress) is what was asked for. */
    @Override
    public void requestRestore(String key, int days, Speed speed) {
        String full = store.fullKey(key);
        String what = "asking for the restore of " + store.location.describe(key);
        Tier tier = switch (speed) {
            case EXPEDITED -> Tier.EXPEDITED;
            case STANDARD -> Tier.STANDARD;
            case BULK -> Tier.BULK;
        };
        try {
            store.s3().restoreObject(b -> b.bucket(store.location.bucket()).key(full)
                    .restoreRequest(r -> r.days(days).glacierJobParameters(g -> g.tier(tier))));
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if (e.statusCode() == 409 && "RestoreAlreadyInProgress".equals(code)) {
                return;
            }
            throw store.errors.translate(e, what);
        } catch (SdkException e) {
            throw store.errors.translate(e, what);
        }
    }
}
