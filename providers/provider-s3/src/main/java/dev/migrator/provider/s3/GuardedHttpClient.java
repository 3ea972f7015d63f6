package dev.migrator.provider.s3;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 *     for an endpoint that never answers held up Ctrl-C for the whole read timeout. Each request runs on
 *     a helper thread while the caller waits interruptibly; an interrupt aborts the request (closes its
 *     connection). When the JVM shuts down (Ctrl-C), every request still waiting is aborted.</li>
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
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final SdkHttpClient delegate;
    private final AtomicBoolean answered = new AtomicBoolean();
    private final ExecutorService callers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "s3-http-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    GuardedHttpClient(SdkHttpClient delegate) {
        this.delegate = delegate;
        if (HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> IN_FLIGHT.forEach(Guarded::abort), "s3-abort"));
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
        callers.shutdownNow();
        delegate.close();
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

    private final class Guarded implements ExecutableHttpRequest {
        private final HttpExecuteRequest request;
        private final ExecutableHttpRequest call;
        private volatile boolean aborted;
        private volatile Future<HttpExecuteResponse> pending;

        Guarded(HttpExecuteRequest request, ExecutableHttpRequest call) {
            this.request = request;
            this.call = call;
        }

        @Override
        public HttpExecuteResponse call() throws IOException {
            IN_FLIGHT.add(this);
            try {
                pending = callers.submit(call::call);
                if (aborted) {
                    pending.cancel(true); // aborted between registering and submitting
                }
            } catch (java.util.concurrent.RejectedExecutionException e) {
                IN_FLIGHT.remove(this);
                throw new InterruptedIOException("the S3 client is closed");
            }
            try {
                HttpExecuteResponse response = pending.get();
                check(response);
                return response;
            } catch (InterruptedException e) {
                abort();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the answer");
            } catch (java.util.concurrent.CancellationException e) {
                // abort() at shutdown: the socket read may go on in the helper thread, the caller does not wait for it
                throw new InterruptedIOException("request aborted: migrator is stopping");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (aborted) {
                    InterruptedIOException stop = new InterruptedIOException("request aborted: migrator is stopping");
                    stop.initCause(cause);
                    throw stop;
                }
                if (cause instanceof IllegalArgumentException && String.valueOf(cause.getMessage()).contains("Status code")) {
                    ClosedBeforeAnswer closed = new ClosedBeforeAnswer();
                    closed.initCause(cause);
                    throw closed;
                }
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                throw (Error) cause;
            } finally {
                IN_FLIGHT.remove(this);
            }
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
                response.responseBody().ifPresent(body -> {
                    try {
                        body.close();
                    } catch (IOException ignored) {
                        // the answer is refused anyway
                    }
                });
                throw new NotS3Answer("HTTP " + http.statusCode() + " " + type.split(";")[0].trim()
                        + " to " + request.httpRequest().method() + " " + request.httpRequest().encodedPath());
            }
            answered.set(true);
        }

        @Override
        public void abort() {
            aborted = true;
            call.abort();
            // Closing the connection does not always wake a read of the status line; cancelling the wait does.
            Future<HttpExecuteResponse> p = pending;
            if (p != null) {
                p.cancel(true);
            }
        }
    }
}
