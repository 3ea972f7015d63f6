package dev.migrator.testkit.fault;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/1.1 reverse proxy on 127.0.0.1 that forwards to one plain-HTTP target (e.g. S3Proxy) and
 * injects the faults its {@link FaultPlan} asks for: S3 throttling/5xx answers, connection resets,
 * connections closed before the status line, requests never answered and truncated response bodies
 * (a listing's XML included); {@link #refuseConnections()} makes it a server that is down. Requests are forwarded byte for byte (Host included, so AWS signatures
 * stay valid), each on a fresh connection to the target; every response is sent with
 * {@code Connection: close}, so the client opens one connection per request.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), FaultPlan.everyNth(3, Fault.SLOW_DOWN_503))) {
 *     String uri = "s3://bucket/?endpoint=" + proxy.endpoint() + "...";
 *     ... run the code under test against uri ...
 *     assertThat(proxy.injectedCount()).isPositive();
 * }
 * }</pre>
 */
public final class FaultProxy implements Closeable {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "expect");

    private final URI target;
    private volatile ServerSocket server;
    private volatile java.util.concurrent.CountDownLatch acceptLoopEnded = new java.util.concurrent.CountDownLatch(1);
    private final int port;
    private final ExecutorService pool;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<Fault, AtomicLong> injected = new EnumMap<>(Fault.class);
    private final AtomicLong requests = new AtomicLong();
    private FaultPlan plan;
    /** Requests being handled now (read, then answered or forwarded). */
    private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();
    /** {@link #concurrencyLimit}: above this many requests at once, answer 503 SlowDown; 0 for none. */
    private volatile int concurrencyLimit;
    /**
     * Emulates S3's archive classes, which S3Proxy does not model (it keeps the class name only): a GET of an
     * object whose HEAD/GET answer says {@code x-amz-storage-class: GLACIER} or {@code DEEP_ARCHIVE} is answered
     * {@code 403 InvalidObjectState} until a {@code POST ?restore} for it has arrived and {@code restoreTime} has
     * passed since; the POST is answered here ({@code 202}, then {@code 409 RestoreAlreadyInProgress} while it runs,
     * {@code 200} after); a HEAD carries {@code x-amz-restore: ongoing-request="true"} while the restore runs and
     * {@code ongoing-request="false", expiry-date=...} after. Tiers and days are accepted, not modelled.
     */
    public void emulateArchive(java.time.Duration restoreTime) {
        restoreMillis = restoreTime.toMillis();
        restores = new ConcurrentHashMap<>();
    }

    /** Restore requests this proxy answered while emulating archives. */
    public int restoreRequests() {
        Map<String, Long> r = restores;
        return r == null ? 0 : r.size();
    }

    /** {@link #delay}: milliseconds added before each request is answered or forwarded. */
    private volatile long delayMillis;
    /** Sum over forwarded requests of the requests active when each arrived, for {@link #meanConcurrency}. */
    private final AtomicLong concurrencySum = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    /** Requests the current plan was asked about: each plan numbers requests from 0. */
    private long planRequests;
    private volatile boolean closed;
    /** {@link #emulateArchive}: restores asked for, by request path, with when they were asked; null when off. */
    private volatile Map<String, Long> restores;
    private volatile long restoreMillis;

    private FaultProxy(URI target, FaultPlan plan) throws IOException {
        if (!"http".equalsIgnoreCase(target.getScheme()) || target.getHost() == null) {
            throw new IllegalArgumentException("FaultProxy forwards to plain http://host:port targets, got " + target);
        }
        this.target = target;
        this.plan = Objects.requireNonNull(plan, "plan");
        for (Fault f : Fault.values()) {
            injected.put(f, new AtomicLong());
        }
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.port = server.getLocalPort();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy");
            t.setDaemon(true);
            return t;
        });
        ServerSocket first = server;
        pool.execute(() -> acceptLoop(first));
    }

    /** Starts a proxy in front of {@code target} (e.g. {@code http://127.0.0.1:9000}) following {@code plan}. */
    public static FaultProxy start(URI target, FaultPlan plan) {
        try {
            return new FaultProxy(target, plan);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start FaultProxy in front of " + target + ": " + e, e);
        }
    }

    /** The proxy's base URL, {@code http://127.0.0.1:PORT}; use it as the client's endpoint. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Stops listening, as a server that went down: new connections are refused (connections already
     * open finish). {@link #acceptConnections()} listens again on the same port, as the server back up.
     */
    public synchronized void refuseConnections() {
        try {
            server.close();
        } catch (IOException e) {
            // Already closed.
        }
        // The JDK defers closing a listening socket until its accept() returns: wait, so that no
        // connection made after this call is accepted in that window.
        try {
            acceptLoopEnded.await(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Listens again on the same port after {@link #refuseConnections()}. */
    public synchronized void acceptConnections() {
        if (!server.isClosed() || closed) {
            return;
        }
        try {
            ServerSocket again = new ServerSocket();
            again.setReuseAddress(true);
            again.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            server = again;
            java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
            acceptLoopEnded = ended;
            pool.execute(() -> acceptLoop(again));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on port " + port + " again: " + e, e);
        }
    }

    /**
     * Replaces the plan for requests from now on (e.g. set up data undisturbed, then inject faults); the
     * new plan sees the next request as number 0.
     */
    public synchronized void plan(FaultPlan plan) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.planRequests = 0;
    }

    /**
     * Makes the proxy an endpoint with a capacity, as S3 is per prefix: a request arriving while {@code n}
     * others are being handled is answered {@code 503 SlowDown} (counted as an injected
     * {@link Fault#SLOW_DOWN_503}), on top of whatever the plan decides. 0 turns it off.
     */
    public void concurrencyLimit(int n) {
        this.concurrencyLimit = n;
    }

    /** Adds {@code delay} to every request before it is answered or forwarded: a distant endpoint's latency. */
    public void delay(java.time.Duration delay) {
        this.delayMillis = delay.toMillis();
    }

    /** Mean number of requests being handled (itself included) when a forwarded request arrived. */
    public double meanConcurrency() {
        long n = forwarded.get();
        return n == 0 ? 0 : (double) concurrencySum.get() / n;
    }

    /** Faults actually injected so far, of every kind. */
    public long injectedCount() {
        return injected.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Faults of kind {@code fault} actually injected so far. */
    public long injectedCount(Fault fault) {
        return injected.get(fault).get();
    }

    /** Requests received so far, disturbed or not. */
    public long requestCount() {
        return requests.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // Already closed.
        }
        open.forEach(FaultProxy::closeQuietly);
        pool.shutdownNow();
    }

    private void acceptLoop(ServerSocket server) {
        java.util.concurrent.CountDownLatch ended = acceptLoopEnded;
        try {
            accept(server);
        } finally {
            ended.countDown();
        }
    }

    private void accept(ServerSocket server) {
        while (!closed && !server.isClosed()) {
            try {
                Socket client = server.accept();
                if (server.isClosed()) {
                    closeQuietly(client); // accepted while being closed: refused after all
                    return;
                }
                open.add(client);
                pool.execute(() -> {
                    try {
                        handle(client);
                    } catch (IOException | RuntimeException e) {
                        // The client or target went away; nothing to report to anyone.
                    } finally {
                        closeQuietly(client);
                        open.remove(client);
                    }
                });
            } catch (IOException e) {
                if (!closed && !server.isClosed()) {
                    continue;
                }
                return;
            }
        }
    }

    /** One request per client connection: read it, decide, forward or disturb, close. */
    private void handle(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        Head request = Head.read(in);
        if (request == null) {
            return;
        }
        String[] line = request.startLine.split(" ", 3);
        if (line.length < 3) {
            return;
        }
        String method = line[0];
        if ("100-continue".equalsIgnoreCase(request.header("expect"))) {
            // Read the whole body before deciding, so every fault happens after the request was sent.
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        byte[] body = readBody(in, request);
        int now = active.incrementAndGet();
        try {
            handle(client, in, out, request, line, method, body, now);
        } finally {
            active.decrementAndGet();
        }
    }

    private void handle(Socket client, InputStream in, OutputStream out, Head request, String[] line, String method,
                        byte[] body, int now) throws IOException {
        long delay = delayMillis;
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Fault fault;
        synchronized (this) {
            requests.incrementAndGet();
            fault = plan.decide(new FaultPlan.Request(planRequests++, method, line[1]));
        }
        int cap = concurrencyLimit;
        if (fault == null && cap > 0 && now > cap) {
            fault = Fault.SLOW_DOWN_503;
        }
        if (fault == null || fault == Fault.TRUNCATE_BODY) {
            forwarded.incrementAndGet();
            concurrencySum.addAndGet(now);
        }
        if (fault == Fault.RESET) {
            injected.get(fault).incrementAndGet();
            client.setSoLinger(true, 0); // close() now sends RST instead of FIN
            return;
        }
        if (fault == Fault.CLOSE_BEFORE_STATUS) {
            injected.get(fault).incrementAndGet();
            client.shutdownOutput(); // FIN: the client reads the end of the stream where the status line should be
            return;
        }
        if (fault == Fault.NO_ANSWER) {
            injected.get(fault).incrementAndGet();
            // Hold the connection until the client closes it (read returns -1 or fails) or the proxy closes.
            while (in.read() >= 0) {
                // discard anything more the client sends
            }
            return;
        }
        if (fault != null && fault != Fault.TRUNCATE_BODY) {
            injected.get(fault).incrementAndGet();
            answerError(out, fault, method, line[1]);
            return;
        }

        Map<String, Long> archive = restores;
        String path = line[1].indexOf('?') < 0 ? line[1] : line[1].substring(0, line[1].indexOf('?'));
        if (archive != null && method.equals("POST") && line[1].matches(".*[?&]restore(=[^&]*)?(&.*)?$")) {
            Long asked = archive.putIfAbsent(path, System.currentTimeMillis());
            int status = asked == null ? 202 : restoring(asked) ? 409 : 200;
            answer(out, status, status == 409 ? "<Error><Code>RestoreAlreadyInProgress</Code><Message>Object restore is already"
                    + " in progress (emulated by FaultProxy)</Message></Error>" : "");
            return;
        }
        try (Socket upstream = new Socket(target.getHost(), target.getPort() < 0 ? 80 : target.getPort())) {
            OutputStream up = upstream.getOutputStream();
            up.write(request.withHeaders("Connection", "close").getBytes(StandardCharsets.ISO_8859_1));
            up.write(body);
            up.flush();
            InputStream down = upstream.getInputStream();
            Head response = Head.read(down);
            if (response == null) {
                return;
            }
            String cls = response.header("x-amz-storage-class");
            if (archive != null && response.status() / 100 == 2 && ("GLACIER".equals(cls) || "DEEP_ARCHIVE".equals(cls))
                    && (method.equals("GET") || method.equals("HEAD"))) {
                Long asked = archive.get(path);
                if (method.equals("HEAD") && asked != null) {
                    response = response.plus("x-amz-restore", restoring(asked) ? "ongoing-request=\"true\""
                            : "ongoing-request=\"false\", expiry-date=\"Fri, 01 Jan 2100 00:00:00 GMT\"");
                } else if (method.equals("GET") && (asked == null || restoring(asked))) {
                    answer(out, 403, "<Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the"
                            + " object's storage class (emulated by FaultProxy)</Message><StorageClass>" + cls
                            + "</StorageClass></Error>");
                    return;
                }
            }
            boolean noBody = method.equals("HEAD") || response.status() == 204 || response.status() == 304
                    || response.status() / 100 == 1;
            String length = response.header("content-length");
            boolean chunked = "chunked".equalsIgnoreCase(response.header("transfer-encoding"));
            if (fault == Fault.TRUNCATE_BODY && (chunked || length == null)) {
                // A chunked answer, or one that ends with the connection, is cut the same way: sent with its
                // whole length, half its bytes.
                byte[] whole = chunked ? dechunk(down) : down.readAllBytes();
                if (whole.length >= 2) {
                    injected.get(fault).incrementAndGet();
                    out.write(response.without("transfer-encoding").withHeaders("Content-Length", whole.length
                            + "\r\nConnection: close").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(whole, 0, whole.length / 2);
                    out.flush();
                    client.shutdownOutput();
                    return;
                }
                out.write(response.without("transfer-encoding").withHeaders("Content-Length", whole.length
                        + "\r\nConnection: close").getBytes(StandardCharsets.ISO_8859_1));
                out.write(whole);
                out.flush();
                return;
            }
            out.write(response.withHeaders("Connection", "close").getBytes(StandardCharsets.ISO_8859_1));
            if (noBody) {
                out.flush();
                return;
            }
            if (length != null && !chunked) {
                long n = Long.parseLong(length.trim());
                if (fault == Fault.TRUNCATE_BODY && n >= 2) {
                    injected.get(fault).incrementAndGet();
                    copy(down, out, n / 2);
                    out.flush();
                    client.shutdownOutput(); // the client sees the end of the stream N/2 bytes early
                    return;
                }
                copy(down, out, n);
            } else if (chunked) {
                out.write(readBody(down, response));
            } else {
                down.transferTo(out);
            }
            out.flush();
        }
    }

    private boolean restoring(long askedAt) {
        return System.currentTimeMillis() - askedAt < restoreMillis;
    }

    /** An answer made here, with an S3 error document or an empty body. */
    private static void answer(OutputStream out, int status, String xml) throws IOException {
        byte[] bytes = xml.isEmpty() ? new byte[0]
                : ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xml).getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " Emulated\r\nContent-Type: application/xml\r\nContent-Length: " + bytes.length
                + "\r\nx-amz-request-id: faultproxy\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    private void answerError(OutputStream out, Fault fault, String method, String target) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + fault.code + "</Code><Message>"
                + fault.message + " (injected by FaultProxy)</Message><Resource>" + escape(target)
                + "</Resource><RequestId>faultproxy-" + requests.get() + "</RequestId></Error>";
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        String reason = switch (fault.status) {
            case 503 -> "Service Unavailable";
            case 429 -> "Too Many Requests";
            default -> "Internal Server Error";
        };
        boolean head = method.equals("HEAD");
        String headers = "HTTP/1.1 " + fault.status + " " + reason + "\r\n"
                + "Content-Type: application/xml\r\n"
                + "Content-Length: " + (head ? 0 : bytes.length) + "\r\n"
                + "x-amz-request-id: faultproxy\r\n"
                + (fault.status == 503 || fault.status == 429 ? "Retry-After: 0\r\n" : "")
                + "Connection: close\r\n\r\n";
        out.write(headers.getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            out.write(bytes);
        }
        out.flush();
    }

    /**
     * The message body as raw bytes: Content-Length bytes, or the chunks with their framing as sent
     * (relayed with the Transfer-Encoding header they came with).
     */
    private static byte[] readBody(InputStream in, Head head) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
            while (true) {
                String sizeLine = readLine(in);
                body.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    String trailer;
                    do {
                        trailer = readLine(in);
                        body.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    } while (!trailer.isEmpty());
                    return body.toByteArray();
                }
                copy(in, body, size);
                body.write((readLine(in) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        String length = head.header("content-length");
        if (length != null) {
            copy(in, body, Long.parseLong(length.trim()));
        }
        return body.toByteArray();
    }

    /** A chunked body's content, without its framing (trailers dropped). */
    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int semi = sizeLine.indexOf(';');
            long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                for (String trailer = readLine(in); trailer != null && !trailer.isEmpty(); trailer = readLine(in)) {
                    // trailers are not relayed
                }
                return body.toByteArray();
            }
            copy(in, body, size);
            readLine(in);
        }
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new IOException("stream ended " + left + " bytes early");
            }
            out.write(buf, 0, r);
            left -= r;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0 && prev < 0) {
                    return null;
                }
                throw new IOException("connection closed in the middle of a line");
            }
            if (prev == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            prev = b;
            if (line.size() > 64 * 1024) {
                throw new IOException("header line longer than 64 KiB");
            }
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Closing is best effort.
        }
    }

    /** A start line and headers, in order, as received. */
    private record Head(String startLine, List<String[]> headers) {
        static Head read(InputStream in) throws IOException {
            String start;
            try {
                start = readLine(in);
            } catch (SocketException e) {
                return null;
            }
            if (start == null || start.isEmpty()) {
                return null;
            }
            List<String[]> headers = new ArrayList<>();
            for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).trim()});
                }
            }
            return new Head(start, headers);
        }

        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        int status() {
            String[] parts = startLine.split(" ", 3);
            return parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        }

        /** This head with one more header. */
        Head plus(String name, String value) {
            List<String[]> more = new ArrayList<>(headers);
            more.add(new String[] {name, value});
            return new Head(startLine, more);
        }

        /** This head without the header {@code name}. */
        Head without(String name) {
            return new Head(startLine, headers.stream().filter(h -> !h[0].equalsIgnoreCase(name)).toList());
        }

        /** The head as text, hop-by-hop headers replaced by {@code name: value}. */
        String withHeaders(String name, String value) {
            StringBuilder sb = new StringBuilder(startLine).append("\r\n");
            for (String[] h : headers) {
                if (!HOP_BY_HOP.contains(h[0].toLowerCase(Locale.ROOT))) {
                    sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
                }
            }
            return sb.append(name).append(": ").append(value).append("\r\n\r\n").toString();
        }
    }
}
