package dev.migrator.provider.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.identity.CredentialUnavailableException;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Turns what the Azure client throws into {@link MigratorException}s, as the S3 and GCS adapters do: the
 * user's problems (missing container, credentials, unreachable endpoint) with what to do; throttling
 * (429, 503 ServerBusy), 5xx, resets and cut-off answers as retryable.
 */
final class AzureErrors {
    static final String CREDENTIALS_HINT = "credentials come from account-key= or sas= in the URI,"
            + " AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN, else"
            + " DefaultAzureCredential (az login, AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, managed"
            + " identity); check the role (Storage Blob Data Contributor) or the SAS permissions";

    private final String container;
    private final String displayUri;
    private final String where;

    AzureErrors(String container, String displayUri, String where) {
        this.container = container;
        this.displayUri = displayUri;
        this.where = where;
    }

    MigratorException missingContainer() {
        return new MigratorException(ErrorCode.BAD_INPUT, "container '" + container + "' of " + displayUri
                + " does not exist at " + where + ": create it first (az storage container create) or check the name");
    }

    /** Classifies {@code e}, a failure of an operation on {@code key} ({@code null}: on the container). */
    MigratorException translate(Throwable e, String key) {
        if (e instanceof MigratorException m) {
            return m;
        }
        String object = key == null ? displayUri : quoted(key) + " in " + displayUri;
        BlobStorageException service = find(e, BlobStorageException.class);
        if (service != null) {
            return service(service, object, key, e);
        }
        Throwable auth = find(e, ClientAuthenticationException.class);
        if (auth == null) {
            auth = find(e, CredentialUnavailableException.class);
        }
        if (auth != null) {
            return new MigratorException(ErrorCode.AUTH, "getting Azure credentials for " + object + " failed ("
                    + firstLine(auth.getMessage()) + "); " + CREDENTIALS_HINT, e);
        }
        if (find(e, InterruptedIOException.class) != null && find(e, SocketTimeoutException.class) == null
                || find(e, InterruptedException.class) != null) {
            Thread.currentThread().interrupt();
            return new MigratorException(ErrorCode.INTERRUPTED, "interrupted while working on " + object, e);
        }
        if (find(e, UnknownHostException.class) != null) {
            return new MigratorException(ErrorCode.BAD_INPUT, "cannot resolve " + where + " for " + object
                    + ": check the account name and endpoint= and DNS", e);
        }
        if (find(e, ConnectException.class) != null || find(e, NoRouteToHostException.class) != null) {
            // Usually a wrong endpoint; may be a network blip, so Retry gives it a few more tries.
            return new MigratorException(ErrorCode.BAD_INPUT, "cannot connect to " + where + " for " + object
                    + ": check endpoint= and the network", e, true);
        }
        if (find(e, SocketTimeoutException.class) != null || find(e, TimeoutException.class) != null) {
            return new MigratorException(ErrorCode.FAILED, object + ": no answer in time from " + where, e, true);
        }
        if (find(e, SocketException.class) != null || find(e, EOFException.class) != null
                || find(e, IOException.class) != null || nettyClosed(e)) {
            return new MigratorException(ErrorCode.FAILED, object + ": " + describe(e) + " (" + where + ")", e, true);
        }
        if (e instanceof IllegalArgumentException) {
            return new MigratorException(ErrorCode.BAD_INPUT, "the Azure client refused the request for " + object + ": "
                    + firstLine(e.getMessage()), e);
        }
        return new MigratorException(ErrorCode.FAILED, "Azure request for " + object + " failed: "
                + firstLine(rootMessage(e)), e);
    }

    private MigratorException service(BlobStorageException s, String object, String key, Throwable e) {
        int status = s.getStatusCode();
        BlobErrorCode code = s.getErrorCode();
        String detail = code == null ? "HTTP " + status : code + " (HTTP " + status + ")";
        if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(code)) {
            return missingContainer();
        }
        if (status == 404) {
            if (key == null) {
                return missingContainer();
            }
            return new MigratorException(ErrorCode.NOT_FOUND, "no object " + object + " at " + where, e);
        }
        if (status == 401 || status == 403) {
            return new MigratorException(ErrorCode.AUTH, "Azure " + (status == 401 ? "rejected the credentials" : "denied access")
                    + " for " + object + " (" + detail + "); " + CREDENTIALS_HINT, e);
        }
        if (status == 409 || status == 412) {
            return new MigratorException(ErrorCode.CONFLICT, "Azure refused to change " + object
                    + " because it changed or exists (" + detail + "): run again, it reads the object anew", e);
        }
        if (status == 408 || status == 429 || status == 503) {
            return new MigratorException(ErrorCode.FAILED, "Azure throttled the request for " + object + " (" + detail
                    + "); retrying with backoff", e, true);
        }
        if (status >= 500) {
            return new MigratorException(ErrorCode.FAILED, "Azure failed on " + object + " (" + detail + ")", e, true);
        }
        if (status == 400 && (BlobErrorCode.MD5MISMATCH.equals(code) || BlobErrorCode.INVALID_MD5.equals(code))) {
            // The bytes changed on the way: a resend from the replayable source may succeed.
            return new MigratorException(ErrorCode.INTEGRITY, "Azure received different bytes for " + object
                    + " than were sent (" + detail + ")", e, true);
        }
        if (status == 400 || status == 411 || status == 413 || status == 416) {
            return new MigratorException(ErrorCode.BAD_INPUT, "Azure refused the request for " + object + " (" + detail
                    + ")", e);
        }
        return new MigratorException(ErrorCode.FAILED, "Azure answered " + detail + " for " + object, e);
    }

    /** A key for a message: quoted, and shortened when very long (keys may be 1024 bytes). */
    static String quoted(String key) {
        return key.length() <= 120 ? "'" + key + "'"
                : "'" + key.substring(0, 60) + "...' (" + Keys.utf8(key).length + " bytes)";
    }

    static <T extends Throwable> T find(Throwable e, Class<T> type) {
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

    /** Reactor Netty's "connection closed before the answer" types are not IOExceptions in every version. */
    private static boolean nettyClosed(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            String name = t.getClass().getName();
            if (name.startsWith("reactor.netty.") || name.startsWith("io.netty.")) {
                return true;
            }
        }
        return false;
    }

    /** What broke in a connection, in words: judged by type, never showing a Java class name. */
    private static String describe(Throwable e) {
        SocketException socket = find(e, SocketException.class);
        if (socket != null) {
            return String.valueOf(socket.getMessage()).toLowerCase(Locale.ROOT).contains("reset")
                    ? "connection reset by the endpoint" : "connection closed by the endpoint";
        }
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            String name = t.getClass().getName();
            if (name.contains("PrematureClose") || name.contains("AbortedException")) {
                return "connection closed by the endpoint before the answer was complete";
            }
            if (name.startsWith("javax.xml.stream") || name.contains("Xml")) {
                return "the answer was cut off (incomplete XML)";
            }
        }
        if (find(e, EOFException.class) != null) {
            return "connection closed by the endpoint (the answer was cut off)";
        }
        return firstLine(rootMessage(e));
    }

    /** The innermost message, without the exception's class name (the operator acts on the words). */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? "no message" : t.getMessage();
    }

    /** Azure's messages carry the request id and time on further lines; the first says what happened. */
    static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }
}
