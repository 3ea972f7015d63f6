package dev.migrator.testkit.fault;

/** What {@link FaultProxy} does to one request instead of (or while) forwarding it. */
public enum Fault {
    /** Answer {@code 503 SlowDown} with an S3 XML error body; the request is not forwarded. */
    SLOW_DOWN_503(503, "SlowDown", "Please reduce your request rate."),
    /** Answer {@code 429 TooManyRequests}; the request is not forwarded. */
    TOO_MANY_REQUESTS_429(429, "TooManyRequests", "Too many requests."),
    /** Answer {@code 500 InternalError}; the request is not forwarded. */
    INTERNAL_ERROR_500(500, "InternalError", "We encountered an internal error. Please try again."),
    /** Reset the connection (TCP RST) after reading the request; the request is not forwarded. */
    RESET(0, null, null),
    /**
     * Forward the request, then send the response's status and headers (its full Content-Length) but
     * only half of its body, and close. A chunked response, or one delimited by the end of the
     * connection, is sent with its whole Content-Length instead and cut the same way (a listing's XML
     * included). Applies only to responses with a body of at least 2 bytes; others pass untouched and
     * are not counted.
     */
    TRUNCATE_BODY(0, null, null),
    /**
     * Close the connection (a normal FIN, no reset) after reading the request, before any byte of an
     * answer: what a server or load balancer that drops an idle or overloaded connection does. The JDK
     * client reports it as status -1. The request is not forwarded.
     */
    CLOSE_BEFORE_STATUS(0, null, null),
    /**
     * Read the request and never answer: the connection stays open, silent, until the client gives up
     * (its read timeout) or the proxy is closed. The request is not forwarded.
     */
    NO_ANSWER(0, null, null);

    final int status;
    final String code;
    final String message;

    Fault(int status, String code, String message) {
        this.status = status;
        this.code = code;
        this.message = message;
    }
}
