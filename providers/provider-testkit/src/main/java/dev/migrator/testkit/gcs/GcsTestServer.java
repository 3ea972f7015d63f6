package dev.migrator.testkit.gcs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.migrator.provider.Keys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;

/**
 * An in-process Google Cloud Storage server on 127.0.0.1 speaking the subset of the JSON API v1 that
 * the {@code google-cloud-storage} client uses for plain object work, so tests exercise the real
 * client's HTTP path (paging, resumable chunks, ranges, checksums) without an emulator:
 *
 * <ul>
 *   <li>buckets: get, insert, patch of cors, lifecycle, website, versioning, iamConfiguration and labels, delete (empty
 *       buckets only);</li>
 *   <li>objects: list ({@code prefix}, {@code delimiter}, {@code maxResults}, {@code pageToken},
 *       {@code startOffset}/{@code endOffset}; UTF-8 byte order), get (resource, or {@code alt=media}
 *       with {@code Range}, gzip transcoding like GCS), delete, rewrite (at most 1 MiB per call, or
 *       {@code maxBytesRewrittenPerCall}, so callers must loop), copy;</li>
 *   <li>uploads: {@code uploadType=media}, {@code multipart} and {@code resumable} (chunks with
 *       {@code Content-Range}, 308 with {@code Range}, non-final chunks must be multiples of 256 KiB,
 *       status queries, cancel);</li>
 *   <li>object fields contentType, contentEncoding, cacheControl, contentDisposition, contentLanguage,
 *       customTime, metadata, and storageClass (one of the classes GCS has, else 400; STANDARD by default);</li>
 *   <li>md5Hash and crc32c computed server-side and checked against any the client sends; generation,
 *       metageneration and {@code ifGenerationMatch}/{@code ifGenerationNotMatch} preconditions;</li>
 *   <li>object versioning, as GCS keeps it: a bucket inserted with {@code versioning.enabled} (or
 *       {@link #enableVersioning}) keeps a replaced or deleted object as a noncurrent generation with
 *       {@code timeDeleted}; {@code versions=true} lists every generation (by name, then generation ascending),
 *       {@code generation=} reads or deletes one (deleting it permanently).</li>
 * </ul>
 *
 * <p>Not implemented (answers 501): ACLs, IAM, compose, patch/update, notifications, HMAC keys,
 * bucket patches. Start with {@link #start()}, point the client at {@link #endpoint()} with no
 * credentials. {@link #count} tells what the client did; {@link #failNextRequests} injects errors.
 * Set the system property {@code migrator.gcs.log=true} to print every request.
 */
public final class GcsTestServer implements AutoCloseable {
    /** Resumable chunks other than the last must be a multiple of this, as on GCS. */
    public static final int CHUNK_GRANULARITY = 256 * 1024;

    /** Like GCS for large objects, a rewrite call copies at most this much; the client must call again. */
    private static final long REWRITE_BYTES_PER_CALL = 1024 * 1024;
    private static final String PROJECT_NUMBER = "123456789";
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final HttpServer http;
    private final ExecutorService executor;
    private final URI endpoint;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong(System.currentTimeMillis() * 1000);
    private final boolean log = Boolean.getBoolean("migrator.gcs.log");
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus;

    private GcsTestServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gcs-test-server-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
        endpoint = URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    /** Starts a server on a free port of 127.0.0.1. */
    public static GcsTestServer start() {
        try {
            return new GcsTestServer();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the GCS test server", e);
        }
    }

    /** The base URI to give the client as its host, e.g. {@code http://127.0.0.1:41234}. */
    public URI endpoint() {
        return endpoint;
    }

    /** Creates an empty bucket (as buckets.insert would); an existing one is left as it is. */
    public void createBucket(String name) {
        buckets.computeIfAbsent(name, Bucket::new);
    }

    /** Makes {@code name} (created if absent) keep noncurrent generations, as {@code versioning.enabled} does. */
    public void enableVersioning(String name) {
        buckets.computeIfAbsent(name, Bucket::new).versioning = true;
    }

    // --- gcsset begin
    /** Bucket fields a buckets.patch accepts but does not keep (see {@link #dropPatchesOf}). */
    private final java.util.Set<String> droppedSettings = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Makes buckets.patch answer 200 for {@code field} ({@code cors}, {@code lifecycle}, {@code website}, ...) without
     * keeping it, as a server that takes a setting it does not support may: to test that a client reads back what it set.
     */
    public void dropPatchesOf(String field) {
        droppedSettings.add(field);
    }
    // --- gcsset end

    /**
     * How many requests of one kind the server has handled successfully. Kinds: {@code buckets.get},
     * {@code buckets.insert}, {@code buckets.delete}, {@code objects.list}, {@code objects.get},
     * {@code objects.get.media}, {@code objects.delete}, {@code objects.rewrite}, {@code objects.copy},
     * {@code objects.insert.media}, {@code objects.insert.multipart}, {@code objects.insert.resumable}
     * (sessions started), {@code objects.insert.resumable.chunk} (PUTs carrying bytes),
     * {@code objects.insert.resumable.bytes} (the bytes those PUTs carried, kept or not),
     * {@code objects.insert.resumable.finalized} and {@code objects.list.versions} (listings with {@code versions=true}).
     */
    public long count(String kind) {
        LongAdder c = counters.get(kind);
        return c == null ? 0 : c.sum();
    }

