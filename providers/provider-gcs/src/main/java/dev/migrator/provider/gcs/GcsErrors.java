package dev.migrator.provider.gcs;

import com.google.cloud.BaseServiceException;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ThrottledException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Turns what the Google client throws into {@link MigratorException}s: the user's problems (missing
 * bucket, credentials, unreachable endpoint) with what to do; throttling, 5xx and broken
 * connections as retryable.
 */
final class GcsErrors {
    private static final String CREDENTIALS_HINT = "credentials come from Application Default Credentials: run"
            + " 'gcloud auth application-default login' or set GOOGLE_APPLICATION_CREDENTIALS to a service account"
            + " key file, and check the account's roles on the bucket";

    private final String bucket;
    private final String where;
    private final boolean emulator;
    private final BooleanSupplier bucketExists;
    private final Duration readTimeout;
    /** The emulator's base URL, or {@code null} for Google Cloud Storage. */
    private final String endpoint;
    private volatile boolean bucketSeen;
    /** Whether the endpoint has ever answered: an endpoint that never did is a wrong one, not a slow one. */
    private volatile boolean answered;

    GcsErrors(String bucket, String where, String endpoint, BooleanSupplier bucketExists, Duration readTimeout) {
        this.endpoint = endpoint;
        boolean emulator = endpoint != null;
        this.bucket = bucket;
        this.where = where;
        this.emulator = emulator;
        this.bucketExists = bucketExists;
        this.readTimeout = readTimeout;
    }

    /** Notes that a request was answered. */
    void answered() {
        answered = true;
    }

    /**
     * Throws {@link ErrorCode#BAD_INPUT} when the bucket does not exist. GCS answers a missing object and
     * a missing bucket with the same 404, so a 404 is followed by this check (once the bucket was seen,
     * never again).
     */
    void requireBucket() {
        if (bucketSeen) {
            return;
        }
        boolean exists;
        try {
            exists = bucketExists.getAsBoolean();
        } catch (BaseServiceException e) {
            if (e.getCode() == 403) {
                return; // may read objects but not the bucket: it exists
            }
            throw translate(e, null);
        } catch (RuntimeException e) {
            throw translate(e, null);
        }
        if (!exists) {
            throw missingBucket();
        }
        bucketSeen = true;
    }

    MigratorException missingBucket() {
        String notGcs = notGcs();
        if (notGcs != null) {
            return new MigratorException(ErrorCode.BAD_INPUT, where + " does not answer like a GCS server (" + notGcs
                    + " for bucket '" + bucket + "'): check endpoint= (or STORAGE_EMULATOR_HOST)");
        }
        return new MigratorException(ErrorCode.BAD_INPUT, "bucket '" + bucket + "' does not exist"
                + (emulator ? " at " + where : "") + ": create it first or check the name");
    }

