package dev.migrator.embedded;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.shaded.org.eclipse.jetty.server.Connector;
import org.gaul.shaded.org.eclipse.jetty.server.Server;
import org.gaul.shaded.org.eclipse.jetty.server.ServerConnector;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3-compatible server (S3Proxy) running in this process on 127.0.0.1, for the embedded demo and
 * for tests. It speaks real S3 over HTTP with AWS signature v2/v4 checking against the fixed
 * {@link #ACCESS_KEY}/{@link #SECRET_KEY}; data lives in memory ({@link #inMemory()}) or in a
 * directory ({@link #onDirectory(Path)}), one subdirectory per bucket.
 *
 * <p>Known S3Proxy differences from S3: the server normalizes a few well-known content types (Jetty
 * writes {@code text/plain; charset=utf-8} back as {@code text/plain;charset=utf-8}).
 *
 * <p>Clients need path-style addressing and, with the AWS SDK v2, request checksums
 * {@code WHEN_REQUIRED} (S3Proxy does not understand the SDK's default trailing checksums).
 * <p>For benchmarks and drills it can play a distant, throttling provider ({@link #latency},
 * {@link #throttleAbove}) and counts the requests it handled and their concurrency at
 * {@code GET /_migrator/stats} (see {@link RequestGate}).
 *
 * Thread-safe; {@link #close()} stops the server and drops in-memory data.
 */
public final class EmbeddedS3Server implements AutoCloseable {
    /** The access key the server accepts. Test-only: the server is bound to loopback. */
    public static final String ACCESS_KEY = "migrator-local";
    /** The secret key that goes with {@link #ACCESS_KEY}. */
    public static final String SECRET_KEY = "migrator-local-key-0123456789";
    /** The region clients should sign for; S3Proxy accepts any, this one is the SDK's usual default. */
    public static final String REGION = "us-east-1";

    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Jetty threads: S3Proxy's default of 200 would cap a 256-transfer benchmark at the server, the more so
     * with {@link #latency} holding a thread per request. Idle threads are not created.
     */
    private static final int MAX_THREADS = 1024;
    private static final int ACCEPT_QUEUE = 1024;

    private final BlobStoreContext context;
    private final S3Proxy proxy;
    private final RequestGate gate = new RequestGate();
    private final URI endpoint;

    private EmbeddedS3Server(String blobStore, Properties overrides, int port) {
        context = ContextBuilder.newBuilder(blobStore)
                .credentials(ACCESS_KEY, SECRET_KEY)
                .overrides(overrides)
                .build(BlobStoreContext.class);
        S3Proxy built = null;
        try {
            S3Proxy server = S3Proxy.builder()
                    .blobStore(context.getBlobStore())
                    .endpoint(URI.create("http://127.0.0.1:" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    // The AWS SDK sends headers S3Proxy does not implement (checksum hints, expect-continue
                    // variants); without this it answers 501 NotImplemented.
                    .ignoreUnknownHeaders(true)
                    .jettyMaxThreads(MAX_THREADS)
                    .build();
            insertGate(server, gate);
            built = server;
        } finally {
            if (built == null) {
                context.close();
            }
        }
        proxy = built;
        try {
            proxy.start();
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("state " + proxy.getState() + " after " + START_TIMEOUT);
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            stopQuietly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new MigratorException(ErrorCode.FAILED,
                    "could not start the embedded S3 server on 127.0.0.1:" + port + ": " + e.getMessage()
                            + (port != 0 ? " (is the port in use? choose another or 0 for any)" : ""), e);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /**
     * Puts {@code gate} in front of S3Proxy's handler and lengthens the accept queue. S3Proxy builds its Jetty server privately and offers no
     * hook for a handler of our own, hence the reflection; a newer S3Proxy that renames the field fails here,
     * at start, not silently.
     */
    private static void insertGate(S3Proxy proxy, RequestGate gate) {
        try {
            Field field = S3Proxy.class.getDeclaredField("server");
            field.setAccessible(true);
            Server jetty = (Server) field.get(proxy);
            gate.setHandler(jetty.getHandler());
            jetty.setHandler(gate);
            for (Connector c : jetty.getConnectors()) {
                if (c instanceof ServerConnector connector) {
                    // Java's default accept backlog of 50 drops the SYNs of a client opening 256 connections at
                    // once (each then waits a 1 s retransmit, or fails): as a real endpoint would not.
                    connector.setAcceptQueueSize(ACCEPT_QUEUE);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot wrap S3Proxy's Jetty handler (S3Proxy version changed?): " + e, e);
        }
    }

    /**
     * Makes every request wait {@code latency} before it is handled, as if the endpoint were a round trip away
     * ({@code ZERO}: none). The wait holds one of this server's threads, not the client's.
     */
    public EmbeddedS3Server latency(Duration latency) {
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative: " + latency);
        }
        gate.latencyMillis = latency.toMillis();
        return this;
    }

    /**
     * Answers {@code 503 SlowDown} to any request that arrives while {@code n} others are being handled, as S3
     * does above a prefix's request rate; {@code 0} turns it off.
     */
    public EmbeddedS3Server throttleAbove(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("throttleAbove must be >= 0: " + n);
        }
        gate.throttleAbove = n;
        return this;
    }

    /**
     * A server on an ephemeral port whose data lives in memory and is gone after {@link #close()}. It uses
     * jclouds' map-based {@code transient} store, which keeps keys bytes-exact; {@code transient-nio2} maps
     * keys to paths and fails on keys like {@code dir/} with content or {@code a/./b}.
     */
    public static EmbeddedS3Server inMemory() {
        return inMemory(0);
    }

    /** A server on {@code port} ({@code 0}: any free port) whose data lives in memory. */
    public static EmbeddedS3Server inMemory(int port) {
        return new EmbeddedS3Server("transient", new Properties(), port);
    }

    /**
     * A server on an ephemeral port storing each bucket as a subdirectory of {@code directory}
     * ({@code filesystem-nio2}). Keys become paths, so keys a file system cannot hold (a {@code dir/}
     * object with content, {@code .}/{@code ..} segments, segments over 255 bytes) fail.
     */
    public static EmbeddedS3Server onDirectory(Path directory) {
        return onDirectory(directory, 0);
    }

    /** A server on {@code port} ({@code 0}: any free port) storing buckets under {@code directory}. */
    public static EmbeddedS3Server onDirectory(Path directory, int port) {
        Path dir = directory.toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw MigratorException.badInput("cannot use " + dir + " for the embedded S3 server: " + e
                    + "; choose a writable directory");
        }
        Properties overrides = new Properties();
        overrides.setProperty("jclouds.filesystem.basedir", dir.toString());
        return new EmbeddedS3Server("filesystem-nio2", overrides, port);
    }

    /** The server's base URL, e.g. {@code http://127.0.0.1:40123}; address buckets path-style. */
    public URI endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public String region() {
        return REGION;
    }

    /**
     * An {@code s3://} URI for {@code bucket} and optional {@code prefix} that the S3 provider opens
     * against this server, credentials included (they are redacted whenever the URI is shown).
     */
    public String s3Uri(String bucket, String prefix) {
        return "s3://" + bucket + "/" + (prefix == null ? "" : prefix)
                + "?endpoint=" + endpoint + "&region=" + REGION + "&path-style=true"
                + "&access-key=" + URLEncoder.encode(ACCESS_KEY, StandardCharsets.UTF_8)
                + "&secret-key=" + URLEncoder.encode(SECRET_KEY, StandardCharsets.UTF_8);
    }

    /** Creates {@code name} if it does not exist yet. */
    public void createBucket(String name) {
        Objects.requireNonNull(name, "name");
        // S3Proxy answers NoSuchBucket for names S3 would refuse, though jclouds creates them.
        if (!BUCKET_NAME.matcher(name).matches()) {
            throw MigratorException.badInput("cannot create bucket '" + name + "' on the embedded S3 server at "
                    + endpoint + ": use a valid S3 bucket name, 3-63 lower-case letters, digits, dots and hyphens");
        }
        String problem;
        try {
            context.getBlobStore().createContainerInLocation(null, name);
            // jclouds quietly refuses some invalid names (e.g. too short) instead of throwing.
            problem = context.getBlobStore().containerExists(name) ? null : "refused";
        } catch (RuntimeException e) {
            problem = e.getMessage();
        }
        if (problem != null) {
            throw MigratorException.badInput("cannot create bucket '" + name + "' on the embedded S3 server at "
                    + endpoint + " (" + problem + "): use a valid S3 bucket name, 3-63 lower-case letters, digits,"
                    + " dots and hyphens");
        }
    }

    @Override
    public void close() {
        stopQuietly();
    }

    private void stopQuietly() {
        try {
            proxy.stop();
        } catch (Exception e) {
            // Stopping a server that failed to start or was already stopped: nothing left to release.
        } finally {
            context.close();
        }
    }
}
