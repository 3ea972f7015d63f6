package dev.migrator.embedded;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.gaul.shaded.org.eclipse.jetty.server.Request;
import org.gaul.shaded.org.eclipse.jetty.server.handler.HandlerWrapper;

/**
 * Sits in front of S3Proxy's handler and plays a distant, rate-limited provider: every request waits
 * {@link #latencyMillis} before it is handled (a round trip's worth, held by this server's thread, not by a
 * proxy process), and a request arriving while {@link #throttleAbove} others are being handled is answered
 * {@code 503 SlowDown} at once, as S3 does when a prefix is over its request rate.
 *
 * <p>Counts what it saw, for benchmarks, at {@code GET /_migrator/stats} (an underscore is no valid bucket
 * name, so no S3 path is hidden): {@code inflight} now, {@code requests} handled, {@code throttled} answers, {@code inflight_sum}
 * (the sum over handled requests of the requests in progress when each arrived: divided by {@code requests},
 * the mean concurrency the clients reached) and {@code peak} in flight. {@code ?reset} zeroes the counts
 * (call it while no requests run). {@code GET /_migrator/gate?latency-ms=M&throttle-above=N} changes the knobs.
 * Thread-safe; both knobs may change while the server runs.
 */
final class RequestGate extends HandlerWrapper {
    static final String STATS_PATH = "/_migrator/stats";
    static final String GATE_PATH = "/_migrator/gate";

    volatile long latencyMillis;
    volatile int throttleAbove;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong inFlightSum = new AtomicLong();
    private final AtomicInteger peak = new AtomicInteger();

    @Override
    public void handle(String target, Request base, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        if (STATS_PATH.equals(target)) {
            stats(base, request, response);
            return;
        }
        if (GATE_PATH.equals(target)) {
            set(base, request, response);
            return;
        }
        int now = inFlight.incrementAndGet();
        try {
            int cap = throttleAbove;
            if (cap > 0 && now > cap) {
                throttled.incrementAndGet();
                slowDown(base, response);
                return;
            }
            requests.incrementAndGet();
            inFlightSum.addAndGet(now);
            peak.accumulateAndGet(now, Math::max);
            long delay = latencyMillis;
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the server is stopping
                    throw new IOException("interrupted while delaying a request", e);
                }
            }
            super.handle(target, base, request, response);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static void slowDown(Request base, HttpServletResponse response) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
                + "<Message>Please reduce your request rate.</Message></Error>").getBytes(StandardCharsets.UTF_8);
        response.setStatus(503);
        response.setContentType("application/xml");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        base.setHandled(true);
    }

    /** {@code ?latency-ms=M&throttle-above=N}: changes the knobs given, e.g. to seed or check a bench's data unhindered. */
    private void set(Request base, HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            String ms = request.getParameter("latency-ms");
            String cap = request.getParameter("throttle-above");
            long newLatency = ms == null ? latencyMillis : Long.parseLong(ms);
            int newCap = cap == null ? throttleAbove : Integer.parseInt(cap);
            if (newLatency < 0 || newCap < 0) {
                throw new NumberFormatException("negative");
            }
            latencyMillis = newLatency;
            throttleAbove = newCap;
        } catch (NumberFormatException e) {
            answer(base, response, 400, "latency-ms and throttle-above must be whole numbers >= 0\n");
            return;
        }
        answer(base, response, 200, "latency-ms=" + latencyMillis + " throttle-above=" + throttleAbove + "\n");
    }

    private void stats(Request base, HttpServletRequest request, HttpServletResponse response) throws IOException {
        String text = "inflight=" + inFlight.get() + " requests=" + requests.get() + " throttled=" + throttled.get() + " inflight_sum=" + inFlightSum.get()
                + " peak=" + peak.get() + "\n";
        if (request.getParameter("reset") != null) {
            requests.set(0);
            throttled.set(0);
            inFlightSum.set(0);
            peak.set(0);
        }
        answer(base, response, 200, text);
    }

    private static void answer(Request base, HttpServletResponse response, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/plain");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        base.setHandled(true);
    }
}
