package dev.migrator.provider.s3;

import dev.migrator.provider.Durations;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Redaction;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A parsed {@code s3://bucket/prefix?options} URI. Parsing is offline; every mistake is a one-line
 * {@link dev.migrator.provider.ErrorCode#BAD_INPUT} naming the URI (redacted) and the fix.
 *
 * @param bucket      the bucket
 * @param rootPrefix  the key prefix everything lives under ({@link Keys#rootPrefix})
 * @param endpoint    an S3-compatible endpoint, or {@code null} for AWS S3
 * @param region      the region to sign for, or {@code null} to use the AWS default region chain
 * @param pathStyle   path-style addressing ({@code http://host/bucket/key})
 * @param checksumsWhenRequired only compute/validate the SDK's own checksums when an operation
 *                    requires it (we always send Content-MD5 ourselves)
 * @param profile     a named AWS profile, or {@code null}
 * @param accessKey   an access key given in the URI, or {@code null}
 * @param secretKey   its secret, or {@code null}
 * @param pageSize    objects per listing request
 * @param connectTimeout how long to wait for a connection ({@code connect-timeout=}, default 10 s)
 * @param readTimeout how long to wait for the first byte of an answer, or for the next one while a
 *                    body streams ({@code read-timeout=}, default 30 s)
 * @param displayUri  the URI without credentials, safe to print
 */
record S3Location(
        String bucket,
        String rootPrefix,
        URI endpoint,
        String region,
        boolean pathStyle,
        boolean checksumsWhenRequired,
        String profile,
        String accessKey,
        String secretKey,
        int pageSize,
        Duration connectTimeout,
        Duration readTimeout,
        String displayUri) {

    static final Set<String> OPTIONS = Set.of("endpoint", "region", "path-style", "checksums", "profile", "page-size",
            "access-key", "secret-key", "connect-timeout", "read-timeout");
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    static final Set<String> CREDENTIAL_OPTIONS = Set.of("access-key", "secret-key");

    static S3Location parse(URI uri) {
        String shown = Redaction.uri(withoutCredentials(uri.toString()));
        if (!"s3".equalsIgnoreCase(uri.getScheme())) {
            throw bad(shown, "is not an s3:// URI");
        }
        if (uri.isOpaque()) {
            throw bad(shown, "must be written s3://bucket/prefix");
        }
        String bucket = uri.getRawAuthority();
        if (bucket == null || bucket.isEmpty()) {
            throw bad(shown, "names no bucket; write s3://bucket/optional/prefix");
        }
        if (bucket.contains("@") || bucket.contains(":")) {
            throw bad(shown, "must not carry credentials or a port in the authority; use ?endpoint=, ?profile= "
                    + "or ?access-key=&secret-key=");
        }
        Map<String, String> q = query(uri, shown);
        String unknown = q.keySet().stream().filter(k -> !OPTIONS.contains(k)).sorted().collect(Collectors.joining(", "));
        if (!unknown.isEmpty()) {
            throw bad(shown, "has unknown option(s) " + unknown + "; known: "
                    + OPTIONS.stream().sorted().collect(Collectors.joining(", ")));
        }

        URI endpoint = null;
        if (q.containsKey("endpoint")) {
            endpoint = endpoint(q.get("endpoint"), shown);
        }
        boolean custom = endpoint != null;
        String region = blankToNull(q.get("region"));
        if (region == null && custom) {
            region = "us-east-1"; // S3-compatible stores ignore it, but SigV4 needs one
        }
        boolean pathStyle = bool(q, "path-style", custom, shown);
        boolean whenRequired = switch (q.getOrDefault("checksums", custom ? "when-required" : "when-supported")) {
            case "when-required" -> true;
            case "when-supported" -> false;
            default -> throw bad(shown, "has checksums=" + q.get("checksums") + "; use when-required or when-supported");
        };
        String profile = blankToNull(q.get("profile"));
        String accessKey = blankToNull(q.get("access-key"));
        String secretKey = blankToNull(q.get("secret-key"));
        if ((accessKey == null) != (secretKey == null)) {
            throw bad(shown, "needs both access-key= and secret-key=, or neither");
        }
        if (accessKey != null && profile != null) {
            throw bad(shown, "has both profile= and access-key=; use one");
        }
        int pageSize = 1000;
        if (q.containsKey("page-size")) {
            try {
                pageSize = Integer.parseInt(q.get("page-size"));
            } catch (NumberFormatException e) {
                pageSize = -1;
            }
            if (pageSize < 1 || pageSize > 1000) {
                throw bad(shown, "has page-size=" + q.get("page-size") + "; use a number from 1 to 1000");
            }
        }
        Duration connectTimeout = timeout(q, "connect-timeout", DEFAULT_CONNECT_TIMEOUT, shown);
        Duration readTimeout = timeout(q, "read-timeout", DEFAULT_READ_TIMEOUT, shown);
        return new S3Location(bucket, Keys.rootPrefix(uri.getPath()), endpoint, region, pathStyle, whenRequired,
                profile, accessKey, secretKey, pageSize, connectTimeout, readTimeout, shown);
    }

    /** A timeout option ({@link Durations}), or {@code dflt} when it is not given. */
    private static Duration timeout(Map<String, String> q, String name, Duration dflt, String shown) {
        String v = q.get(name);
        return v == null ? dflt : Durations.parse(v, "'" + shown + "' has " + name + "=" + v + ", which");
    }

    /** Where requests go, for messages: the endpoint, or AWS S3 and its region. */
    String endpointName() {
        return endpoint != null ? endpoint.toString() : "AWS S3" + (region != null ? " (" + region + ")" : "");
    }

    /** The full key of a key relative to the root. */
    String fullKey(String key) {
        return rootPrefix + key;
    }

    /** {@code s3://bucket/root/key}, for messages. */
    String describe(String key) {
        return "s3://" + bucket + "/" + rootPrefix + key;
    }

    /** Which credentials these are, without the secret: equal for stores that may copy between each other. */
    String credentialIdentity() {
        return accessKey != null ? "key:" + accessKey : profile != null ? "profile:" + profile : "default-chain";
    }

    private static URI endpoint(String value, String shown) {
        try {
            URI e = new URI(value);
            String scheme = e.getScheme() == null ? "" : e.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || e.getHost() == null) {
                throw bad(shown, "has endpoint=" + value + "; use http(s)://host[:port]");
            }
            if (e.getRawUserInfo() != null) {
                throw bad(shown, "has credentials in endpoint=; use access-key= and secret-key=");
            }
            // java.net.URI takes any number as a port; the HTTP client would fail later with a Java exception.
            if (e.getPort() == 0 || e.getPort() > 65535) {
                throw bad(shown, "has endpoint=" + value + " whose port " + e.getPort()
                        + " is not a TCP port; use a port from 1 to 65535");
            }
            return e;
        } catch (URISyntaxException ex) {
            throw bad(shown, "has endpoint=" + value + " which is not a URL (" + ex.getReason() + ")");
        }
    }

    private static boolean bool(Map<String, String> q, String name, boolean dflt, String shown) {
        String v = q.get(name);
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "" -> true;
            case "false" -> false;
            default -> throw bad(shown, "has " + name + "=" + v + "; use true or false");
        };
    }

    private static Map<String, String> query(URI uri, String shown) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (out.put(name, value) != null) {
                throw bad(shown, "gives option " + name + " twice");
            }
        }
        return out;
    }

    /** Percent-decoding only: a {@code +} stays a plus (AWS secret keys contain them). */
    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // The value is not echoed: it may be a secret.
            throw MigratorException.badInput("malformed percent-encoding in the options of an s3:// URI; "
                    + "write a literal % as %25");
        }
    }

    private static String decodeName(String pair) {
        String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
        try {
            return decode(name).toLowerCase(Locale.ROOT);
        } catch (MigratorException e) {
            return name;
        }
    }

    /** The URI with the credential options dropped (not just masked), so nothing hints at a secret. */
    static String withoutCredentials(String uri) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return uri;
        }
        int hash = uri.indexOf('#', q);
        String query = hash < 0 ? uri.substring(q + 1) : uri.substring(q + 1, hash);
        String kept = java.util.Arrays.stream(query.split("&"))
                .filter(p -> !CREDENTIAL_OPTIONS.contains(decodeName(p)))
                .collect(Collectors.joining("&"));
        return uri.substring(0, q) + (kept.isEmpty() ? "" : "?" + kept) + (hash < 0 ? "" : uri.substring(hash));
    }

    /** Never shows the secret (records print every component by default). */
    @Override
    public String toString() {
        return displayUri;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static MigratorException bad(String shownUri, String problem) {
        return MigratorException.badInput("'" + shownUri + "' " + problem);
    }
}
