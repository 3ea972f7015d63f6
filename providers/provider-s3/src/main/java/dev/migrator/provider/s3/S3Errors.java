package dev.migrator.provider.s3;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Translates AWS SDK exceptions into {@link MigratorException}s: one place that decides what is
 * retryable and what the person running the tool should do. Messages never include credentials.
 */
final class S3Errors {
    private static final Set<String> RETRYABLE_CODES = Set.of(
            "SlowDown", "Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequests",
            "InternalError", "ServiceUnavailable", "RequestTimeout", "OperationAborted",
            "IncompleteBody");
    private static final Set<String> AUTH_CODES = Set.of(
            "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "ExpiredToken", "InvalidToken",
            "TokenRefreshRequired", "AllAccessDisabled", "AccountProblem", "InvalidSecurity");

    private final S3Location location;

    S3Errors(S3Location location) {
        this.location = location;
    }

    /** The exception for {@code e}, which happened while doing {@code what} (e.g. "reading s3://b/k"). */
    MigratorException translate(SdkException e, String what) {
        if (e instanceof AwsServiceException s) {
            return service(s, what);
        }
        return client(e, what);
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
        if ("BadDigest".equals(code) || "InvalidDigest".equals(code) || "XAmzContentSHA256Mismatch".equals(code)) {
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
        boolean retryable = status == 429 || status >= 500 || (code != null && RETRYABLE_CODES.contains(code));
        return new MigratorException(ErrorCode.FAILED, what + ": " + at + " answered" + says, e, retryable);
    }

    private MigratorException client(SdkException e, String what) {
        String at = location.endpointName();
        if (e instanceof AbortedException || hasCause(e, InterruptedException.class)
                || (hasCause(e, InterruptedIOException.class) && !hasCause(e, SocketTimeoutException.class))
                || Thread.currentThread().isInterrupted()) {
            return new MigratorException(ErrorCode.INTERRUPTED, "interrupted while " + what, e);
        }
        if (hasCause(e, UnknownHostException.class)) {
            return new MigratorException(ErrorCode.BAD_INPUT, "cannot resolve the host of " + at + " while " + what
                    + ": check ?endpoint= (or your network/DNS)", e);
        }
        if (hasCause(e, ConnectException.class) || hasCause(e, NoRouteToHostException.class)) {
            return new MigratorException(ErrorCode.BAD_INPUT, "cannot connect to " + at + " while " + what
                    + " (" + rootMessage(e) + "): check ?endpoint= and that the server is running", e);
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("Unable to load credentials") || message.contains("Unable to load region")
                || message.contains("Profile file contained no credentials")) {
            return new MigratorException(ErrorCode.AUTH, "no AWS credentials for " + location.displayUri()
                    + ": set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or add ?profile=NAME", e);
        }
        if (e instanceof ApiCallAttemptTimeoutException || e instanceof ApiCallTimeoutException
                || hasCause(e, IOException.class)) {
            return MigratorException.retryable(what + ": connection to " + at + " failed (" + rootMessage(e) + ")", e);
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
        return MigratorException.retryable(what + ": " + rootMessage(e), e);
    }

    static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
    }
}
