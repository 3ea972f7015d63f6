package dev.migrator.provider.s3;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * The JDK HTTP client with what it lacks for migrator:
 * <ul>
 * <li><b>Cancellation.</b> A thread blocked reading a socket ignores interrupts, so a request waiting
 *     for an endpoint that never answers held up Ctrl-C for the whole read timeout. Requests run on the
 *     calling thread; one watchdog thread per JVM closes the connection of a request whose caller was
 *     interrupted (within {@link #WATCH_MILLIS}), which wakes the blocked read. When the JVM shuts down
 *     (Ctrl-C), every request still waiting is aborted. (A helper thread per request, as before, cost two
 *     thread hand-offs per request: a measurable share of the CPU of small-object copies.)</li>
 * <li><b>Honest failures.</b> A connection closed before the status line makes the JDK client report
 *     status -1, on which the SDK throws {@code IllegalArgumentException}; it becomes the I/O failure it
 *     is ({@link ClosedBeforeAnswer}), so it is classified retryable like any broken connection.</li>
 * <li><b>Not an S3 server.</b> An error answer (or a listing) that is not XML and carries no S3 request
 *     id comes from some other HTTP server at {@code endpoint=}: {@link NotS3Answer} instead of letting
 *     the SDK read a 404 web page as "no such object".</li>
 * <li><b>Has it ever answered?</b> {@link #answered()} tells a wrong endpoint (never answered) from a
 *     server that went away in the middle of the work (restarting), for {@link S3Errors}.</li>
 * </ul>
 */
final class GuardedHttpClient implements SdkHttpClient {
    /** Requests waiting for their answer, of every client in this JVM: what a shutdown aborts. */
    private static final Set<Guarded> IN_FLIGHT = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK = new AtomicBoolean();
    /** How often the watchdog looks for interrupted callers: the longest an interrupt waits for its abort. */
    static final long WATCH_MILLIS = 50;

    private final SdkHttpClient delegate;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile boolean closed;

    GuardedHttpClient(SdkHttpClient delegate) {
        this.delegate = delegate;
        if (HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> IN_FLIGHT.forEach(Guarded::abort), "s3-abort"));
            Thread watchdog = new Thread(GuardedHttpClient::watch, "s3-abort-watch");
            watchdog.setDaemon(true);
            watchdog.start();
        }
    }

    /** Whether the endpoint has answered any request like an S3 server (any status). */
    boolean answered() {
        return answered.get();
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new Guarded(request, delegate.prepareRequest(request));
    }

    @Override
    public String clientName() {
        return delegate.clientName();
    }

    @Override
    public void close() {
        closed = true;
        delegate.close();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // the answer is refused anyway
        }
    }

    /** The connection was closed before the status line of the answer arrived. */
    static final class ClosedBeforeAnswer extends EOFException {
        ClosedBeforeAnswer() {
            super("connection closed by the endpoint before it answered");
        }
    }

    /** An answer from an HTTP server that is not S3 (no S3 request id, not XML). */
    static final class NotS3Answer extends IOException {
        NotS3Answer(String message) {
            super(message);
        }
    }

    /**
     * Aborts the requests whose caller was interrupted, or that {@link Guarded#abort} marked, every
     * {@link #WATCH_MILLIS}: one thread for the JVM instead of a hand-off to a helper thread per request. A marked
     * request is aborted again on every round, since the JDK client may retry a read of the status line on a fresh
     * connection after the first one was closed.
     */
    private static void watch() {
        while (true) {
            try {
                Thread.sleep(WATCH_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            for (Guarded g : IN_FLIGHT) {
                if (g.aborted || g.caller.isInterrupted()) {
                    g.abortConnection();
                }
            }
        }
    }

    private final class Guarded implements ExecutableHttpRequest {
        private final HttpExecuteRequest request;
        private final ExecutableHttpRequest call;
        /** Set by {@link #abort} (the SDK, or the shutdown hook). */
        private volatile boolean aborted;
        private volatile Thread caller;

        Guarded(HttpExecuteRequest request, ExecutableHttpRequest call) {
            this.request = request;
            this.call = call;
        }

        /** Runs on the calling thread; the watchdog ({@link #watch}) closes the connection if it is interrupted. */
        @Override
        public HttpExecuteResponse call() throws IOException {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted before the request was sent");
            }
            caller = Thread.currentThread();
            IN_FLIGHT.add(this);
            if (closed) {
                IN_FLIGHT.remove(this);
                throw new InterruptedIOException("the S3 client is closed");
            }
            try {
                HttpExecuteResponse response;
                try {
                    response = call.call();
                } catch (IOException | RuntimeException | Error e) {
                    throw stopped(e);
                }
                if (aborted || caller.isInterrupted()) {
                    // The answer came, but the request was aborted meanwhile: its body may already be cut off.
                    response.responseBody().ifPresent(GuardedHttpClient::closeQuietly);
                    throw stopped(null);
                }
                check(response);
                return response;
            } finally {
                IN_FLIGHT.remove(this);
            }
        }

        /** The failure to report: an abort or an interrupt first, whatever the client threw when its connection closed. */
        private IOException stopped(Throwable e) throws IOException {
            InterruptedIOException stop = null;
            if (Thread.currentThread().isInterrupted()) {
                stop = new InterruptedIOException("interrupted while waiting for the answer");
            } else if (aborted) {
                stop = new InterruptedIOException("request aborted: migrator is stopping");
            }
            if (stop != null) {
                if (e != null) {
                    stop.initCause(e);
                }
                return stop;
            }
            if (e instanceof IllegalArgumentException && String.valueOf(e.getMessage()).contains("Status code")) {
                ClosedBeforeAnswer closed = new ClosedBeforeAnswer();
                closed.initCause(e);
                return closed;
            }
            if (e instanceof IOException io) {
                return io;
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) e;
        }

        /** Refuses an answer that did not come from an S3 server; otherwise notes that the endpoint answers. */
        private void check(HttpExecuteResponse response) throws IOException {
            SdkHttpResponse http = response.httpResponse();
            String type = http.firstMatchingHeader("Content-Type").orElse("").toLowerCase(Locale.ROOT);
            boolean s3Ids = http.firstMatchingHeader("x-amz-request-id").isPresent()
                    || http.firstMatchingHeader("x-amz-id-2").isPresent();
            boolean listing = request.httpRequest().method() == SdkHttpMethod.GET
                    && request.httpRequest().firstMatchingRawQueryParameter("list-type").isPresent();
            // Objects may have any content type, so only error answers and listings (always XML) are judged.
            if ((http.statusCode() >= 300 || listing) && !s3Ids && !type.isEmpty() && !type.contains("xml")) {
                response.responseBody().ifPresent(GuardedHttpClient::closeQuietly);
                throw new NotS3Answer("HTTP " + http.statusCode() + " " + type.split(";")[0].trim()
                        + " to " + request.httpRequest().method() + " " + request.httpRequest().encodedPath());
            }
            answered.set(true);
        }

        /** Closes the connection now; the watchdog closes it again while the caller is still in the request. */
        @Override
        public void abort() {
            aborted = true;
            abortConnection();
        }

        private void abortConnection() {
            try {
                call.abort();
            } catch (RuntimeException e) {
                // a connection that cannot be closed now is tried again on the next round
            }
        }
    }
}
