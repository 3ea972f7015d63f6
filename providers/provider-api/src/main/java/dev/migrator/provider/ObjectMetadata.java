package dev.migrator.provider;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The metadata that travels with an object on every path (direct copy and bundle). Each standard
 * header is {@code null} when the object has none. User metadata keys are lower-case (S3 and GCS
 * both treat them case-insensitively); values may hold any Unicode text (each adapter encodes it as
 * its provider does). Tags keep their case (S3 tag keys are case-sensitive). Both maps are kept
 * sorted so that equal metadata compares equal.
 *
 * @param contentLanguage the Content-Language header, or {@code null}
 * @param expires         the Expires header as an instant (whole seconds, as HTTP dates are), or {@code null}
 * @param storageClass    the class the store keeps the object in, in that provider's own spelling
 *                        ({@link StorageClasses}); {@code null} for the store's default class
 * @param tags            object tags (S3 tagging; a local store keeps them beside the file); empty
 *                        when the object has none. A store that cannot hold tags reports them empty.
 */
public record ObjectMetadata(
        String contentType,
        String contentEncoding,
        String cacheControl,
        String contentDisposition,
        Map<String, String> userMetadata,
        String contentLanguage,
        Instant expires,
        String storageClass,
        Map<String, String> tags) {

    public static final ObjectMetadata EMPTY = new ObjectMetadata(null, null, null, null, Map.of());

    public ObjectMetadata {
        TreeMap<String, String> sorted = new TreeMap<>();
        if (userMetadata != null) {
            userMetadata.forEach((k, v) -> sorted.put(k.toLowerCase(Locale.ROOT), Objects.requireNonNull(v, k)));
        }
        userMetadata = Collections.unmodifiableMap(sorted);
        TreeMap<String, String> sortedTags = new TreeMap<>();
        if (tags != null) {
            tags.forEach((k, v) -> sortedTags.put(Objects.requireNonNull(k, "tag key"), Objects.requireNonNull(v, k)));
        }
        tags = Collections.unmodifiableMap(sortedTags);
        // HTTP dates have whole seconds; truncating here keeps a round trip through a header equal.
        expires = expires == null ? null : expires.truncatedTo(ChronoUnit.SECONDS);
        storageClass = storageClass == null || storageClass.isBlank() ? null : storageClass.trim();
    }

    /** The five headers every store has carried since the beginning; no language, expiry, class or tags. */
    public ObjectMetadata(String contentType, String contentEncoding, String cacheControl, String contentDisposition,
                          Map<String, String> userMetadata) {
        this(contentType, contentEncoding, cacheControl, contentDisposition, userMetadata, null, null, null, null);
    }

    public ObjectMetadata withContentType(String type) {
        return new ObjectMetadata(type, contentEncoding, cacheControl, contentDisposition, userMetadata,
                contentLanguage, expires, storageClass, tags);
    }

    public ObjectMetadata withContentLanguage(String language) {
        return new ObjectMetadata(contentType, contentEncoding, cacheControl, contentDisposition, userMetadata,
                language, expires, storageClass, tags);
    }

    public ObjectMetadata withExpires(Instant expiry) {
        return new ObjectMetadata(contentType, contentEncoding, cacheControl, contentDisposition, userMetadata,
                contentLanguage, expiry, storageClass, tags);
    }

    public ObjectMetadata withStorageClass(String cls) {
        return new ObjectMetadata(contentType, contentEncoding, cacheControl, contentDisposition, userMetadata,
                contentLanguage, expires, cls, tags);
    }

    public ObjectMetadata withTags(Map<String, String> newTags) {
        return new ObjectMetadata(contentType, contentEncoding, cacheControl, contentDisposition, userMetadata,
                contentLanguage, expires, storageClass, newTags);
    }

    /**
     * Whether two content types mean the same thing: no type and the generic binary types stores
     * substitute for it are equal, and case and blanks around parameters do not matter (HTTP servers
     * rewrite {@code text/plain; charset=utf-8} as {@code text/plain;charset=utf-8}).
     */
    public static boolean sameContentType(String a, String b) {
        return Objects.equals(normalContentType(a), normalContentType(b));
    }

    private static String normalContentType(String type) {
        if (type == null) {
            return null;
        }
        String t = type.replaceAll("\\s*;\\s*", ";").trim().toLowerCase(Locale.ROOT);
        return t.isEmpty() || t.equals("application/octet-stream") || t.equals("binary/octet-stream") ? null : t;
    }

    /**
     * Equal metadata, with content types compared by {@link #sameContentType} and storage classes by
     * {@link StorageClasses#sameClass} (a store's default class and no class are the same). Classes
     * of two providers are compared after mapping, by the caller ({@link StorageClasses#map}).
     */
    public boolean sameAs(ObjectMetadata other) {
        return sameContentType(contentType, other.contentType)
                && Objects.equals(contentEncoding, other.contentEncoding)
                && Objects.equals(cacheControl, other.cacheControl)
                && Objects.equals(contentDisposition, other.contentDisposition)
                && userMetadata.equals(other.userMetadata)
                && Objects.equals(contentLanguage, other.contentLanguage)
                && Objects.equals(expires, other.expires)
                && StorageClasses.sameClass(storageClass, other.storageClass)
                && tags.equals(other.tags);
    }

    public boolean isEmpty() {
        return contentType == null && contentEncoding == null && cacheControl == null
                && contentDisposition == null && userMetadata.isEmpty() && contentLanguage == null
                && expires == null && storageClass == null && tags.isEmpty();
    }
}
