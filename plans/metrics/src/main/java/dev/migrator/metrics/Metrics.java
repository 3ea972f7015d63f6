package dev.migrator.metrics;

import com.sun.net.httpserver.HttpServer;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.StoreWrapper;
import dev.migrator.provider.Stores;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * The metrics of one command, served for Prometheus at {@code http://HOST:PORT/metrics} while it runs
 * ({@code --metrics-port}). What it measures:
 * <ul>
 *   <li>per endpoint (a store's redacted location): {@code migrator_objects_total} and {@code migrator_bytes_total}
 *       by {@code direction} (read, written, deleted), {@code migrator_retries_total} and {@code migrator_throttles_total},
 *       counted by a {@link StoreWrapper} registered with {@link Stores}, so every store opened meanwhile is counted
 *       once, wherever it is opened;</li>
 *   <li>per plan step: {@code migrator_step_state{step, state}}, 1 for the step's current state and 0 for the others;</li>
 *   <li>{@code migrator_eta_seconds} (seconds left, from {@link #eta}) and {@code migrator_elapsed_seconds};</li>
 *   <li>{@code migrator_replication_lag_seconds{move}}, which a replicating step sets with {@link #replicationLag}.</li>
 * </ul>
 * One instance serves at a time per JVM ({@link #current()}); the static setters do nothing when none does, so code
 * that reports (a step) needs no flag. Thread-safe.
 */
public final class Metrics implements AutoCloseable {
    /** A step's states, as the executor names them (lower-cased). */
    public static final List<String> STEP_STATES = List.of("pending", "running", "done", "resumed", "failed", "blocked", "cancelled");
    /** How a retryable failure says the store throttled (S3 SlowDown/503, 429 Too Many Requests, GCS "throttled"). */
    private static final Pattern THROTTLED = Pattern.compile("(?i)throttl|slow ?down|too ?many ?requests|\\b429\\b|\\b503\\b");
    private static final AtomicReference<Metrics> CURRENT = new AtomicReference<>();

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;
    private final Stores.Registration wrapper;
    private final Map<String, AtomicReference<String>> steps = new ConcurrentHashMap<>();
    private final Map<String, double[]> lags = new ConcurrentHashMap<>();
    private final long started = System.nanoTime();
    private volatile DoubleSupplier eta = () -> Double.NaN;

    private Metrics(HttpServer server) {
        this.server = server;
        Gauge.builder("migrator.eta", this, Metrics::eta).baseUnit("seconds")
                .description("Seconds left: by the plan's schedule for run and drill, at the rate so far for a transfer").register(registry);
        Gauge.builder("migrator.elapsed", this, m -> (System.nanoTime() - m.started) / 1e9).baseUnit("seconds")
                .description("Seconds since the command started").register(registry);
        server.createContext("/metrics", exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        this.wrapper = Stores.register(new Wrapper());
    }

    /**
     * Starts serving on {@code address}: {@code PORT} (every interface, as exporters usually do), {@code HOST:PORT},
     * or port 0 for any free port (tests).
     *
     * @throws MigratorException bad input when the address is malformed or the port is taken
     */
    public static Metrics serve(String address) {
        InetSocketAddress bind = parse(address);
        HttpServer server;
        try {
            server = HttpServer.create(bind, 16);
        } catch (BindException e) {
            throw MigratorException.badInput("--metrics-port " + address + ": the port is in use (" + e.getMessage()
                    + "); choose another port");
        } catch (IOException e) {
            throw MigratorException.badInput("--metrics-port " + address + ": cannot listen (" + e.getMessage() + ")");
        }
        Metrics m = new Metrics(server);
        if (!CURRENT.compareAndSet(null, m)) {
            m.close();
            throw new IllegalStateException("metrics are already served in this JVM");
        }
        return m;
    }

    static InetSocketAddress parse(String address) {
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? null : address.substring(0, colon);
        String port = colon < 0 ? address : address.substring(colon + 1);
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 0 || p > 65535 || (host != null && host.isBlank())) {
            throw MigratorException.badInput("--metrics-port '" + address + "': expected PORT or HOST:PORT, e.g. 9464 or 127.0.0.1:9464");
        }
        return host == null ? new InetSocketAddress(p) : new InetSocketAddress(host, p);
    }

    /** The instance serving now, or null. */
    public static Metrics current() {
        return CURRENT.get();
    }

    /** The port served (the one chosen, for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Sets the replication lag of {@code move} (seconds behind the source); nothing when metrics are not served. */
    public static void replicationLag(String move, double seconds) {
        Metrics m = current();
        if (m != null) {
            m.lags.computeIfAbsent(move, k -> {
                double[] cell = {Double.NaN};
                Gauge.builder("migrator.replication.lag", cell, c -> c[0]).baseUnit("seconds").tag("move", k)
                        .description("How far the target's replica is behind the source").register(m.registry);
                return cell;
            })[0] = seconds;
        }
    }

    /** Records that {@code step} is now in {@code state} (one of {@link #STEP_STATES}). */
    public void stepState(String step, String state) {
        String s = state.toLowerCase(Locale.ROOT);
        if (!STEP_STATES.contains(s)) {
            throw new IllegalArgumentException("unknown step state " + state);
        }
        steps.computeIfAbsent(step, id -> {
            AtomicReference<String> now = new AtomicReference<>("pending");
            for (String each : STEP_STATES) {
                Gauge.builder("migrator.step.state", now, r -> each.equals(r.get()) ? 1 : 0).tag("step", id).tag("state", each)
                        .description("1 for the state a plan step is in, 0 for the others").register(registry);
            }
            return now;
        }).set(s);
    }

    /** Where {@code migrator_eta_seconds} comes from: seconds left, NaN while unknown. */
    public void eta(DoubleSupplier secondsLeft) {
        eta = secondsLeft;
    }

    private double eta() {
        double left = eta.getAsDouble();
        return Double.isNaN(left) ? Double.NaN : Math.max(0, left);
    }

    /** The endpoint counters of {@code endpoint}. */
    Endpoint endpoint(String endpoint) {
        return new Endpoint(endpoint);
    }

    /** The counters of one endpoint (Micrometer returns the same counter for the same name and tags). */
    final class Endpoint {
        final Counter objectsRead;
        final Counter objectsWritten;
        final Counter objectsDeleted;
        final Counter bytesRead;
        final Counter bytesWritten;
        final Counter retries;
        final Counter throttles;

        Endpoint(String name) {
            objectsRead = objects(name, "read");
            objectsWritten = objects(name, "written");
            objectsDeleted = objects(name, "deleted");
            bytesRead = bytes(name, "read");
            bytesWritten = bytes(name, "written");
            retries = Counter.builder("migrator.retries").tag("endpoint", name).description("Requests retried").register(registry);
            throttles = Counter.builder("migrator.throttles").tag("endpoint", name)
                    .description("Retries because the store throttled (429, 503 SlowDown)").register(registry);
        }

        private Counter objects(String name, String direction) {
            return Counter.builder("migrator.objects").tag("endpoint", name).tag("direction", direction)
                    .description("Objects read, written or deleted").register(registry);
        }

        private Counter bytes(String name, String direction) {
            return Counter.builder("migrator.bytes").tag("endpoint", name).tag("direction", direction)
                    .description("Bytes read or written").register(registry);
        }

        void retried(MigratorException cause) {
            retries.increment();
            if (THROTTLED.matcher(String.valueOf(cause.getMessage())).find()) {
                throttles.increment();
            }
        }
    }

    /** Counts each store's traffic; the retry layer inside it tells the retries. */
    private final class Wrapper implements StoreWrapper {
        @Override
        public ObjectStore wrap(ObjectStore store, StoreOptions options) {
            return new MeteredObjectStore(store, endpoint(store.location()));
        }

        @Override
        public Retry.Listener onRetry(ObjectStore adapter) {
            Endpoint e = endpoint(adapter.location());
            return (what, attempt, cause) -> e.retried(cause);
        }
    }

    /** The text a scrape returns now (for tests and the final flush). */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        wrapper.close();
        server.stop(0);
        CURRENT.compareAndSet(this, null);
    }
}
