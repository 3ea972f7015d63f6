package dev.migrator.provider.gcs;

import com.google.api.client.http.ByteArrayContent;
import com.google.api.client.http.EmptyContent;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpContent;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestFactory;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.json.JsonHttpContent;
import com.google.api.client.json.JsonFactory;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.storage.model.StorageObject;
import com.google.cloud.storage.StorageException;
import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * One object written through a GCS resumable upload session (JSON API: start with {@code POST
 * uploadType=resumable}, send chunks with {@code Content-Range}, 308 + {@code Range} tells what GCS persisted).
 * The session URI is kept in {@link UploadSessions} from the moment it exists, so a run killed with
 * {@code kill -9} leaves the next upload of the same object, size and metadata the session to continue: it asks
 * GCS how much it holds ({@code PUT} with {@code Content-Range: bytes *}{@code /SIZE}), reads that much of the
 * source only to hash it, and sends the rest.
 *
 * <p>Every byte is verified: the final chunk carries the MD5 and CRC32C of the whole source as read now
 * ({@code X-Goog-Hash}), and GCS refuses to finalize an object whose bytes differ, so bytes an earlier run sent
 * from a source that has changed since never become the object; the upload then starts a new session and sends
 * everything. Where the source already knows its CRC32C or MD5 ({@link Content#known()}), the final chunk declares
 * those instead, so GCS also refuses bytes that are not the source's. A session that is expired or unknown (404/410) is started again; one started for other metadata
 * or another size is cancelled. The client library's own resumable writer does not expose its session URI, which
 * is why this talks the protocol itself, over the client's transport and credentials.
 */
final class ResumableUpload {
    private static final JsonFactory JSON = GsonFactory.getDefaultInstance();
    private static final Pattern RANGE = Pattern.compile("bytes=0-(\\d+)");

    private final HttpRequestFactory http;
    private final String host;
    private final UploadSessions sessions;
    private final GcsErrors errors;
    private final String bucket;
    private final String name;
    private final String key;
    private final StorageObject resource;
    private final Content content;
    private final int chunkSize;
    private final String object;
    private long resumedBytes;

    /**
     * @param http      requests with the client's credentials and timeouts
     * @param host      the JSON API's base, e.g. {@code https://storage.googleapis.com}
     * @param location  the store's location, which with {@code name} identifies the object among saved sessions
     * @param chunkSize bytes per chunk, a multiple of 256 KiB: the memory one upload holds
     */
    ResumableUpload(HttpRequestFactory http, String host, UploadSessions sessions, GcsErrors errors, String location,
            String bucket, String name, String key, StorageObject resource, Content content, int chunkSize) {
        this.http = http;
        this.host = host.replaceAll("/+$", "");
        this.sessions = sessions;
        this.errors = errors;
        this.bucket = bucket;
        this.name = name;
        this.key = key;
        this.resource = resource.setName(name).setBucket(bucket);
        this.content = content;
        this.chunkSize = chunkSize;
        this.object = location + "\n" + name;
    }

    /** Bytes an interrupted run had sent that this one did not send again. */
    long resumedBytes() {
        return resumedBytes;
    }

    /** Uploads the object, continuing a saved session when one fits; returns the generation GCS stored. */
    long run() throws IOException {
        String body = JSON.toString(resource);
        String fingerprint = Digests.hex(Digests.sha256().digest((content.size() + "\n" + body)
                .getBytes(StandardCharsets.UTF_8)));
        Optional<UploadSessions.Saved> saved = sessions.load(object);
        if (saved.isPresent()) {
            String uri = saved.get().sessionUri();
            if (saved.get().fingerprint().equals(fingerprint)) {
                Status status = status(uri);
                if (status != null) {
                    Long stored = send(uri, status.persisted(), status, true);
                    if (stored != null) {
                        return stored;
                    }
                }
                // Expired, unknown, or holding other bytes: a new session, sending everything.
            } else {
                cancel(uri); // started for another size or other metadata: it can never be finalized as this object
            }
            sessions.forget(object);
            resumedBytes = 0;
        }
        String uri = start(body);
        sessions.save(object, new UploadSessions.Saved(uri, fingerprint));
        Long stored = send(uri, 0, null, false);
        if (stored == null && declaresKnown()) {
            throw GcsObjectStore.knownRefused(key, "bucket '" + bucket + "'", content.known());
        }
        if (stored == null) {
            throw new MigratorException(ErrorCode.INTEGRITY, "GCS refused to store " + GcsErrors.quoted(key)
                    + " in bucket '" + bucket + "': the bytes it received do not have the MD5 and CRC32C of the"
                    + " source; nothing was stored (if the source is being written to, copy it again once it is not)");
        }
        return stored;
    }

    /** What a session holds: {@code persisted} bytes, or (when {@code generation} is set) the finished object. */
    private record Status(long persisted, Long generation, String md5) {
    }

    /** Starts a session for the object; its URI is the one GCS answers in {@code Location}. */
    private String start(String body) throws IOException {
        GenericUrl url = new GenericUrl(host + "/upload/storage/v1/b/" + encode(bucket) + "/o?uploadType=resumable");
        HttpHeaders headers = new HttpHeaders();
        headers.set("X-Upload-Content-Length", Long.toString(content.size()));
        if (resource.getContentType() != null) {
            headers.set("X-Upload-Content-Type", resource.getContentType());
        }
        HttpResponse r = execute(http.buildPostRequest(url, new JsonHttpContent(JSON, resource)), headers);
        try {
            String location = r.getHeaders().getLocation();
            if (r.getStatusCode() != 200 || location == null) {
                throw failure(r, "starting the upload of");
            }
            return location;
        } finally {
            r.disconnect();
        }
    }

    /** How far session {@code uri} got, or null if GCS no longer knows it. */
    private Status status(String uri) throws IOException {
        HttpHeaders headers = new HttpHeaders().setContentRange("bytes */" + content.size());
        HttpResponse r = execute(http.buildPutRequest(new GenericUrl(uri), new EmptyContent()), headers);
        try {
            return switch (r.getStatusCode()) {
                case 308 -> new Status(persisted(r), null, null);
                case 200, 201 -> {
                    StorageObject done = r.parseAs(StorageObject.class);
                    yield new Status(content.size(), done.getGeneration(), done.getMd5Hash());
                }
                case 404, 410 -> null;
                default -> throw failure(r, "asking GCS how much it holds of");
            };
        } finally {
            r.disconnect();
        }
    }

    /**
     * Reads the whole source, hashing it; sends what follows the first {@code from} bytes, which the session
     * already holds, in chunks. Returns the stored generation, or null if GCS refused the bytes as not the
     * source's (when {@code resumed}, the session is then cancelled and the caller starts a new one).
     */
    private Long send(String uri, long from, Status status, boolean resumed) throws IOException {
        long size = content.size();
        MessageDigest md5 = Digests.md5();
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[(int) Math.min(chunkSize, size)];
        try (InputStream in = open()) {
            // The bytes GCS already holds are read, only to be hashed: the final check covers them too.
            for (long skipped = 0; skipped < from; ) {
                int n = read(in, buf, 0, (int) Math.min(buf.length, from - skipped));
                if (n < 0) {
                    throw GcsObjectStore.sizeMismatch(key, size, skipped);
                }
                md5.update(buf, 0, n);
                crc.update(buf, 0, n);
                skipped += n;
            }
            if (status != null && status.generation() != null) {
                // The killed run finished the object but did not live to record it: it is ours if it has our bytes.
                requireEnd(in, size);
                if (Base64.getEncoder().encodeToString(md5.digest()).equals(status.md5())) {
                    resumedBytes = size;
                    sessions.forget(object);
                    return status.generation();
                }
                return null;
            }
            long start = from;
            int length = 0;
            String hashes = null;
            while (true) {
                int want = (int) Math.min(buf.length - length, size - start - length);
                int got = want == 0 ? 0 : fill(in, buf, length, want);
                md5.update(buf, length, got);
                crc.update(buf, length, got);
                length += got;
                boolean last = start + length == size;
                if (got < want) {
                    throw GcsObjectStore.sizeMismatch(key, size, start + length);
                }
                if (last && hashes == null) {
                    requireEnd(in, size);
                    hashes = hashes(Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array()),
                            Base64.getEncoder().encodeToString(md5.digest()));
                }
                HttpHeaders headers = new HttpHeaders().setContentRange(
                        "bytes " + start + "-" + (start + length - 1) + "/" + size);
                if (last) {
                    headers.set("X-Goog-Hash", hashes);
                }
                HttpResponse r = execute(http.buildPutRequest(new GenericUrl(uri),
                        new ByteArrayContent(null, buf, 0, length)), headers);
                long persisted;
                try {
                    int code = r.getStatusCode();
                    if (code == 200 || code == 201) {
                        long generation = r.parseAs(StorageObject.class).getGeneration();
                        sessions.forget(object);
                        if (resumed) {
                            resumedBytes = from;
                        }
                        return generation;
                    }
                    if (last && code == 400) {
                        // The bytes GCS holds are not the source's (changed since the interrupted run, or garbled).
                        cancel(uri);
                        sessions.forget(object);
                        return null;
                    }
                    if (code == 404 || code == 410) {
                        sessions.forget(object);
                        throw new MigratorException(ErrorCode.FAILED, "GCS ended the upload session of "
                                + GcsErrors.quoted(key) + " in bucket '" + bucket + "' (" + code + "); trying again"
                                + " starts a new one", null, true);
                    }
                    if (code != 308) {
                        throw failure(r, "uploading");
                    }
                    persisted = persisted(r);
                } finally {
                    r.disconnect();
                }
                if (persisted < start || persisted > start + length || (last && persisted == size)) {
                    throw new MigratorException(ErrorCode.FAILED, "GCS reports " + persisted + " bytes of "
                            + GcsErrors.quoted(key) + " in bucket '" + bucket + "' persisted after bytes " + start
                            + "-" + (start + length - 1) + " were sent", null, true);
                }
                // GCS may keep less than it was sent: what it did not keep is sent again.
                int kept = (int) (persisted - start);
                System.arraycopy(buf, kept, buf, 0, length - kept);
                length -= kept;
                start = persisted;
            }
        }
    }

    /**
     * The final chunk's {@code X-Goog-Hash}: the source's known values where {@link Content#known()} has them (so GCS
     * checks the bytes against the source's claim), else those of the bytes as read.
     */
    private String hashes(String crc32cRead, String md5Read) {
        var known = content.known();
        return "crc32c=" + (known.crc32c() != null ? GcsObjectStore.base64(known.crc32c()) : crc32cRead)
                + ",md5=" + (known.md5() != null ? GcsObjectStore.base64(known.md5()) : md5Read);
    }

    private boolean declaresKnown() {
        return content.known().crc32c() != null || content.known().md5() != null;
    }

    private void cancel(String uri) {
        try {
            HttpRequest request = http.buildDeleteRequest(new GenericUrl(uri));
            execute(request, new HttpHeaders()).disconnect();
        } catch (IOException | RuntimeException e) {
            // GCS discards a session nobody writes to within a week; nothing else depends on it.
        }
    }

    private static HttpResponse execute(HttpRequest request, HttpHeaders headers) throws IOException {
        request.getHeaders().putAll(headers);
        return request.setThrowExceptionOnExecuteError(false)
                .setFollowRedirects(false) // 308 here is "resume incomplete", not a redirect
                .setNumberOfRetries(0) // migrator's Retry decides
                .setParser(JSON.createJsonObjectParser())
                .execute();
    }

    /** The bytes GCS persisted, from a 308's {@code Range: bytes=0-N} (none if absent). */
    private long persisted(HttpResponse r) {
        String range = r.getHeaders().getRange();
        if (range == null) {
            return 0;
        }
        Matcher m = RANGE.matcher(range.trim());
        if (!m.matches()) {
            throw new MigratorException(ErrorCode.FAILED, "GCS answered the upload of " + GcsErrors.quoted(key)
                    + " with an unreadable Range header '" + range + "'", null, true);
        }
        return Long.parseLong(m.group(1)) + 1;
    }

    /** A failed answer, classified as every other GCS failure is; never shows the session URI. */
    private MigratorException failure(HttpResponse r, String doing) throws IOException {
        String message;
        try {
            message = r.parseAsString();
        } catch (IOException e) {
            message = r.getStatusMessage();
        }
        return errors.translate(new StorageException(r.getStatusCode(), doing + " " + GcsErrors.quoted(key)
                + ": HTTP " + r.getStatusCode() + " " + abbreviate(message)), key);
    }

    private static String abbreviate(String s) {
        String one = s == null ? "" : s.replaceAll("\\s+", " ").trim();
        return one.length() > 300 ? one.substring(0, 300) + "..." : one;
    }

    private InputStream open() {
        try {
            return content.open();
        } catch (IOException e) {
            throw GcsObjectStore.sourceFailed(key, e);
        }
    }

    private int read(InputStream in, byte[] b, int off, int len) {
        try {
            return in.read(b, off, len);
        } catch (IOException e) {
            throw GcsObjectStore.sourceFailed(key, e);
        }
    }

    private int fill(InputStream in, byte[] b, int off, int len) {
        try {
            return in.readNBytes(b, off, len);
        } catch (IOException e) {
            throw GcsObjectStore.sourceFailed(key, e);
        }
    }

    private void requireEnd(InputStream in, long size) {
        try {
            if (in.read() >= 0) {
                throw GcsObjectStore.sizeMismatch(key, size, size + 1);
            }
        } catch (IOException e) {
            throw GcsObjectStore.sourceFailed(key, e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
