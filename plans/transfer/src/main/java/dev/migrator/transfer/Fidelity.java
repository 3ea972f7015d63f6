package dev.migrator.transfer;

import dev.migrator.provider.Capabilities.ChecksumKind;
import dev.migrator.provider.ChecksumDigest;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StorageClasses;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** The one definition of "the same object" used by copy (to skip) and verify (to report). */
final class Fidelity {
    static final String EMPTY_MD5 = Digests.hex(Digests.md5().digest());

    private Fidelity() {
    }

    /**
     * Human-readable differences between a source object's metadata {@code a} and its copy's {@code b} in
     * {@code bStore}, empty when the copy is faithful. The copy must hold {@code a} as that store keeps it
     * ({@link ObjectMetadata#storedIn}): the storage class mapped to its provider, or the class chosen for
     * it ({@link StorageClassOverride}); tags and Expires only where it keeps them.
     */
    static List<String> metadataDifferences(ObjectStore aStore, ObjectMetadata a, ObjectStore bStore, ObjectMetadata b) {
        ObjectMetadata want = a.storedIn(bStore.capabilities(), StorageClassOverride.of(bStore).orElse(null));
        List<String> out = new ArrayList<>();
        if (!ObjectMetadata.sameContentType(want.contentType(), b.contentType())) {
            out.add("content-type " + quote(want.contentType()) + " vs " + quote(b.contentType()));
        }
        compare(out, "content-encoding", want.contentEncoding(), b.contentEncoding());
        compare(out, "cache-control", want.cacheControl(), b.cacheControl());
        compare(out, "content-disposition", want.contentDisposition(), b.contentDisposition());
        compare(out, "content-language", want.contentLanguage(), b.contentLanguage());
        compare(out, "expires", want.expires() == null ? null : want.expires().toString(), b.expires() == null ? null : b.expires().toString());
        if (!want.userMetadata().equals(b.userMetadata())) {
            out.add("user metadata " + want.userMetadata() + " vs " + b.userMetadata());
        }
        if (!want.tags().equals(b.tags()) && aStore.capabilities().tags()) {
            out.add("tags " + want.tags() + " vs " + b.tags());
        }
        if (!StorageClasses.sameClass(want.storageClass(), b.storageClass())) {
            out.add("storage class " + quote(b.storageClass()) + " where " + quote(want.storageClass()) + " was expected"
                    + (Objects.equals(want.storageClass(), a.storageClass()) ? "" : " (the source's " + quote(a.storageClass()) + ", mapped)"));
        }
        return out;
    }

    private static void compare(List<String> out, String name, String a, String b) {
        if (!Objects.equals(a, b)) {
            out.add(name + " " + quote(a) + " vs " + quote(b));
        }
    }

    private static String quote(String s) {
        return s == null ? "(none)" : "'" + s + "'";
    }

    /** The MD5 of an object: the one the store reports, or computed by reading it. */
    static String md5(ObjectStore store, ObjectInfo info) {
        if (info.checksums().md5() != null) {
            return info.checksums().md5();
        }
        MessageDigest md5 = Digests.md5();
        byte[] buf = new byte[256 * 1024];
        try (InputStream in = store.open(info.key(), 0, -1)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md5.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "reading '" + info.key() + "' from " + store.displayUri() + ": " + e.getMessage(), e);
        }
        return Digests.hex(md5.digest());
    }

    /**
     * How two objects' contents were compared and what differs.
     *
     * @param difference for a person, or null when equal
     * @param how        the evidence, for the report: {@code "sizes"}, {@code "stored CRC32C"} (checksums both stores
     *                   hold, no bytes read; named by the strongest shared), {@code "read one side, CRC32C"} or
     *                   {@code "read both sides, MD5"}
     */
    record ContentCheck(String difference, String how) {
    }

    /** {@link #checkContent}'s difference alone. */
    static String contentDifference(ObjectStore aStore, ObjectInfo a, ObjectStore bStore, ObjectInfo b) {
        return checkContent(aStore, a, bStore, b).difference();
    }

    /**
     * Whether two objects' bytes are equal: by size, then by the checksums both stores report (every
     * shared algorithm must agree; {@link Checksums#matches}), else by reading one side and computing the
     * strongest algorithm the other reports ({@link Checksums#STRONGEST_FIRST}), else by reading both.
     */
    static ContentCheck checkContent(ObjectStore aStore, ObjectInfo a, ObjectStore bStore, ObjectInfo b) {
        if (a.size() != b.size()) {
            return new ContentCheck("size " + a.size() + " vs " + b.size(), "sizes");
        }
        Optional<ChecksumKind> shared = a.checksums().strongestShared(b.checksums());
        if (shared.isPresent()) {
            ChecksumKind k = shared.get();
            return new ContentCheck(a.checksums().matches(b.checksums()) ? null
                    : k.name().toLowerCase(java.util.Locale.ROOT) + " " + a.checksums().get(k) + " vs " + b.checksums().get(k),
                    "stored " + k);
        }
        Optional<ChecksumKind> ofB = b.checksums().strongest();
        if (ofB.isPresent()) {
            return new ContentCheck(compareComputed(aStore, a, b.checksums(), ofB.get(), false), "read one side, " + ofB.get());
        }
        Optional<ChecksumKind> ofA = a.checksums().strongest();
        if (ofA.isPresent()) {
            return new ContentCheck(compareComputed(bStore, b, a.checksums(), ofA.get(), true), "read one side, " + ofA.get());
        }
        String ma = md5(aStore, a);
        String mb = md5(bStore, b);
        return new ContentCheck(ma.equals(mb) ? null : "md5 " + ma + " vs " + mb, "read both sides, MD5");
    }

    /** Reads {@code info} computing {@code kind} and compares it with the other side's reported value. */
    private static String compareComputed(ObjectStore store, ObjectInfo info, Checksums reported, ChecksumKind kind, boolean readIsB) {
        String computed = compute(store, info, Set.of(kind)).get(kind);
        String other = reported.get(kind);
        if (computed.equals(other)) {
            return null;
        }
        String name = kind.name().toLowerCase(java.util.Locale.ROOT);
        return readIsB ? name + " " + other + " vs " + computed + " (read)" : name + " " + computed + " (read) vs " + other;
    }

    /** The checksums of {@code kinds} over an object's bytes, by reading it. */
    static Checksums compute(ObjectStore store, ObjectInfo info, Set<ChecksumKind> kinds) {
        ChecksumDigest digest = new ChecksumDigest(kinds);
        byte[] buf = new byte[256 * 1024];
        try (InputStream in = store.open(info.key(), 0, -1)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "reading '" + info.key() + "' from " + store.displayUri() + ": " + e.getMessage(), e);
        }
        return digest.result();
    }
}
