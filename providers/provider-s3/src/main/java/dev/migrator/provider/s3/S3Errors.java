package dev.migrator.provider.s3;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ThrottledException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Translates AWS SDK exceptions into {@link MigratorException}s: one place that decides what is
 * retryable and what the person running the tool should do. Messages never include credentials.
 *
 * <p>Both request paths come here through {@link #translate}: the lean one ({@link S3Wire}) raises the
 * {@link software.amazon.awssdk.services.s3.model.S3Exception} (status, {@code <Code>}, {@code <Message>}) and the
 * {@link SdkClientException} (around the {@link IOException}) that the SDK raises for the same answer, so the table
 * below is the only one.
 */
final class S3Errors {
    private static final Set<String> RETRYABLE_CODES = Set.of(
            "SlowDown", "Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequests",
            "InternalError", "ServiceUnavailable", "RequestTimeout", "OperationAborted",
            "IncompleteBody");
    /** Codes that ask the client to slow down: the copy lowers its concurrency on them. */
    private static final Set<String> THROTTLING_CODES = Set.of(
            "SlowDown", "Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequests");
    private static final Set<String> AUTH_CODES = Set.of(
            "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "ExpiredToken", "InvalidToken",
            "TokenRefreshRequired", "AllAccessDisabled", "AccountProblem", "InvalidSecurity");

    private final S3Location location;
    /** Whether the endpoint has ever answered: a wrong endpoint and a restarting server fail alike otherwise. */
    private final BooleanSupplier answered;

    S3Errors(S3Location location, BooleanSupplier answered) {
        this.location = location;
        this.answered = answered;
    }

    /** The exception for {@code e}, which happened while doing {@code what} (e.g. "reading s3://b/k"). */
    MigratorException translate(SdkException e, String what) {
        if (e instanceof AwsServiceException s) {
            return service(s, what);
        }
        return client(e, what);
    }

    /**
     * A 400 about an {@code x-amz-checksum-*} value: AWS answers BadDigest, S3Mock "Value for x-amz-checksum-crc32c
     * header is invalid" when the bytes do not have the checksum sent with them.
     */
    static boolean checksumRefused(int status, String detail) {
        return status == 400 && detail != null && detail.toLowerCase(java.util.Locale.ROOT).contains("x-amz-checksum-");
    }

    private MigratorException service(AwsServiceException e, String what) {
        int status = e.statusCode();
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String detail = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        String at = location.endpointName();
        String bucket = location.bucket();
        String says = " (" + status + (code != null ? " " + code : "") + (detail != null ? ": " + detail : "") + ")";

        if ("NoSuchBucket".equals(code)) {
            return new MigratorException(ErrorCode.BAD_INPUT, "bucket '" + bucket + "' does not exist at " + at
                    + ": create it first or check the name", e);
        }
        if ("NoSuchKey".equals(code) || (status == 404 && code == null)) {
            return new MigratorException(ErrorCode.NOT_FOUND, what + ": no such object", e);
        }
        if ("InvalidObjectState".equals(code)) {
            // A 403 too, but not about credentials: the object is archived (GLACIER, DEEP_ARCHIVE, or an archive tier).
            return new MigratorException(ErrorCode.FAILED, what + ": the object is archived and cannot be read until it"
                    + " is restored" + says + "; in a plan choose 'archived: restore' (or 'archived: skip') for the move, or restore it"
                    + " (aws s3api restore-object --restore-request Days=7 ...), wait until HEAD shows x-amz-restore"
                    + " ongoing-request=\"false\", then run again, or leave it out with a filter", e);
        }
        if (status == 403 || (code != null && AUTH_CODES.contains(code))) {
            // The server's message is left out on purpose: for SignatureDoesNotMatch it may echo request details.
            return new MigratorException(ErrorCode.AUTH, "credentials rejected by " + at + " for bucket '" + bucket
                    + "' (" + status + (code != null ? " " + code : "") + ") while " + what
                    + ": check AWS_PROFILE / the access key and secret, and that they may access the bucket", e);
        }
        if ("RequestTimeTooSkewed".equals(code)) {
            return new MigratorException(ErrorCode.BAD_INPUT, "the clock of this machine is off by more than 15 "
                    + "minutes from " + at + " while " + what + ": fix the system time (NTP)", e);
        }
        if ("PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code) || status == 301) {
            return new MigratorException(ErrorCode.BAD_INPUT, "bucket '" + bucket + "' is not in region "
                    + location.region() + " at " + at + says + ": add ?region=<the bucket's region>", e);
        }
        if ("InvalidBucketName".equals(code)) {
            return new MigratorException(ErrorCode.BAD_INPUT, "'" + bucket + "' is not a valid bucket name at "
                    + at + ": check the name", e);
        }
        if ("KeyTooLongError".equals(code)) {
            return new MigratorException(ErrorCode.BAD_INPUT, what + ": key too long for " + at + says, e);
        }
        if ("BadDigest".equals(code) || "InvalidDigest".equals(code) || "XAmzContentSHA256Mismatch".equals(code)
                || checksumRefused(status, detail)) {
            // The bytes were damaged on the way; sending them again from the replayable source may succeed.
            return new MigratorException(ErrorCode.INTEGRITY, what + ": " + at
                    + " received different bytes than were sent" + says, e, true);
        }
        if ("NotImplemented".equals(code) || status == 501) {
            return new MigratorException(ErrorCode.BAD_INPUT, what + ": " + at + " does not implement this request"
                    + says + "; for S3-compatible stores try ?checksums=when-required", e);
        }
        if (status == 416 || "InvalidRange".equals(code)) {
            return new MigratorException(ErrorCode.BAD_INPUT, what + ": the requested range is beyond the end of "
                    + "the object" + says, e);
        }
        if (status == 429 || status == 503 || (code != null && THROTTLING_CODES.contains(code))) {
            return new ThrottledException(what + ": " + at + " answered" + says, e);
        }
        boolean retryable = status >= 500 || (code != null && RETRYABLE_CODES.contains(code));
        return new MigratorException(ErrorCode.FAILED, what + ": " + at + " answered" + says, e, retryable);
    }

    private MigratorException client(SdkException e, String what) {
        String at = location.endpointName();
        if (e instanceof AbortedException || hasCause(e, InterruptedException.class)
                || (hasCause(e, InterruptedIOException.class) && !hasCause(e, SocketTimeoutException.class))
                || Thread.currentThread().isInterrupted()) {
            return new MigratorException(ErrorCode.INTERRUPTED, "interrupted while " + what, e);
        }
        GuardedHttpClient.NotS3Answer notS3 = find(e, GuardedHttpClient.NotS3Answer.class);
        if (notS3 != null) {
            return new MigratorException(ErrorCode.BAD_INPUT, "endpoint " + at + " does not answer like an S3 server ("
                    + notS3.getMessage() + ") while " + what + ": check endpoint=", e);
        }
        if (hasCause(e, UnknownHostException.class)) {
            return new MigratorException(ErrorCode.BAD_INPUT, "cannot resolve the host of " + at + " while " + what
                    + ": check ?endpoint= (or your network/DNS)", e);
        }
        SocketTimeoutException timeout = find(e, SocketTimeoutException.class);
        boolean connectTimeout = timeout != null && String.valueOf(timeout.getMessage()).toLowerCase(Locale.ROOT).contains("connect");
        if (hasCause(e, ConnectException.class) || hasCause(e, NoRouteToHostException.class) || connectTimeout) {
            String why = connectTimeout ? "no connection within " + seconds(location.connectTimeout()) : describe(e);
            // Retryable either way: a server that is restarting refuses connections for a while.
            if (answered.getAsBoolean()) {
                return new ThrottledException(what + ": " + at + " stopped accepting connections (" + why
                        + "; restarting or overloaded?)", e);
            }
            return new MigratorException(ErrorCode.BAD_INPUT, "cannot connect to " + at + " while " + what
                    + " (" + why + "): check ?endpoint= and that the server is running", e, true);
        }
        if (timeout != null && !answered.getAsBoolean()) {
            // Waiting again would only multiply the wait: this is a wrong endpoint, not a slow answer.
            return new MigratorException(ErrorCode.BAD_INPUT, "endpoint " + at + " accepted the connection but never "
                    + "answered (nothing within " + seconds(location.readTimeout()) + ") while " + what
                    + ": check ?endpoint= (is it an S3 server?) and the network", e);
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("Unable to load credentials") || message.contains("Unable to load region")
                || message.contains("Profile file contained no credentials")) {
            return new MigratorException(ErrorCode.AUTH, "no AWS credentials for " + location.displayUri()
                    + ": set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or add ?profile=NAME", e);
        }
        if (e instanceof ApiCallAttemptTimeoutException || e instanceof ApiCallTimeoutException
                || hasCause(e, IOException.class)) {
            return MigratorException.retryable(what + ": " + describe(e), e);
        }
        if (message.contains("Could not parse XML") || hasCause(e, javax.xml.stream.XMLStreamException.class)) {
            // A listing or error body cut in the middle: the next attempt gets it whole.
            return MigratorException.retryable(what + ": the answer of " + at + " was cut off (incomplete XML)", e);
        }
        if (message.contains("checksum")) {
            return new MigratorException(ErrorCode.INTEGRITY, what + ": " + message, e, true);
        }
        return new MigratorException(ErrorCode.FAILED, what + ": " + message, e,
                e instanceof SdkClientException && e.retryable());
    }

    /** For an {@link IOException} from reading a source or a response body: always worth another attempt. */
    MigratorException io(IOException e, String what) {
        if (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            return new MigratorException(ErrorCode.INTERRUPTED, "interrupted while " + what, e);
        }
        return MigratorException.retryable(what + ": " + describe(e), e);
    }

    /** What broke, in words for the operator: never a Java class name. */
    String describe(Throwable e) {
        if (hasCause(e, GuardedHttpClient.ClosedBeforeAnswer.class)) {
            return "connection closed by the endpoint before it answered";
        }
        if (hasCause(e, SocketTimeoutException.class)) {
            return "no answer from " + location.endpointName() + " within " + seconds(location.readTimeout());
        }
        if (hasCause(e, ConnectException.class)) {
            return "connection refused";
        }
        // Judged by type, not by text: a source's own IOException may say "reset" too.
        String root = rootMessage(e);
        if (hasCause(e, java.net.SocketException.class)) {
            return root.toLowerCase(Locale.ROOT).contains("reset") ? "connection reset by the endpoint"
                    : "connection closed by the endpoint";
        }
        if (hasCause(e, java.io.EOFException.class)) {
            return "connection closed by the endpoint";
        }
        return root.isEmpty() ? "connection to " + location.endpointName() + " failed" : root;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message, without the exception's class name (the operator acts on the words). */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : "";
    }
}
