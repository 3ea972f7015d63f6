package dev.migrator.provider.s3;

import dev.migrator.provider.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * A lean request path for the per-object calls (HEAD, GET, single-request PUT) and the listing (ListObjectsV2, read
 * by {@link S3Listing}): the request is built, SigV4-signed
 * and sent here, over the very {@link SdkHttpClient} the SDK client uses (same connections, timeouts, TLS, and
 * {@link GuardedHttpClient}'s cancellation and not-an-S3-server checks), without the SDK's per-request pipeline
 * (interceptors, endpoint rules, auth-scheme resolution, marshalling), which cost about three quarters of the client
 * CPU of a small-object copy (docs/benchmarks.md, issue 11).
 *
 * <p>Failures come out as the SDK's would, so {@link S3Errors#translate} decides about both paths alike: an error
 * answer is an {@link S3Exception} with the status and the {@code <Code>}/{@code <Message>} of its XML body, a broken
 * exchange an {@link SdkClientException} around the {@link IOException}.
 *
 * <p>Used only where its addressing is the SDK's for certain ({@link #forStore}): a custom endpoint without a path,
 * path-style, a known region. Everything else (AWS itself, with its endpoint rules and cross-region redirects, and
 * virtual-host addressing) goes through the SDK, as does {@code -Dmigrator.s3.wire=sdk}.
 */
final class S3Wire {
    static final String PROPERTY = "migrator.s3.wire";
    /** SHA-256 of no bytes: the payload hash of a request without a body. */
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
    private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Digests::sha256);
    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(S3Wire::hmac);

    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final String region;
    private final String scheme;
    private final String host;
    private final int port;
    /** The Host header as the HTTP client sends it: the port only when it is not the scheme's default. */
    private final String hostHeader;
    /** {@code /bucket/}: a key is appended url-encoded as the SDK encodes it. */
    private final String bucketPath;
    /** Over https, or plain http on port 80, the SDK signs what it sends on those; see {@link S3Signer}. */
    private final boolean signPayload;
    private volatile SigningKey signingKey;

    private S3Wire(S3Location location, AwsCredentialsProvider credentials, SdkHttpClient http) {
        URI e = location.endpoint();
        this.http = http;
        this.credentials = credentials;
        this.region = location.region();
        this.scheme = e.getScheme().toLowerCase(Locale.ROOT);
        this.host = e.getHost();
        int defaultPort = scheme.equals("https") ? 443 : 80;
        this.port = e.getPort() == -1 ? defaultPort : e.getPort();
        this.hostHeader = port == defaultPort ? host : host + ":" + port;
        this.bucketPath = "/" + SdkHttpUtils.urlEncode(location.bucket()) + "/";
        // S3Signer: over http a body that carries Content-MD5 goes unsigned unless the port is 80 or 443.
        this.signPayload = scheme.equals("http") && (port == 80 || port == 443);
    }

    /**
     * The lean path for this store, or null where the SDK decides the addressing (AWS, virtual-host style, an
     * endpoint with a path) or {@code -Dmigrator.s3.wire=sdk} asks for the SDK.
     */
    static S3Wire forStore(S3Location location, AwsCredentialsProvider credentials, SdkHttpClient http) {
        String mode = System.getProperty(PROPERTY, "lean").toLowerCase(Locale.ROOT);
        if (!mode.equals("lean") && !mode.equals("sdk")) {
            throw dev.migrator.provider.MigratorException.badInput("-D" + PROPERTY + "=" + mode
                    + " is not a request path: use lean or sdk");
        }
        URI e = location.endpoint();
        if (mode.equals("sdk") || e == null || !location.pathStyle() || location.region() == null
                || (e.getRawPath() != null && !e.getRawPath().isEmpty() && !e.getRawPath().equals("/"))
                || e.getRawQuery() != null) {
            return null;
        }
        return new S3Wire(location, credentials, http);
    }

    /** The encoded path of a key, as the SDK encodes its {@code {Key+}} label (slashes kept, so {@code //} stays). */
    String path(String fullKey) {
        return bucketPath + SdkHttpUtils.urlEncodeIgnoreSlashes(fullKey);
    }

    /**
     * Sends one request for {@code fullKey}; {@code headers} are sent and signed as given (lower-case names).
     * An answer of 300 or more is thrown as the {@link S3Exception} the SDK would throw, unless {@code allowed} is it.
     */
    HttpExecuteResponse exchange(SdkHttpMethod method, String fullKey, Map<String, String> headers, byte[] body,
                                 int allowed) {
        return send(sign(method, path(fullKey), Map.of(), headers, body), method, body, allowed);
    }

    /** A GET of the bucket itself ({@code /bucket}) with {@code query} (raw names and values), e.g. ListObjectsV2. */
    HttpExecuteResponse bucketGet(Map<String, String> query) {
        return send(sign(SdkHttpMethod.GET, bucketPath.substring(0, bucketPath.length() - 1), query, Map.of(), null),
                SdkHttpMethod.GET, null, 0);
    }

    private HttpExecuteResponse send(SdkHttpFullRequest request, SdkHttpMethod method, byte[] body, int allowed) {
        HttpExecuteRequest.Builder exec = HttpExecuteRequest.builder().request(request);
        if (body != null) {
            exec.contentStreamProvider(() -> new java.io.ByteArrayInputStream(body));
        }
        HttpExecuteResponse response;
        try {
            response = http.prepareRequest(exec.build()).call();
        } catch (IOException e) {
            throw SdkClientException.builder().message("Unable to execute HTTP request: " + e.getMessage()).cause(e).build();
        }
        int status = response.httpResponse().statusCode();
        if (status >= 300 && status != allowed) {
            throw failure(response, method);
        }
        return response;
    }

    /** The exception of an error answer, as the SDK builds it: status, S3 error code and message, request id. */
    private static S3Exception failure(HttpExecuteResponse response, SdkHttpMethod method) {
        SdkHttpResponse http = response.httpResponse();
        String xml = "";
        if (response.responseBody().isPresent()) {
            try (AbortableInputStream in = response.responseBody().get()) {
                xml = new String(in.readNBytes(1 << 16), StandardCharsets.UTF_8);
            } catch (IOException e) {
                // A cut-off error body: the status still decides.
            }
        }
        String code = method == SdkHttpMethod.HEAD ? null : match(CODE, xml);
        String message = method == SdkHttpMethod.HEAD ? null : match(MESSAGE, xml);
        String requestId = http.firstMatchingHeader("x-amz-request-id").orElse(null);
        return (S3Exception) S3Exception.builder()
                .statusCode(http.statusCode())
                .requestId(requestId)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("S3")
                        .sdkHttpResponse(http).build())
                .message((message != null ? message : "(no error message)") + " (Service: S3, Status Code: "
                        + http.statusCode() + ", Request ID: " + requestId + ")")
                .build();
    }

    private static String match(Pattern p, String xml) {
        Matcher m = p.matcher(xml);
        if (!m.find()) {
            return null;
        }
        return m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&amp;", "&");
    }

    /**
     * The headers of a PutObject as the SDK marshals the request's fields (built by {@link S3Metadata#apply} and
     * {@link WriteChecksum#set}, so both paths send the same values); {@code contentType} when the request has none,
     * as the SDK takes it from the request body. Fields the lean path does not send must not be set: it refuses them.
     */
    static Map<String, String> headers(PutObjectRequest r, String contentType) {
        Map<String, String> h = new TreeMap<>();
        h.put("content-length", String.valueOf(r.contentLength()));
        h.put("content-type", r.contentType() != null ? r.contentType() : contentType);
        putIf(h, "content-md5", r.contentMD5());
        putIf(h, "content-encoding", r.contentEncoding());
        putIf(h, "cache-control", r.cacheControl());
        putIf(h, "content-disposition", r.contentDisposition());
        putIf(h, "content-language", r.contentLanguage());
        if (r.expires() != null) {
            h.put("expires", software.amazon.awssdk.utils.DateUtils.formatRfc822Date(r.expires()));
        }
        putIf(h, "x-amz-storage-class", r.storageClassAsString());
        putIf(h, "x-amz-tagging", r.tagging());
        putIf(h, "x-amz-checksum-crc32", r.checksumCRC32());
        putIf(h, "x-amz-checksum-crc32c", r.checksumCRC32C());
        putIf(h, "x-amz-checksum-crc64nvme", r.checksumCRC64NVME());
        putIf(h, "x-amz-checksum-sha256", r.checksumSHA256());
        putIf(h, "if-none-match", r.ifNoneMatch());
        if (r.hasMetadata()) {
            // The names as given, trimmed as the SDK trims them (an interceptor).
            r.metadata().forEach((k, v) -> h.put("x-amz-meta-" + k.strip(), v));
        }
        PutObjectRequest known = PutObjectRequest.builder().bucket(r.bucket()).key(r.key()).contentLength(r.contentLength())
                .contentType(r.contentType()).contentMD5(r.contentMD5()).contentEncoding(r.contentEncoding())
                .cacheControl(r.cacheControl()).contentDisposition(r.contentDisposition())
                .contentLanguage(r.contentLanguage()).expires(r.expires()).storageClass(r.storageClassAsString())
                .tagging(r.tagging()).checksumCRC32(r.checksumCRC32()).checksumCRC32C(r.checksumCRC32C())
                .checksumCRC64NVME(r.checksumCRC64NVME()).checksumSHA256(r.checksumSHA256()).ifNoneMatch(r.ifNoneMatch())
                .metadata(r.hasMetadata() ? r.metadata() : null).build();
        if (!known.equals(r)) {
            // A field added to the SDK path later would silently be dropped here otherwise.
            throw new IllegalStateException("the lean PutObject does not send every field of " + r);
        }
        return h;
    }

    private static void putIf(Map<String, String> h, String name, String value) {
        if (value != null) {
            h.put(name, value);
        }
    }

    // --- SigV4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html) ---------------------

    /** The request with x-amz-date, x-amz-content-sha256, the session token if any, and Authorization. */
    SdkHttpFullRequest sign(SdkHttpMethod method, String encodedPath, Map<String, String> query, Map<String, String> headers,
                            byte[] body) {
        // Resolved per request: the provider caches the identity and refreshes it when it expires.
        AwsCredentials creds = credentials.resolveCredentials();
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String amzDate = amzDate(now);
        String date = amzDate.substring(0, 8);
        String payload = body == null ? EMPTY_SHA256 : signPayload ? Digests.hex(sha256(body)) : S3Signer.UNSIGNED_PAYLOAD;

        // Canonical names are lower-case and sorted; the headers go out with the names as given.
        TreeMap<String, String> signed = new TreeMap<>();
        headers.forEach((name, value) -> signed.put(name.toLowerCase(Locale.ROOT), value));
        signed.put("host", hostHeader);
        signed.put("x-amz-date", amzDate);
        signed.put("x-amz-content-sha256", payload);
        if (creds instanceof AwsSessionCredentials session) {
            signed.put("x-amz-security-token", session.sessionToken());
        }
        StringBuilder canonical = new StringBuilder(256).append(method.name()).append('\n')
                .append(encodedPath).append('\n').append(canonicalQuery(query)).append('\n');
        StringBuilder names = new StringBuilder(96);
        for (Map.Entry<String, String> h : signed.entrySet()) {
            canonical.append(h.getKey()).append(':').append(trimAll(h.getValue())).append('\n');
            names.append(names.isEmpty() ? "" : ";").append(h.getKey());
        }
        canonical.append('\n').append(names).append('\n').append(payload);
        String scope = date + "/" + region + "/s3/aws4_request";
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + Digests.hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        String signature = Digests.hex(mac(key(creds.secretAccessKey(), date), toSign));

        SdkHttpFullRequest.Builder b = SdkHttpFullRequest.builder().method(method).protocol(scheme).host(host)
                .port(port).encodedPath(encodedPath);
        query.forEach(b::putRawQueryParameter); // encoded by the request as canonicalQuery encodes them
        headers.forEach(b::putHeader);
        b.putHeader("Host", hostHeader); // HttpURLConnection sends its own, the same; other clients need it
        b.putHeader("x-amz-date", amzDate);
        b.putHeader("x-amz-content-sha256", payload);
        if (creds instanceof AwsSessionCredentials session) {
            b.putHeader("x-amz-security-token", session.sessionToken());
        }
        b.putHeader("Authorization", "AWS4-HMAC-SHA256 Credential=" + creds.accessKeyId() + "/" + scope
                + ", SignedHeaders=" + names + ", Signature=" + signature);
        return b.build();
    }

    /** SigV4's canonical query string: names and values url-encoded (RFC 3986), sorted by encoded name. */
    static String canonicalQuery(Map<String, String> query) {
        TreeMap<String, String> sorted = new TreeMap<>();
        query.forEach((name, value) -> sorted.put(SdkHttpUtils.urlEncode(name), SdkHttpUtils.urlEncode(value)));
        StringBuilder q = new StringBuilder();
        sorted.forEach((name, value) -> q.append(q.isEmpty() ? "" : "&").append(name).append('=').append(value));
        return q.toString();
    }

    /** The signing key of one (secret, date); region and service are fixed per store. Derived once a day. */
    private byte[] key(String secret, String date) {
        SigningKey k = signingKey;
        if (k == null || !k.date.equals(date) || !k.secret.equals(secret)) {
            byte[] d = mac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
            byte[] r = mac(d, region);
            byte[] s = mac(r, "s3");
            k = new SigningKey(secret, date, mac(s, "aws4_request"));
            signingKey = k;
        }
        return k.key;
    }

    /** The secret is kept only to notice rotated credentials; never printed (no toString of it). */
    private record SigningKey(String secret, String date, byte[] key) {
        @Override
        public String toString() {
            return "SigningKey[" + date + "]";
        }
    }

    static String amzDate(ZonedDateTime t) {
        char[] c = new char[16];
        put4(c, 0, t.getYear());
        put2(c, 4, t.getMonthValue());
        put2(c, 6, t.getDayOfMonth());
        c[8] = 'T';
        put2(c, 9, t.getHour());
        put2(c, 11, t.getMinute());
        put2(c, 13, t.getSecond());
        c[15] = 'Z';
        return new String(c);
    }

    private static void put4(char[] c, int at, int v) {
        put2(c, at, v / 100);
        put2(c, at + 2, v % 100);
    }

    private static void put2(char[] c, int at, int v) {
        c[at] = (char) ('0' + v / 10);
        c[at + 1] = (char) ('0' + v % 10);
    }

    /** SigV4's header value canonical form: trimmed, runs of spaces as one. */
    static String trimAll(String v) {
        String t = v.strip();
        if (t.indexOf("  ") < 0) {
            return t;
        }
        return t.replaceAll(" +", " ");
    }

    private static byte[] sha256(byte[] data) {
        MessageDigest d = SHA256.get();
        d.reset();
        return d.digest(data);
    }

    private static byte[] mac(byte[] key, String data) {
        Mac m = HMAC.get();
        try {
            m.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 refused a key", e);
        }
        return m.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }


    private static Mac hmac() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Wraps a failure while reading a body as the SDK path reports it. */
    static SdkException broken(IOException e) {
        return SdkClientException.builder().message(e.getMessage()).cause(e).build();
    }

    /** The body of an answer, or an empty stream (HEAD, 204). */
    static InputStream body(HttpExecuteResponse r) {
        return r.responseBody().<InputStream>map(b -> b).orElse(InputStream.nullInputStream());
    }
}