    /**
     * Answers the next {@code count} requests with {@code status} (a JSON API error, e.g. 503, 429, 401)
     * instead of handling them, to test how a client classifies failures and that it does not retry
     * on its own.
     */
    public void failNextRequests(int count, int status) {
        failureStatus = status;
        failuresLeft.set(count);
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- routing

    private void handle(HttpExchange ex) {
        try (ex) {
            String override = ex.getRequestHeaders().getFirst("X-HTTP-Method-Override");
            // The JDK's HttpURLConnection cannot send PATCH: the Google client sends POST with this header.
            String method = override != null && ex.getRequestMethod().equals("POST") ? override : ex.getRequestMethod();
            String rawPath = ex.getRequestURI().getRawPath();
            Map<String, String> query = Http.query(ex.getRequestURI().getRawQuery());
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (log) {
                System.err.printf("[gcs] %s %s%s %s (%d bytes)%n", method, rawPath,
                        ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery(),
                        interestingHeaders(ex), body.length);
            }
            if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    body = in.readAllBytes();
                }
            }
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                Http.sendError(ex, failureStatus, "injected", "GcsTestServer: injected failure " + failureStatus);
                return;
            }
            try {
                route(ex, method, rawPath, query, body);
            } catch (GcsError e) {
                Http.sendError(ex, e.status, e.reason, e.getMessage());
            } catch (RuntimeException e) {
                Http.sendError(ex, 500, "backendError", "GcsTestServer failed: " + e);
            }
        } catch (IOException e) {
            // The client went away; nothing to answer.
        }
    }

    private static String interestingHeaders(HttpExchange ex) {
        StringBuilder b = new StringBuilder();
        for (String h : List.of("Content-Type", "Content-Range", "Range", "Accept-Encoding", "X-Goog-Hash",
                "X-Upload-Content-Type", "X-Upload-Content-Length")) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) {
                b.append(h).append('=').append(v).append(' ');
            }
        }
        return b.toString().trim();
    }

    private void route(HttpExchange ex, String method, String rawPath, Map<String, String> q, byte[] body)
            throws IOException {
        String api;
        if (rawPath.startsWith("/storage/v1/")) {
            api = "json";
        } else if (rawPath.startsWith("/upload/storage/v1/")) {
            api = "upload";
        } else if (rawPath.startsWith("/download/storage/v1/")) {
            api = "download";
        } else {
            throw new GcsError(404, "notFound", "Not Found: " + rawPath);
        }
        String rest = rawPath.substring(rawPath.indexOf("/v1/") + 4);
        List<String> p = new ArrayList<>();
        for (String seg : rest.split("/", -1)) {
            p.add(Http.percentDecode(seg));
        }
        int n = p.size();
        if (!p.get(0).equals("b")) {
            throw notImplemented(method, rawPath);
        }
        if (api.equals("upload")) {
            if (n == 3 && p.get(2).equals("o")) {
                switch (method) {
                    case "POST" -> {
                        startUpload(ex, p.get(1), q, body);
                        return;
                    }
                    case "PUT" -> {
                        resumableChunk(ex, q, body);
                        return;
                    }
                    case "DELETE" -> {
                        cancelUpload(ex, q);
                        return;
                    }
                    default -> {
                    }
                }
            }
            throw notImplemented(method, rawPath);
        }
        if (api.equals("download")) {
            if (n == 4 && p.get(2).equals("o") && method.equals("GET")) {
                getObject(ex, p.get(1), p.get(3), q, true);
                return;
            }
            throw notImplemented(method, rawPath);
        }
        if (n == 1 && method.equals("POST")) {
            insertBucket(ex, q, body);
        } else if (n == 2 && method.equals("GET")) {
            getBucket(ex, p.get(1));
        } else if (n == 2 && (method.equals("PATCH") || method.equals("PUT"))) {
            patchBucket(ex, p.get(1), body, method.equals("PUT"));
        } else if (n == 2 && method.equals("DELETE")) {
            deleteBucket(ex, p.get(1));
        } else if (n == 3 && p.get(2).equals("o") && method.equals("GET")) {
            listObjects(ex, p.get(1), q);
        } else if (n == 4 && p.get(2).equals("o") && method.equals("GET")) {
            getObject(ex, p.get(1), p.get(3), q, "media".equals(q.get("alt")));
        } else if (n == 4 && p.get(2).equals("o") && method.equals("DELETE")) {
            deleteObject(ex, p.get(1), p.get(3), q);
        } else if (n == 9 && p.get(2).equals("o") && p.get(5).equals("b") && p.get(7).equals("o")
                && method.equals("POST") && (p.get(4).equals("rewriteTo") || p.get(4).equals("copyTo"))) {
            rewrite(ex, p.get(1), p.get(3), p.get(6), p.get(8), q, body, p.get(4).equals("copyTo"));
        } else {
            throw notImplemented(method, rawPath);
        }
    }

    private static GcsError notImplemented(String method, String rawPath) {
        return new GcsError(501, "notImplemented", "GcsTestServer does not implement " + method + " " + rawPath);
    }

    // ---------------------------------------------------------------- buckets

    private void insertBucket(HttpExchange ex, Map<String, String> q, byte[] body) throws IOException {
        Map<String, Object> resource = Json.parseObject(utf8(body));
        Object name = resource.get("name");
        if (!(name instanceof String s) || s.isEmpty()) {
            throw new GcsError(400, "required", "Required: bucket name");
        }
        if (q.get("project") == null) {
            throw new GcsError(400, "required", "Required parameter: project");
        }
        Bucket fresh = new Bucket(s);
        fresh.versioning = resource.get("versioning") instanceof Map<?, ?> v && Boolean.parseBoolean(String.valueOf(v.get("enabled")));
        if (buckets.putIfAbsent(s, fresh) != null) {
            throw new GcsError(409, "conflict", "Your previous request to create the named bucket succeeded and you already own it.");
        }
        tally("buckets.insert");
        Http.sendJson(ex, 200, fresh.json());
    }

    private void getBucket(HttpExchange ex, String name) throws IOException {
        Bucket b = bucket(name);
        tally("buckets.get");
        Http.sendJson(ex, 200, b.json());
    }

    /** The bucket settings the test server keeps, as the JSON API names them; others are refused, not dropped. */
    private static final java.util.Set<String> BUCKET_SETTINGS = java.util.Set.of("cors", "lifecycle", "website", "versioning",
            "iamConfiguration", "labels");

    /**
     * buckets.patch (and update): keeps the settings given (a {@code null} value clears one) and raises the
     * metageneration; a field the server does not keep is a 501 naming it rather than a silent success.
     */
    private void patchBucket(HttpExchange ex, String name, byte[] body, boolean replace) throws IOException {
        Bucket b = bucket(name);
        Map<String, Object> resource = Json.parseObject(utf8(body));
        synchronized (b) {
            if (replace) {
                b.settings.clear();
                b.versioning = false;
            }
            for (Map.Entry<String, Object> e : resource.entrySet()) {
                if (e.getKey().equals("versioning")) {
                    b.versioning = e.getValue() instanceof Map<?, ?> v && Boolean.parseBoolean(String.valueOf(v.get("enabled")));
                } else if (droppedSettings.contains(e.getKey())) {
                    continue; // --- gcsset: accepted, not kept (dropPatchesOf)
                } else if (BUCKET_SETTINGS.contains(e.getKey())) {
                    if (e.getValue() == null) {
                        b.settings.remove(e.getKey());
                    } else {
                        b.settings.put(e.getKey(), e.getValue());
                    }
                } else if (!List.of("name", "id", "kind", "etag", "metageneration", "selfLink", "projectNumber", "timeCreated",
                        "updated", "location", "storageClass").contains(e.getKey())) {
                    throw new GcsError(501, "notImplemented", "GcsTestServer does not keep the bucket field '" + e.getKey() + "'");
                }
            }
            b.metageneration++;
        }
        tally("buckets.patch");
        Http.sendJson(ex, 200, b.json());
    }

    private void deleteBucket(HttpExchange ex, String name) throws IOException {
        Bucket b = bucket(name);
        if (!b.objects.isEmpty()) {
            throw new GcsError(409, "conflict", "The bucket you tried to delete is not empty.");
        }
        buckets.remove(name, b);
        tally("buckets.delete");
        Http.send(ex, 204, Map.of(), null);
    }

    private Bucket bucket(String name) {
        Bucket b = buckets.get(name);
        if (b == null) {
            throw new GcsError(404, "notFound", "The specified bucket does not exist.");
        }
        return b;
    }

    // ---------------------------------------------------------------- objects

    private void listObjects(HttpExchange ex, String bucketName, Map<String, String> q) throws IOException {
        Bucket b = bucket(bucketName);
        if (q.containsKey("versions") && Boolean.parseBoolean(q.get("versions"))) {
            listVersions(ex, b, q);
            return;
        }
        String prefix = q.getOrDefault("prefix", "");
        String delimiter = q.get("delimiter");
        int max = q.containsKey("maxResults") ? Math.min(1000, Integer.parseInt(q.get("maxResults"))) : 1000;
        if (max < 1) {
            throw new GcsError(400, "invalid", "Invalid value for maxResults: " + max);
        }
        NavigableMap<String, StoredObject> view = b.objects;
        String token = q.get("pageToken");
        String after = null;
        String skipUnder = null;
        if (token != null && !token.isEmpty()) {
            String t = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            after = t.substring(2);
            skipUnder = t.startsWith("p:") ? after : null;
            view = view.tailMap(after, false);
        } else if (!prefix.isEmpty()) {
            view = view.tailMap(prefix, true);
        }
        if (q.get("startOffset") != null) {
            String start = q.get("startOffset");
            // Only narrows the view: a start at or below where it already begins (a page token's key, the
            // prefix) changes nothing, and a sub-map refuses a key outside its range.
            boolean narrows = after != null ? Keys.ORDER.compare(start, after) > 0
                    : prefix.isEmpty() || Keys.ORDER.compare(start, prefix) >= 0;
            view = narrows ? view.tailMap(start, true) : view;
        }
        String endOffset = q.get("endOffset");

        List<Object> items = new ArrayList<>();
        List<Object> prefixes = new ArrayList<>();
        String lastPrefix = skipUnder;
        String lastEmitted = null;
        boolean more = false;
        for (StoredObject o : view.values()) {
            if (!o.name.startsWith(prefix)) {
                if (Keys.ORDER.compare(o.name, prefix) > 0) {
                    break;
                }
                continue;
            }
            if (endOffset != null && Keys.ORDER.compare(o.name, endOffset) >= 0) {
                break;
            }
            if (lastPrefix != null && o.name.startsWith(lastPrefix)) {
                continue;
            }
            if (items.size() + prefixes.size() == max) {
                more = true;
                break;
            }
            int d = delimiter == null || delimiter.isEmpty() ? -1 : o.name.indexOf(delimiter, prefix.length());
            if (d >= 0) {
                lastPrefix = o.name.substring(0, d + delimiter.length());
                prefixes.add(lastPrefix);
                lastEmitted = "p:" + lastPrefix;
            } else {
                items.add(o.json());
                lastEmitted = "o:" + o.name;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "storage#objects");
        if (more) {
            out.put("nextPageToken", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(lastEmitted.getBytes(StandardCharsets.UTF_8)));
        }
        if (!prefixes.isEmpty()) {
            out.put("prefixes", prefixes);
        }
        if (!items.isEmpty()) {
            out.put("items", items);
        }
        tally("objects.list");
        Http.sendJson(ex, 200, out);
    }

    /**
     * Every generation under {@code prefix} (from {@code startOffset}), live and noncurrent, by name then generation;
     * a page token names the last generation sent. Delimiters are not supported with versions (400).
     */
    private void listVersions(HttpExchange ex, Bucket b, Map<String, String> q) throws IOException {
        if (q.get("delimiter") != null && !q.get("delimiter").isEmpty()) {
            throw new GcsError(400, "invalid", "GcsTestServer does not list versions with a delimiter");
        }
        String prefix = q.getOrDefault("prefix", "");
        String start = q.get("startOffset");
        int max = q.containsKey("maxResults") ? Math.min(1000, Integer.parseInt(q.get("maxResults"))) : 1000;
        String token = q.get("pageToken");
        String afterName = null;
        long afterGeneration = 0;
        if (token != null && !token.isEmpty()) {
            String t = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int slash = t.indexOf('/');
            afterGeneration = Long.parseLong(t.substring(0, slash));
            afterName = t.substring(slash + 1);
        }
        List<Object> items = new ArrayList<>();
        String lastSent = null;
        boolean more = false;
        java.util.TreeSet<String> names = new java.util.TreeSet<>(Keys.ORDER);
        synchronized (b) {
            names.addAll(b.objects.keySet());
            names.addAll(b.noncurrent.keySet());
            outer:
            for (String name : afterName == null ? names.tailSet(prefix, true) : names.tailSet(afterName, true)) {
                if (!name.startsWith(prefix)) {
                    break;
                }
                if (start != null && Keys.ORDER.compare(name, start) < 0) {
                    continue;
                }
                for (StoredObject o : b.generationsOf(name)) {
                    if (name.equals(afterName) && o.generation <= afterGeneration) {
                        continue;
                    }
                    if (items.size() == max) {
                        more = true;
                        break outer;
                    }
                    items.add(o.json());
                    lastSent = o.generation + "/" + name;
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "storage#objects");
        if (more) {
            out.put("nextPageToken", Base64.getUrlEncoder().withoutPadding().encodeToString(lastSent.getBytes(StandardCharsets.UTF_8)));
        }
        if (!items.isEmpty()) {
            out.put("items", items);
        }
        tally("objects.list.versions");
        Http.sendJson(ex, 200, out);
    }

    private StoredObject object(String bucketName, String name, Map<String, String> q) {
        Bucket b = bucket(bucketName);
        StoredObject o = b.objects.get(name);
        if (q.get("generation") != null && (o == null || Long.parseLong(q.get("generation")) != o.generation)) {
            long generation = Long.parseLong(q.get("generation"));
            synchronized (b) {
                o = b.noncurrent.getOrDefault(name, List.of()).stream().filter(g -> g.generation == generation).findFirst().orElse(null);
            }
        }
        if (o == null) {
            throw new GcsError(404, "notFound", "No such object: " + bucketName + "/" + name);
        }
        checkPreconditions(o, q);
        return o;
    }

    private void getObject(HttpExchange ex, String bucketName, String name, Map<String, String> q, boolean media)
            throws IOException {
        StoredObject o = object(bucketName, name, q);
        if (!media) {
            tally("objects.get");
            Http.sendJson(ex, 200, o.json());
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", o.contentType());
        headers.put("ETag", o.etag());
        headers.put("x-goog-generation", Long.toString(o.generation));
        headers.put("x-goog-metageneration", Long.toString(o.metageneration));
        headers.put("x-goog-storage-class", "STANDARD");
        headers.put("x-goog-stored-content-length", Integer.toString(o.data.length));
        headers.put("x-goog-stored-content-encoding", o.string("contentEncoding") == null ? "identity" : o.string("contentEncoding"));
        headers.put("x-goog-hash", "crc32c=" + o.crc32c + ",md5=" + o.md5);
        headers.put("Accept-Ranges", "bytes");
        putIfNotNull(headers, "Cache-Control", o.string("cacheControl"));
        putIfNotNull(headers, "Content-Disposition", o.string("contentDisposition"));
        putIfNotNull(headers, "Content-Language", o.string("contentLanguage"));

        byte[] data = o.data;
        boolean gzip = "gzip".equalsIgnoreCase(o.string("contentEncoding"));
        String accept = ex.getRequestHeaders().getFirst("Accept-Encoding");
        if (gzip && (accept == null || !accept.toLowerCase(Locale.ROOT).contains("gzip"))) {
            // Decompressive transcoding, as GCS does for clients that do not accept gzip; Range is ignored.
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
                data = in.readAllBytes();
            } catch (IOException e) {
                throw new GcsError(500, "backendError", "stored gzip object is not valid gzip: " + e.getMessage());
            }
            headers.put("Warning", "214 UploadServer gunzipped");
            tally("objects.get.media");
            Http.send(ex, 200, headers, data);
            return;
        }
        if (gzip) {
            headers.put("Content-Encoding", "gzip");
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        long[] r = range == null ? null : Http.parseRange(range, data.length);
        if (r == null) {
            tally("objects.get.media");
            Http.send(ex, 200, headers, data);
            return;
        }
        if (r[0] >= data.length) {
            throw new GcsError(416, "requestedRangeNotSatisfiable", "Request range not satisfiable");
        }
        int from = (int) r[0];
        int to = (int) Math.min(r[1], data.length - 1L);
        headers.put("Content-Range", "bytes " + from + "-" + to + "/" + data.length);
        tally("objects.get.media");
        Http.send(ex, 206, headers, java.util.Arrays.copyOfRange(data, from, to + 1));
    }

    private void deleteObject(HttpExchange ex, String bucketName, String name, Map<String, String> q) throws IOException {
        Bucket b = bucket(bucketName);
        StoredObject o = object(bucketName, name, q);
        synchronized (b) {
            if (o.timeDeleted != null) {
                b.dropNoncurrent(o); // a noncurrent generation, named by generation=: gone for good
            } else if (!b.objects.remove(name, o)) {
                throw new GcsError(412, "conditionNotMet", "the object changed while it was being deleted");
            } else if (b.versioning && q.get("generation") == null) {
                b.archive(o);
            }
        }
        tally("objects.delete");
        Http.send(ex, 204, Map.of(), null);
    }

    private void rewrite(HttpExchange ex, String srcBucket, String srcName, String dstBucket, String dstName,
            Map<String, String> q, byte[] body, boolean copy) throws IOException {
        Map<String, String> srcQ = new LinkedHashMap<>();
        srcQ.put("generation", q.get("sourceGeneration"));
        srcQ.put("ifGenerationMatch", q.get("ifSourceGenerationMatch"));
        srcQ.put("ifGenerationNotMatch", q.get("ifSourceGenerationNotMatch"));
        srcQ.values().removeIf(Objects::isNull);
        StoredObject src = object(srcBucket, srcName, srcQ);
        Bucket dst = bucket(dstBucket);
        Map<String, Object> resource = Json.parseObject(utf8(body));

        long done = 0;
        String token = q.get("rewriteToken");
        if (token != null) {
            String[] t = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":");
            if (Long.parseLong(t[0]) != src.generation) {
                throw new GcsError(400, "invalid", "the source object changed during the rewrite; start again");
            }
            done = Long.parseLong(t[1]);
        }
        long perCall = copy ? Long.MAX_VALUE : q.get("maxBytesRewrittenPerCall") != null
                ? Math.min(REWRITE_BYTES_PER_CALL, Long.parseLong(q.get("maxBytesRewrittenPerCall")))
                : REWRITE_BYTES_PER_CALL;
        done += Math.min(src.data.length - done, Math.max(1, perCall));

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "storage#rewriteResponse");
        out.put("totalBytesRewritten", Long.toString(done));
        out.put("objectSize", Integer.toString(src.data.length));
        if (done < src.data.length) {
            out.put("done", false);
            out.put("rewriteToken", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((src.generation + ":" + done).getBytes(StandardCharsets.UTF_8)));
            tally("objects.rewrite");
            Http.sendJson(ex, 200, out);
            return;
        }
        // As on GCS: metadata given with the request replaces the source's; none given copies it.
        Map<String, Object> fields = writableFields(resource);
        if (fields.isEmpty()) {
            fields = writableFields(src.fields);
        }
        StoredObject created = store(dst, dstName, src.data, fields, q, null);
        if (copy) {
            tally("objects.copy");
            Http.sendJson(ex, 200, created.json());
            return;
        }
        out.put("done", true);
        out.put("resource", created.json());
        tally("objects.rewrite");
        Http.sendJson(ex, 200, out);
    }

    // ---------------------------------------------------------------- uploads

    private void startUpload(HttpExchange ex, String bucketName, Map<String, String> q, byte[] body) throws IOException {
        Bucket b = bucket(bucketName);
        String type = q.getOrDefault("uploadType", "");
        switch (type) {
            case "media" -> {
                if (q.get("name") == null) {
                    throw new GcsError(400, "required", "Required parameter: name");
                }
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("contentType", ex.getRequestHeaders().getFirst("Content-Type"));
                StoredObject o = store(b, q.get("name"), body, fields, q, ex.getRequestHeaders().getFirst("X-Goog-Hash"));
                tally("objects.insert.media");
                Http.sendJson(ex, 200, o.json());
            }
            case "multipart" -> {
                Multipart.Part[] parts = Multipart.parse(ex.getRequestHeaders().getFirst("Content-Type"), body);
                Map<String, Object> resource = Json.parseObject(utf8(parts[0].body()));
                String name = nameOf(resource, q);
                Map<String, Object> fields = writableFields(resource);
                if (fields.get("contentType") == null) {
                    fields.put("contentType", parts[1].contentType());
                }
                checkClientHashes(resource, parts[1].body());
                StoredObject o = store(b, name, parts[1].body(), fields, q, ex.getRequestHeaders().getFirst("X-Goog-Hash"));
                tally("objects.insert.multipart");
                Http.sendJson(ex, 200, o.json());
            }
            case "resumable" -> {
                Map<String, Object> resource = Json.parseObject(utf8(body));
                String name = nameOf(resource, q);
                Map<String, Object> fields = writableFields(resource);
                if (fields.get("contentType") == null) {
                    fields.put("contentType", ex.getRequestHeaders().getFirst("X-Upload-Content-Type"));
                }
                String id = UUID.randomUUID().toString();
                uploads.put(id, new Upload(b.name, name, resource, fields, new LinkedHashMap<>(q)));
                tally("objects.insert.resumable");
                Http.send(ex, 200, Map.of("Location",
                        endpoint + "/upload/storage/v1/b/" + Http.percentEncode(b.name) + "/o?uploadType=resumable&upload_id=" + id), null);
            }
            default -> throw new GcsError(400, "invalid", "unsupported uploadType '" + type + "'");
        }
    }

    private void resumableChunk(HttpExchange ex, Map<String, String> q, byte[] body) throws IOException {
        Upload u = upload(q);
        synchronized (u) {
            if (u.result != null) {
                Http.sendJson(ex, 200, u.result.json());
                return;
            }
            String header = ex.getRequestHeaders().getFirst("Content-Range");
            Http.ContentRange cr = Http.parseContentRange(header, body.length);
            long received = u.data.size();
            if (cr.first() >= 0) {
                if (cr.first() > received) {
                    throw new GcsError(400, "invalid", "Invalid request. Chunk starts at " + cr.first()
                            + " but only " + received + " bytes were persisted");
                }
                boolean last = cr.total() >= 0 && cr.last() + 1 == cr.total();
                if (!last && body.length % CHUNK_GRANULARITY != 0) {
                    throw new GcsError(400, "invalid", "Invalid request. The number of bytes uploaded is required to be"
                            + " equal or greater than 262144, except for the final request (it's recommended to be"
                            + " the exact multiple of 262144). The received request contained " + body.length
                            + " bytes");
                }
                int skip = (int) (received - cr.first());
                if (skip < body.length) {
                    u.data.write(body, skip, body.length - skip);
                }
                tally("objects.insert.resumable.chunk");
                counters.computeIfAbsent("objects.insert.resumable.bytes", k -> new LongAdder()).add(body.length);
            }
            received = u.data.size();
            if (cr.total() >= 0 && received > cr.total()) {
                throw new GcsError(400, "invalid", "Invalid request. More bytes were sent than the declared total "
                        + cr.total());
            }
            if (cr.total() >= 0 && received == cr.total()) {
                byte[] data = u.data.toByteArray();
                checkClientHashes(u.resource, data);
                u.result = store(bucket(u.bucket), u.name, data, u.fields, u.query,
                        ex.getRequestHeaders().getFirst("X-Goog-Hash"));
                u.data = new ByteArrayOutputStream(0);
                tally("objects.insert.resumable.finalized");
                Http.sendJson(ex, 200, u.result.json());
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            if (received > 0) {
                headers.put("Range", "bytes=0-" + (received - 1));
            }
            headers.put("X-GUploader-UploadID", q.get("upload_id"));
            Http.send(ex, 308, headers, null);
        }
    }

    private void cancelUpload(HttpExchange ex, Map<String, String> q) throws IOException {
        Upload u = upload(q);
        uploads.remove(q.get("upload_id"), u);
        Http.send(ex, 499, Map.of(), null);
    }

    private Upload upload(Map<String, String> q) {
        Upload u = q.get("upload_id") == null ? null : uploads.get(q.get("upload_id"));
        if (u == null) {
            throw new GcsError(404, "notFound", "No such upload session: " + q.get("upload_id"));
        }
        if (u.expired) {
            throw new GcsError(410, "gone", "The upload session has expired: start a new one");
        }
        return u;
    }

    /**
     * Makes every upload session started so far expire, as GCS's do a week after they start: requests to them are
     * answered 410 Gone from now on.
     */
    public void expireUploadSessions() {
        uploads.values().forEach(u -> u.expired = true);
    }

    private static String nameOf(Map<String, Object> resource, Map<String, String> q) {
        Object name = resource.get("name") != null ? resource.get("name") : q.get("name");
        if (!(name instanceof String s) || s.isEmpty()) {
            throw new GcsError(400, "required", "Required: object name");
        }
        return s;
    }

    /** GCS rejects an upload whose bytes do not match the md5Hash/crc32c the client declared. */
    private static void checkClientHashes(Map<String, Object> resource, byte[] data) {
        Object md5 = resource.get("md5Hash");
        if (md5 != null && !md5.equals(md5(data))) {
            throw new GcsError(400, "invalid", "Provided MD5 hash \"" + md5
                    + "\" doesn't match calculated MD5 hash \"" + md5(data) + "\".");
        }
        Object crc = resource.get("crc32c");
        if (crc != null && !crc.equals(crc32c(data))) {
            throw new GcsError(400, "invalid", "Provided CRC32C \"" + crc
                    + "\" doesn't match calculated CRC32C \"" + crc32c(data) + "\".");
        }
    }

    private static void checkHashHeader(String xGoogHash, byte[] data) {
        if (xGoogHash == null) {
            return;
        }
        for (String part : xGoogHash.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2) {
                checkClientHashes(Map.of(kv[0].equals("md5") ? "md5Hash" : kv[0], kv[1]), data);
            }
        }
    }

    private static void checkPreconditions(StoredObject existing, Map<String, String> q) {
        String match = q.get("ifGenerationMatch");
        long gen = existing == null ? 0 : existing.generation;
        if (match != null && Long.parseLong(match) != gen) {
            throw new GcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
        }
        String notMatch = q.get("ifGenerationNotMatch");
        if (notMatch != null && Long.parseLong(notMatch) == gen) {
            throw new GcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
        }
        String metaMatch = q.get("ifMetagenerationMatch");
        if (metaMatch != null && (existing == null || Long.parseLong(metaMatch) != existing.metageneration)) {
            throw new GcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
        }
    }

    /** Atomically replaces {@code name} in {@code b}, honouring the request's preconditions. */
    private StoredObject store(Bucket b, String name, byte[] data, Map<String, Object> fields, Map<String, String> q,
            String xGoogHash) {
        if (Keys.utf8(name).length > Keys.MAX_KEY_BYTES || name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0
                || name.equals(".") || name.equals("..")) {
            throw new GcsError(400, "invalid", "The specified object name is not valid.");
        }
        checkHashHeader(xGoogHash, data);
        StoredObject fresh = new StoredObject(b.name, name, data, generations.incrementAndGet(), writableFields(fields));
        synchronized (b) { // one writer per bucket at a time, so a replaced generation is archived exactly once
            StoredObject[] replaced = new StoredObject[1];
            b.objects.compute(name, (k, existing) -> {
                checkPreconditions(existing, q);
                replaced[0] = existing;
                return fresh;
            });
            if (b.versioning && replaced[0] != null) {
                b.archive(replaced[0]);
            }
        }
        return fresh;
    }

    private static final List<String> WRITABLE = List.of("contentType", "contentEncoding", "cacheControl",
            "contentDisposition", "contentLanguage", "customTime", "metadata", "storageClass");
    /** The classes GCS accepts for an object; any other is a 400, as GCS answers. */
    private static final java.util.Set<String> STORAGE_CLASSES = java.util.Set.of("STANDARD", "NEARLINE", "COLDLINE",
            "ARCHIVE", "MULTI_REGIONAL", "REGIONAL", "DURABLE_REDUCED_AVAILABILITY");

    private static Map<String, Object> writableFields(Map<String, Object> resource) {
        Object cls = resource.get("storageClass");
        if (cls != null && !STORAGE_CLASSES.contains(cls.toString())) {
            throw new GcsError(400, "invalid", "Invalid argument: storage class '" + cls + "'.");
        }
        Map<String, Object> f = new LinkedHashMap<>();
        for (String k : WRITABLE) {
            Object v = resource.get(k);
            if (v instanceof Map<?, ?> m) {
                Map<String, Object> copy = new LinkedHashMap<>();
                m.forEach((mk, mv) -> {
                    if (mv != null) {
                        copy.put(mk.toString(), mv.toString());
                    }
                });
                if (!copy.isEmpty()) {
                    f.put(k, copy);
                }
            } else if (v != null) {
                f.put(k, v.toString());
            }
        }
        return f;
    }

    // ---------------------------------------------------------------- model

    private void tally(String kind) {
        counters.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    private static void putIfNotNull(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static String md5(byte[] data) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String crc32c(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        long v = c.getValue();
        byte[] be = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        return Base64.getEncoder().encodeToString(be);
    }

    private static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static final class Bucket {
        final String name;
        final Instant created = Instant.now();
        final ConcurrentSkipListMap<String, StoredObject> objects = new ConcurrentSkipListMap<>(Keys.ORDER);
        /** Noncurrent generations of each name, oldest first; guarded by this bucket's monitor. */
        final Map<String, List<StoredObject>> noncurrent = new java.util.HashMap<>();
        /** versioning.enabled, kept apart from {@link #settings} because object writes read it. */
        volatile boolean versioning;
        /** Settings set by buckets.patch (cors, lifecycle, website, iamConfiguration, labels). */
        final Map<String, Object> settings = new LinkedHashMap<>();
        long metageneration = 1;

        Bucket(String name) {
            this.name = name;
        }

        /** Keeps {@code o}, just replaced or deleted, as a noncurrent generation. */
        void archive(StoredObject o) {
            o.timeDeleted = Instant.now();
            noncurrent.computeIfAbsent(o.name, k -> new ArrayList<>()).add(o);
        }

        void dropNoncurrent(StoredObject o) {
            List<StoredObject> gens = noncurrent.get(o.name);
            gens.remove(o);
            if (gens.isEmpty()) {
                noncurrent.remove(o.name);
            }
        }

        /** Every generation of {@code name}, oldest first. */
        List<StoredObject> generationsOf(String name) {
            List<StoredObject> out = new ArrayList<>(noncurrent.getOrDefault(name, List.of()));
            StoredObject live = objects.get(name);
            if (live != null) {
                out.add(live);
            }
            return out;
        }

        Map<String, Object> json() {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("kind", "storage#bucket");
            j.put("id", name);
            j.put("selfLink", "/storage/v1/b/" + name);
            j.put("projectNumber", PROJECT_NUMBER);
            j.put("name", name);
            j.put("timeCreated", time(created));
            j.put("updated", time(created));
            synchronized (this) {
                j.put("metageneration", Long.toString(metageneration));
                j.put("location", "US");
                j.put("storageClass", "STANDARD");
                j.put("etag", "CA" + metageneration + "=");
                j.putAll(settings);
                j.put("versioning", Map.of("enabled", versioning));
            }
            return j;
        }
    }

    private static final class StoredObject {
        final String bucket;
        final String name;
        final byte[] data;
        final long generation;
        final long metageneration = 1;
        final Instant created = Instant.now();
        /** When it became noncurrent (replaced or deleted in a versioned bucket); null while live. */
        volatile Instant timeDeleted;
        final Map<String, Object> fields;
        final String md5;
        final String crc32c;

        StoredObject(String bucket, String name, byte[] data, long generation, Map<String, Object> fields) {
            this.bucket = bucket;
            this.name = name;
            this.data = data;
            this.generation = generation;
            this.fields = fields;
            this.md5 = GcsTestServer.md5(data);
            this.crc32c = GcsTestServer.crc32c(data);
        }

        String string(String field) {
            Object v = fields.get(field);
            return v == null ? null : v.toString();
        }

        String contentType() {
            String t = string("contentType");
            return t == null ? "application/octet-stream" : t;
        }

        String etag() {
            return Base64.getEncoder().encodeToString(Long.toString(generation).getBytes(StandardCharsets.US_ASCII));
        }

        Map<String, Object> json() {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("kind", "storage#object");
            j.put("id", bucket + "/" + name + "/" + generation);
            j.put("selfLink", "/storage/v1/b/" + Http.percentEncode(bucket) + "/o/" + Http.percentEncode(name));
            j.put("mediaLink", "/download/storage/v1/b/" + Http.percentEncode(bucket) + "/o/"
                    + Http.percentEncode(name) + "?generation=" + generation + "&alt=media");
            j.put("name", name);
            j.put("bucket", bucket);
            j.put("generation", Long.toString(generation));
            j.put("metageneration", Long.toString(metageneration));
            j.put("contentType", contentType());
            j.put("storageClass", "STANDARD");
            j.put("size", Integer.toString(data.length));
            j.put("md5Hash", md5);
            j.put("crc32c", crc32c);
            j.put("etag", etag());
            j.put("timeCreated", time(created));
            j.put("updated", time(created));
            j.put("timeStorageClassUpdated", time(created));
            j.put("timeFinalized", time(created));
            if (timeDeleted != null) {
                j.put("timeDeleted", time(timeDeleted));
            }
            fields.forEach((k, v) -> {
                if (!k.equals("contentType")) {
                    j.put(k, v);
                }
            });
            return j;
        }
    }

    private static final class Upload {
        final String bucket;
        final String name;
        final Map<String, Object> resource;
        final Map<String, Object> fields;
        final Map<String, String> query;
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        StoredObject result;
        volatile boolean expired;

        Upload(String bucket, String name, Map<String, Object> resource, Map<String, Object> fields,
                Map<String, String> query) {
            this.bucket = bucket;
            this.name = name;
            this.resource = resource;
            this.fields = fields;
            this.query = query;
        }
    }

    /** An error answered in the JSON API's error format. */
    static final class GcsError extends RuntimeException {
        final int status;
        final String reason;

        GcsError(int status, String reason, String message) {
            super(message);
            this.status = status;
            this.reason = reason;
        }
    }
}
