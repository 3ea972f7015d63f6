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

    public boolean isEmpty() {
        return contentType == null && contentEncoding == null && cacheControl == null
                && contentDisposition == null && userMetadata.isEmpty();
    }
}
