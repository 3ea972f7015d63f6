package dev.migrator.provider.azure;

import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlobHttpHeaders;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.StorageClasses;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link ObjectMetadata} to and from what a block blob holds, in one place:
 * <ul>
 *   <li>the five headers and Content-Language are blob properties;</li>
 *   <li>user metadata: names through {@link MetadataNames}; a value that is not printable ASCII (Azure sends
 *       metadata as HTTP headers) is stored RFC 2047-encoded ({@code =?UTF-8?B?...?=}) and decoded on read, as
 *       S3 tools do;</li>
 *   <li>Expires, which a blob has no property for, is kept in the reserved metadata name {@link #EXPIRES}
 *       (which {@link MetadataNames} never produces) as an HTTP date;</li>
 *   <li>the storage class is the access tier (Hot, Cool, Cold, Archive; {@link StorageClasses}); a tier Azure
 *       only infers from the account's default is reported as no class;</li>
 *   <li>tags are blob index tags; Azure allows 10 per blob, keys of 1-128 and values of 0-256 characters from
 *       letters, digits, space and {@code + - . / : = _}: others are refused, naming the tag.</li>
 * </ul>
 */
final class AzureMetadata {
    static final String EXPIRES = MetadataNames.MARKER + "_expires";
    private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x20-\\x7e]*");
    private static final Pattern ENCODED = Pattern.compile("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?=");
    private static final Pattern TAG_CHARS = Pattern.compile("[A-Za-z0-9 +\\-./:=_]*");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private AzureMetadata() {
    }

    static BlobHttpHeaders headers(ObjectMetadata meta, byte[] md5) {
        return new BlobHttpHeaders()
                .setContentType(meta.contentType())
                .setContentEncoding(meta.contentEncoding())
                .setCacheControl(meta.cacheControl())
                .setContentDisposition(meta.contentDisposition())
                .setContentLanguage(meta.contentLanguage())
                .setContentMd5(md5);
    }

    /** The blob metadata for {@code meta}: user metadata and Expires. */
    static Map<String, String> metadata(ObjectMetadata meta) {
        Map<String, String> out = new TreeMap<>();
        meta.userMetadata().forEach((k, v) -> out.put(MetadataNames.toAzure(k), encodeValue(v)));
        if (meta.expires() != null) {
            out.put(EXPIRES, HTTP_DATE.format(meta.expires()));
        }
        return out;
    }

    /** The tags to write, checked against Azure's rules; {@code null} for none. */
    static Map<String, String> tags(ObjectMetadata meta, String what) {
        if (meta.tags().isEmpty()) {
            return null;
        }
        if (meta.tags().size() > 10) {
            throw MigratorException.badInput(what + " has " + meta.tags().size() + " tags; Azure keeps at most 10 per"
                    + " blob: remove some at the source");
        }
        meta.tags().forEach((k, v) -> {
            if (k.isEmpty() || k.length() > 128 || v.length() > 256 || !TAG_CHARS.matcher(k).matches()
                    || !TAG_CHARS.matcher(v).matches()) {
                throw MigratorException.badInput("tag '" + k + "' of " + what + " cannot be an Azure blob index tag"
                        + " (keys of 1-128 and values of up to 256 letters, digits, spaces and + - . / : = _): change"
                        + " it at the source");
            }
        });
        return meta.tags();
    }

    /** The access tier for the class, or {@code null} for the account's default; an unknown class is refused. */
    static AccessTier tier(ObjectMetadata meta, String what) {
        String given = meta.storageClass();
        if (given == null) {
            return null;
        }
        // Another provider's class (an S3 or GCS source) is written as the access tier of the same temperature, as the S3
        // and GCS adapters map classes; a name no table knows is refused rather than dropped.
        String cls = StorageClasses.tier(StorageClasses.Family.ANY, given).isPresent()
                ? StorageClasses.forTarget(given, StorageClasses.Family.ANY, StorageClasses.Family.AZURE, null) : given;
        if (cls == null) {
            return null;
        }
        if (StorageClasses.tier(StorageClasses.Family.AZURE, cls).isEmpty()) {
            throw MigratorException.badInput("storage class '" + cls + "' of " + what + " is not an Azure access tier"
                    + " (" + String.join(", ", StorageClasses.names(StorageClasses.Family.AZURE)) + ")");
        }
        return AccessTier.fromString(cls);
    }

    /** The metadata read back from a blob's properties, metadata, tier and tags. */
    static ObjectMetadata read(String contentType, String contentEncoding, String cacheControl,
            String contentDisposition, String contentLanguage, Map<String, String> stored, AccessTier tier,
            Boolean tierInferred, Map<String, String> tags) {
        Map<String, String> user = new TreeMap<>();
        Instant expires = null;
        if (stored != null) {
            for (Map.Entry<String, String> e : stored.entrySet()) {
                if (e.getKey().equalsIgnoreCase(EXPIRES)) {
                    expires = parseDate(e.getValue());
                    if (expires != null) {
                        continue;
                    }
                }
                user.put(MetadataNames.fromAzure(e.getKey()), decodeValue(e.getValue() == null ? "" : e.getValue()));
            }
        }
        String cls = tier == null || Boolean.TRUE.equals(tierInferred) ? null : tier.toString();
        return new ObjectMetadata(contentType, contentEncoding, cacheControl, contentDisposition, user, contentLanguage,
                expires, cls, tags);
    }

    static String encodeValue(String v) {
        if (PRINTABLE_ASCII.matcher(v).matches() && v.equals(v.strip()) && !v.startsWith("=?")) {
            return v;
        }
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    static String decodeValue(String v) {
        Matcher m = ENCODED.matcher(v);
        if (!m.matches()) {
            return v;
        }
        try {
            return new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return v; // not ours: keep it as stored
        }
    }

    private static Instant parseDate(String v) {
        try {
            return v == null ? null : Instant.from(HTTP_DATE.parse(v));
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
