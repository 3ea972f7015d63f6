package dev.migrator.provider;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The metadata that travels with an object on every path (direct copy and bundle). Each standard
 * header is {@code null} when the object has none. User metadata keys are lower-case (S3 and GCS
 * both treat them case-insensitively) and kept sorted so that equal metadata compares equal.
 */
public record ObjectMetadata(
        String contentType,
        String contentEncoding,
        String cacheControl,
        String contentDisposition,
        Map<String, String> userMetadata) {

    public static final ObjectMetadata EMPTY = new ObjectMetadata(null, null, null, null, Map.of());

    public ObjectMetadata {
        TreeMap<String, String> sorted = new TreeMap<>();
        if (userMetadata != null) {
            userMetadata.forEach((k, v) -> sorted.put(k.toLowerCase(java.util.Locale.ROOT), Objects.requireNonNull(v, k)));
        }
        userMetadata = Collections.unmodifiableMap(sorted);
    }

    public ObjectMetadata withContentType(String type) {
        return new ObjectMetadata(type, contentEncoding, cacheControl, contentDisposition, userMetadata);
    }

    /**
     * Whether two content types mean the same thing: no type and the generic binary types stores
     * substitute for it are equal, and case and blanks around parameters do not matter (HTTP servers
     * rewrite {@code text/plain; charset=utf-8} as {@code text/plain;charset=utf-8}).
     */
    public static boolean sameContentType(String a, String b) {
        return java.util.Objects.equals(normalContentType(a), normalContentType(b));
    }

    private static String normalContentType(String type) {
        if (type == null) {
            return null;
        }
        String t = type.replaceAll("\\s*;\\s*", ";").trim().toLowerCase(java.util.Locale.ROOT);
        return t.isEmpty() || t.equals("application/octet-stream") || t.equals("binary/octet-stream") ? null : t;
    }

    /** Equal metadata, with content types compared by {@link #sameContentType}. */
    public boolean sameAs(ObjectMetadata other) {
        return sameContentType(contentType, other.contentType)
                && java.util.Objects.equals(contentEncoding, other.contentEncoding)
                && java.util.Objects.equals(cacheControl, other.cacheControl)
                && java.util.Objects.equals(contentDisposition, other.contentDisposition)
                && userMetadata.equals(other.userMetadata);
    }

    public boolean isEmpty() {
        return contentType == null && contentEncoding == null && cacheControl == null
                && contentDisposition == null && userMetadata.isEmpty();
    }
}
