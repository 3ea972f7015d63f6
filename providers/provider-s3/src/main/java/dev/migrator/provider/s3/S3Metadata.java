package dev.migrator.provider.s3;

import dev.migrator.provider.Checksums;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.StorageClasses;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import dev.migrator.provider.ObjectInfo;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * How {@link ObjectMetadata} travels in S3 requests and responses, in one place for PUT, multipart
 * uploads and CopyObject:
 * <ul>
 *   <li>standard headers as they are; {@code Expires} as an HTTP date;</li>
 *   <li>user metadata values that are not US-ASCII as RFC 2047 encoded words ({@code =?UTF-8?B?…?=}), which
 *       is what S3 itself stores and returns for them; keys must be ASCII (HTTP header names);</li>
 *   <li>tags in {@code x-amz-tagging} as a URL query string, read back with GetObjectTagging;</li>
 *   <li>the storage class in {@code x-amz-storage-class}, mapped to S3's names ({@link StorageClasses}); the
 *       default STANDARD is not sent.</li>
 * </ul>
 */
final class S3Metadata {
    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?]+)\\?([BbQq])\\?([^?]*)\\?=");

    private S3Metadata() {
    }

    static void apply(ObjectMetadata m, PutObjectRequest.Builder b, String where) {
        b.contentType(m.contentType()).contentEncoding(m.contentEncoding()).cacheControl(m.cacheControl())
                .contentDisposition(m.contentDisposition()).contentLanguage(m.contentLanguage()).expires(m.expires())
                .metadata(unlessEmpty(userMetadata(m, where))).storageClass(storageClass(m)).tagging(tagging(m));
    }

    static void apply(ObjectMetadata m, CreateMultipartUploadRequest.Builder b, String where) {
        b.contentType(m.contentType()).contentEncoding(m.contentEncoding()).cacheControl(m.cacheControl())
                .contentDisposition(m.contentDisposition()).contentLanguage(m.contentLanguage()).expires(m.expires())
                .metadata(unlessEmpty(userMetadata(m, where))).storageClass(storageClass(m)).tagging(tagging(m));
    }

    /** Null for no user metadata: an empty map, once set, makes the SDK rebuild every PUT to trim the names. */
    private static Map<String, String> unlessEmpty(Map<String, String> user) {
        return user.isEmpty() ? null : user;
    }

    /** CopyObject replaces the metadata and the tags with the given ones (REPLACE directives). */
    static void apply(ObjectMetadata m, CopyObjectRequest.Builder b, String where) {
        b.contentType(m.contentType()).contentEncoding(m.contentEncoding()).cacheControl(m.cacheControl())
                .contentDisposition(m.contentDisposition()).contentLanguage(m.contentLanguage()).expires(m.expires())
                .metadata(userMetadata(m, where)).storageClass(storageClass(m))
                .taggingDirective(software.amazon.awssdk.services.s3.model.TaggingDirective.REPLACE)
                .tagging(m.tags().isEmpty() ? "" : tagging(m));
    }

    /** The class to send: S3's own name for the object's class (mapped from another provider's), null for STANDARD. */
    static String storageClass(ObjectMetadata m) {
        return StorageClasses.forTarget(m.storageClass(), StorageClasses.Family.ANY, StorageClasses.Family.S3, null);
    }

    static String tagging(ObjectMetadata m) {
        if (m.tags().isEmpty()) {
            return null;
        }
        return m.tags().entrySet().stream().map(e -> query(e.getKey()) + "=" + query(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String query(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Tags as S3 returns them from GetObjectTagging. */
    static Map<String, String> tags(java.util.List<Tag> tagSet) {
        Map<String, String> out = new TreeMap<>();
        tagSet.forEach(t -> out.put(t.key(), t.value()));
        return out;
    }

    /** Parses a tagging query string ({@code a=1&b=2}), as tests and {@code x-amz-tagging} carry it. */
    static Map<String, String> parseTagging(String query) {
        Map<String, String> out = new TreeMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    static Map<String, String> userMetadata(ObjectMetadata m, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        m.userMetadata().forEach((k, v) -> {
            if (!isPrintableAscii(k)) {
                throw MigratorException.badInput("user metadata key '" + k + "' of " + where
                        + " is not ASCII, and S3 keeps user metadata in HTTP headers, whose names must be;"
                        + " rename the key on the source or leave it out with a filter");
            }
            out.put(k, isPrintableAscii(v) && !v.contains("=?") ? v : encodeWord(v));
        });
        return out;
    }

    /** User metadata read from S3, with RFC 2047 encoded words decoded. */
    static Map<String, String> decodeUserMetadata(Map<String, String> raw) {
        Map<String, String> out = new TreeMap<>();
        raw.forEach((k, v) -> out.put(k, decodeWords(v)));
        return out;
    }

    private static boolean isPrintableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    static String encodeWord(String value) {
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    static String decodeWords(String value) {
        if (value == null || !value.contains("=?")) {
            return value;
        }
        Matcher m = ENCODED_WORD.matcher(value);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            String between = value.substring(last, m.start());
            // RFC 2047: white space between two adjacent encoded words is not part of the text.
            if (!(last > 0 && between.isBlank())) {
                out.append(between);
            }
            java.nio.charset.Charset cs;
            try {
                cs = java.nio.charset.Charset.forName(m.group(1));
            } catch (RuntimeException unknown) {
                return value; // not an encoded word we can read: keep the text as stored
            }
            byte[] bytes;
            if (m.group(2).equalsIgnoreCase("B")) {
                try {
                    bytes = Base64.getDecoder().decode(m.group(3));
                } catch (IllegalArgumentException notBase64) {
                    return value;
                }
            } else {
                bytes = qDecode(m.group(3));
            }
            out.append(new String(bytes, cs));
            last = m.end();
        }
        out.append(value.substring(last));
        return out.toString();
    }

    private static byte[] qDecode(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '_') {
                out.write(' ');
            } else if (c == '=' && i + 2 < s.length()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    /**
     * Full-object checksums from a HEAD or GET with checksum mode on: CRC64NVME always, CRC32, CRC32C and
     * SHA-256 only when S3 says the checksum type is FULL_OBJECT (a COMPOSITE one, {@code …-N}, is a checksum of
     * the parts' checksums and equals nothing another store computes).
     */
    static Checksums checksums(Checksums base, String crc32, String crc32c, String crc64nvme, String sha256, ChecksumType type) {
        Checksums c = base.with(dev.migrator.provider.Capabilities.ChecksumKind.CRC64NVME, fullObject(crc64nvme));
        if (type == ChecksumType.FULL_OBJECT || type == null) {
            c = c.with(dev.migrator.provider.Capabilities.ChecksumKind.CRC32, fullObject(crc32))
                    .with(dev.migrator.provider.Capabilities.ChecksumKind.CRC32C, fullObject(crc32c));
            // SHA-256 is full-object only on a single PUT, which S3 reports with no type or FULL_OBJECT.
            c = c.with(dev.migrator.provider.Capabilities.ChecksumKind.SHA256, fullObject(sha256));
        }
        return c;
    }

    /**
     * What a HEAD or GET answer says about an object, read from its headers as the SDK's unmarshalling reads them
     * (the lean path, {@link S3Wire}); the same fields {@code S3ObjectStore#info} takes from the SDK's response.
     */
    static ObjectInfo info(String key, SdkHttpResponse r, Map<String, String> tags) {
        String etag = S3ObjectStore.unquote(header(r, "ETag"));
        String sse = header(r, "x-amz-server-side-encryption");
        boolean md5 = etag != null && S3ObjectStore.PLAIN_MD5.matcher(etag).matches()
                && S3ObjectStore.etagIsMd5(sse == null ? null : ServerSideEncryption.fromValue(sse),
                        header(r, "x-amz-server-side-encryption-customer-algorithm"));
        String type = header(r, "x-amz-checksum-type");
        String length = header(r, "Content-Length");
        Map<String, String> user = new TreeMap<>();
        r.forEachHeader((name, values) -> {
            if (name.regionMatches(true, 0, USER_PREFIX, 0, USER_PREFIX.length()) && !values.isEmpty()) {
                user.put(name.substring(USER_PREFIX.length()), values.get(0));
            }
        });
        return new ObjectInfo(key, length == null ? -1 : Long.parseLong(length.trim()), date(header(r, "Last-Modified")),
                etag, checksums(md5 ? Checksums.md5(etag) : Checksums.NONE, header(r, "x-amz-checksum-crc32"),
                        header(r, "x-amz-checksum-crc32c"), header(r, "x-amz-checksum-crc64nvme"),
                        header(r, "x-amz-checksum-sha256"), type == null ? null : ChecksumType.fromValue(type)),
                new ObjectMetadata(blankToNull(header(r, "Content-Type")), blankToNull(header(r, "Content-Encoding")),
                        blankToNull(header(r, "Cache-Control")), blankToNull(header(r, "Content-Disposition")),
                        decodeUserMetadata(user), blankToNull(header(r, "Content-Language")), date(header(r, "Expires")),
                        header(r, "x-amz-storage-class"), tags));
    }

    private static final String USER_PREFIX = "x-amz-meta-";

    static String header(SdkHttpResponse r, String name) {
        return r.firstMatchingHeader(name).orElse(null);
    }

    /** An HTTP date as the SDK parses header timestamps; null when absent or unparsable (as the SDK's Expires). */
    static java.time.Instant date(String value) {
        if (value == null) {
            return null;
        }
        java.time.Instant fixed = dev.migrator.provider.Instants.imfFixdate(value);
        if (fixed != null) {
            return fixed;
        }
        try {
            return software.amazon.awssdk.utils.DateUtils.parseRfc822Date(value);
        } catch (RuntimeException unparsable) {
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String fullObject(String base64) {
        return base64 == null || base64.isBlank() || base64.contains("-") ? null : Checksums.hexOfBase64(base64);
    }
}