    /**
     * For an emulator endpoint whose bucket seems missing: asks for the bucket once more, plainly, and says
     * what answered if it is not the JSON API (a web server answers a 404 page, which the client reads as
     * "no such bucket"). {@code null} when it answers like GCS, or cannot be asked.
     */
    private String notGcs() {
        if (endpoint == null) {
            return null;
        }
        try {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().connectTimeout(readTimeout).build();
            java.net.http.HttpResponse<Void> r = client.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(endpoint.replaceAll("/+$", "") + "/storage/v1/b/"
                                    + java.net.URLEncoder.encode(bucket, java.nio.charset.StandardCharsets.UTF_8)))
                    .timeout(readTimeout).GET().build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            String type = r.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
            return type.contains("json") ? null : "HTTP " + r.statusCode() + " " + (type.isEmpty()
                    ? "without a content type" : type.split(";")[0].trim());
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Classifies {@code e}, a failure of an operation on {@code key} ({@code null}: on the bucket). */
    MigratorException translate(Throwable e, String key) {
        if (e instanceof MigratorException m) {
            return m;
        }
        String object = key == null ? "bucket '" + bucket + "'" : quoted(key) + " in bucket '" + bucket + "'";
        BaseServiceException service = find(e, BaseServiceException.class);
        int code = service == null ? 0 : service.getCode();
        String detail = service == null ? String.valueOf(e.getMessage()) : String.valueOf(service.getMessage());
        if (htmlAnswer(e)) {
            return new MigratorException(ErrorCode.BAD_INPUT, where + " does not answer like a GCS server ("
                    + (code > 0 ? "HTTP " + code + ", " : "") + "an HTML page instead of JSON) for " + object
                    + ": check endpoint= (or STORAGE_EMULATOR_HOST)", e);
        }
        Throwable auth = credentialFailure(e);
        if (auth != null) {
            return new MigratorException(ErrorCode.AUTH, "getting Google credentials for " + object + " failed ("
                    + auth.getMessage() + "); " + CREDENTIALS_HINT, e);
        }
        switch (code) {
            case 404 -> {
                if (key == null) {
                    return missingBucket();
                }
                requireBucket();
                return new MigratorException(ErrorCode.NOT_FOUND, "no object " + object + ": " + detail, e);
            }
            case 401 -> {
                return new MigratorException(ErrorCode.AUTH, "GCS rejected the credentials for " + object + " (401: "
                        + detail + "); " + CREDENTIALS_HINT, e);
            }
            case 403 -> {
                return new MigratorException(ErrorCode.AUTH, "GCS denied access to " + object + " (403: " + detail
                        + "); " + CREDENTIALS_HINT, e);
            }
            case 412 -> {
                return new MigratorException(ErrorCode.CONFLICT, "a precondition failed for " + object + ": "
                        + detail, e);
            }
            case 400, 411, 413, 416 -> {
                return new MigratorException(ErrorCode.BAD_INPUT, "GCS refused the request for " + object + " ("
                        + code + ": " + detail + ")", e);
            }
            case 408, 429 -> {
                return new ThrottledException("GCS throttled the request for " + object + " ("
                        + code + "); retrying with backoff", e);
            }
            case 503 -> {
                return new ThrottledException("GCS is overloaded (503) on " + object + ": " + detail, e);
            }
            default -> {
                // 5xx and anything without an HTTP status are decided below.
            }
        }
        if (code >= 500) {
            return new MigratorException(ErrorCode.FAILED, "GCS failed on " + object + " (" + code + ": " + detail
                    + ")", e, true);
        }
        if (code > 0) {
            return new MigratorException(ErrorCode.FAILED, "GCS answered " + code + " for " + object + ": "
                    + detail, e);
        }
        if (find(e, InterruptedIOException.class) != null && find(e, SocketTimeoutException.class) == null) {
            Thread.currentThread().interrupt();
            return new MigratorException(ErrorCode.INTERRUPTED, "interrupted while working on " + object, e);
        }
        if (find(e, UnknownHostException.class) != null) {
            return new MigratorException(ErrorCode.BAD_INPUT, "cannot resolve " + where + " for " + object
                    + ": check the endpoint (endpoint= or STORAGE_EMULATOR_HOST) and DNS", e);
        }
        if (find(e, ConnectException.class) != null || find(e, NoRouteToHostException.class) != null) {
            // Usually a wrong endpoint; may be a network blip, so Retry gives it a few more tries.
            return new MigratorException(ErrorCode.BAD_INPUT, "cannot connect to " + where + " for " + object
                    + ": check the endpoint (endpoint= or STORAGE_EMULATOR_HOST) and the network", e, true);
        }
        SocketTimeoutException timeout = find(e, SocketTimeoutException.class);
        if (timeout != null && !answered) {
            // Waiting again would only multiply the wait: this is a wrong endpoint, not a slow answer.
            return new MigratorException(ErrorCode.BAD_INPUT, where + " accepted the connection but never answered"
                    + " (nothing within " + seconds(readTimeout) + ") for " + object
                    + ": check the endpoint (endpoint= or STORAGE_EMULATOR_HOST) and the network", e);
        }
        if (timeout != null || find(e, SocketException.class) != null
                || find(e, EOFException.class) != null || find(e, IOException.class) != null) {
            return new MigratorException(ErrorCode.FAILED, object + ": " + describe(e) + " (" + where + ")", e, true);
        }
        if (code < 0 || String.valueOf(e.getMessage()).contains("Status code must not be negative")) {
            return new MigratorException(ErrorCode.FAILED, object + ": connection closed by the endpoint before it"
                    + " answered (" + where + ")", e, true);
        }
        if (e instanceof IllegalArgumentException) {
            return new MigratorException(ErrorCode.BAD_INPUT, "GCS client refused the request for " + object + ": "
                    + e.getMessage(), e);
        }
        return new MigratorException(ErrorCode.FAILED, "GCS request for " + object + " failed: " + rootMessage(e), e);
    }

    /** A key for a message: quoted, and shortened when very long (keys may be 1024 bytes). */
    static String quoted(String key) {
        return key.length() <= 120 ? "'" + key + "'"
                : "'" + key.substring(0, 60) + "...' (" + Keys.utf8(key).length + " bytes)";
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** A failed token refresh; its type (GoogleAuthException) is not public, so match the package. */
    private static Throwable credentialFailure(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t.getClass().getName().startsWith("com.google.auth.oauth2.")) {
                return t;
            }
        }
        return null;
    }

    /** The innermost message, without the exception's class name (the operator acts on the words). */
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? "no message" : t.getMessage();
    }

    /** What broke in a connection, in words: judged by type, never showing a Java class name. */
    private String describe(Throwable e) {
        if (find(e, SocketTimeoutException.class) != null) {
            return "no answer within " + seconds(readTimeout);
        }
        SocketException socket = find(e, SocketException.class);
        if (socket != null) {
            return String.valueOf(socket.getMessage()).toLowerCase(Locale.ROOT).contains("reset")
                    ? "connection reset by the endpoint" : "connection closed by the endpoint";
        }
        if (find(e, EOFException.class) != null) {
            return "connection closed by the endpoint (the answer was cut off)";
        }
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t.getClass().getName().startsWith("com.fasterxml.jackson.")) {
                return "the answer was cut off (incomplete JSON)"; // its own text spans lines and names classes
            }
        }
        return rootMessage(e);
    }

    /**
     * Whether some failure in the chain quotes an HTML page: the answer of a web server, not of the GCS
     * JSON API (which answers errors in JSON), so the endpoint is wrong.
     */
    private static boolean htmlAnswer(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            // A JSON parser that meets '<' first is reading markup.
            if (m.contains("<html") || m.contains("<!doctype html") || m.contains("unexpected character ('<'")) {
                return true;
            }
        }
        return false;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
