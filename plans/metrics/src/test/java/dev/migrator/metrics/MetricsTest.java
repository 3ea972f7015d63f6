package dev.migrator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Content;
import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.provider.local.LocalObjectStore;
import dev.migrator.testkit.WrapperCheck;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
    @TempDir
    Path dir;

    static String scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return r.body();
    }

    @Test
    void storesOpenedWhileServingAreCountedPerEndpointOverHttp() throws Exception {
        try (Metrics m = Metrics.serve("127.0.0.1:0")) {
            String src = dir.resolve("src").toUri().toString();
            String dst = dir.resolve("dst").toUri().toString();
            try (ObjectStore a = Stores.open(src, StoreOptions.DEFAULTS); ObjectStore b = Stores.open(dst, StoreOptions.DEFAULTS)) {
                a.put("x/1", Content.of(new byte[1000]), ObjectMetadata.EMPTY);
                a.put("x/2", Content.of(new byte[24]), ObjectMetadata.EMPTY);
                for (String k : new String[] {"x/1", "x/2"}) {
                    try (InputStream in = a.open(k, 0, -1)) {
                        b.put(k, Content.of(in.readAllBytes()), ObjectMetadata.EMPTY);
                    }
                }
                b.delete("x/2");
            }
            String text = scrape(m.port());
            String a = "endpoint=\"" + dir.resolve("src").toUri() + "\"";
            assertThat(text).contains("migrator_objects_total{direction=\"written\"," + a + "} 2.0")
                    .contains("migrator_bytes_total{direction=\"written\"," + a + "} 1024.0")
                    .contains("migrator_objects_total{direction=\"read\"," + a + "} 2.0")
                    .contains("migrator_bytes_total{direction=\"read\"," + a + "} 1024.0")
                    .contains("migrator_objects_total{direction=\"deleted\",endpoint=\"" + dir.resolve("dst").toUri() + "\"} 1.0")
                    .contains("migrator_elapsed_seconds ");
        }
        assertThat(Metrics.current()).isNull();
    }

    @Test
    void retriesAndThrottlesAreCountedPerEndpointThroughTheRetryLayer() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        LocalObjectStore local = new LocalObjectStore(dir.resolve("flaky"));
        ObjectStore flaky = new ForwardingObjectStore(local) {
            @Override
            public Optional<ObjectInfo> stat(String key) {
                int n = calls.incrementAndGet();
                if (n == 1) {
                    throw MigratorException.retryable("stat " + key + ": http://s3.example answered 503 (SlowDown: reduce your request rate)", null);
                }
                if (n == 2) {
                    throw MigratorException.retryable("stat " + key + ": connection reset", null);
                }
                return super.stat(key);
            }
        };
        try (Metrics m = Metrics.serve("0")) {
            Retry fast = new Retry(5, Duration.ofMillis(1), Duration.ofMillis(2));
            ObjectStore s = Stores.wrap(flaky, new StoreOptions(StoreOptions.DEFAULT_PART_SIZE, 1, fast), (w, a, c) -> { });
            assertThat(s.stat("nothing")).isEmpty();
            String text = scrape(m.port());
            String e = "endpoint=\"" + local.location() + "\"";
            assertThat(text).contains("migrator_retries_total{" + e + "} 2.0").contains("migrator_throttles_total{" + e + "} 1.0");
        }
    }

    @Test
    void stepStatesEtaAndReplicationLag() throws Exception {
        Metrics.replicationLag("db", 3); // not serving: nothing, no error
        try (Metrics m = Metrics.serve("0")) {
            m.eta(() -> 3599.5);
            m.stepState("presync/media/copy", "running");
            m.stepState("presync/media/copy", "DONE");
            m.stepState("cutover/db/db-copy", "pending");
            Metrics.replicationLag("db", 2.5);
            String text = scrape(m.port());
            assertThat(text).contains("migrator_step_state{state=\"done\",step=\"presync/media/copy\"} 1.0")
                    .contains("migrator_step_state{state=\"running\",step=\"presync/media/copy\"} 0.0")
                    .contains("migrator_step_state{state=\"pending\",step=\"cutover/db/db-copy\"} 1.0")
                    .contains("migrator_replication_lag_seconds{move=\"db\"} 2.5")
                    .contains("migrator_eta_seconds 3599.5");
            assertThatThrownBy(() -> m.stepState("x", "sleeping")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aTakenPortOrAMalformedAddressIsBadInputNamingTheOption() throws Exception {
        try (Metrics m = Metrics.serve("127.0.0.1:0")) {
            assertThatThrownBy(() -> Metrics.serve("127.0.0.1:" + m.port())).isInstanceOf(MigratorException.class)
                    .hasMessageContaining("--metrics-port 127.0.0.1:" + m.port() + ": the port is in use");
        }
        assertThatThrownBy(() -> Metrics.serve("nine")).isInstanceOf(MigratorException.class)
                .hasMessageContaining("--metrics-port 'nine': expected PORT or HOST:PORT");
    }

    @Test
    void theMeteredStoreForwardsEveryMethod() throws Exception {
        try (Metrics m = Metrics.serve("0")) {
            WrapperCheck.assertForwardsEveryMethod(s -> new MeteredObjectStore(s, m.endpoint("test")));
        }
    }
}
