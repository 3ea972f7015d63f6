package dev.migrator.provider.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.testkit.fault.Fault;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import dev.migrator.testkit.gcs.GcsTestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A gs:// endpoint= that is wrong, silent, not GCS, or breaks connections: one clear line each, bounded
 * in time, and what a real network does (closed before the status line, a body cut in the middle of its
 * JSON) classified retryable.
 */
class GcsEndpointFaultsTest {
    private static final Pattern JAVA_NAME = Pattern.compile("[A-Za-z]+Exception\\b|java\\.");
    private static final Retry FAST = new Retry(8, Duration.ofMillis(5), Duration.ofMillis(50));
    private static GcsTestServer server;

    @BeforeAll
    static void start() {
        server = GcsTestServer.start();
        server.createBucket("endpoint-faults");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ObjectStore at(String endpoint, String options) {
        return Stores.openAdapter("gs://endpoint-faults/?endpoint=" + endpoint + options,
                new StoreOptions(5L << 20, 2, Retry.NONE));
    }

    @Test
    void aPortBeyond65535IsRefusedWhenTheUriIsRead() {
        assertThatThrownBy(() -> at("http://127.0.0.1:99999", "")).isInstanceOfSatisfying(MigratorException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(e.getMessage()).contains("http://127.0.0.1:99999").contains("1 to 65535")
                    .doesNotContainPattern(JAVA_NAME);
        });
        assertThatThrownBy(() -> at("http://127.0.0.1:9000", "&connect-timeout=-1"))
                .hasMessageContaining("connect-timeout '-1'");
    }

    @Test
    void anEndpointThatAcceptsButNeverAnswersFailsOnceWithinTheReadTimeout() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread t = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            String endpoint = "http://127.0.0.1:" + silent.getLocalPort();
            try (ObjectStore store = at(endpoint, "&read-timeout=700ms")) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> FAST.call("stat", () -> store.stat("k")))
                        .isInstanceOfSatisfying(MigratorException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                            assertThat(e.getMessage()).contains(endpoint + " accepted the connection but never answered")
                                    .contains("700 ms").doesNotContainPattern(JAVA_NAME);
                        });
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aWebServerAtTheEndpointIsNotReportedAsAMissingObject() throws IOException {
        HttpServer web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        web.createContext("/", exchange -> {
            byte[] page = "<html><body><h1>Not Found</h1></body></html>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            boolean list = exchange.getRequestURI().getPath().endsWith("/o");
            exchange.sendResponseHeaders(list ? 200 : 404, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        web.start();
        String endpoint = "http://127.0.0.1:" + web.getAddress().getPort();
        try (ObjectStore store = at(endpoint, "")) {
            List<Runnable> calls = List.of(() -> store.stat("k"), () -> store.list("").count());
            for (Runnable call : calls) {
                assertThatThrownBy(call::run).isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains(endpoint + " does not answer like a GCS server (")
                            .contains("check endpoint=").doesNotContainPattern(JAVA_NAME);
                });
            }
        } finally {
            web.stop(0);
        }
    }

    @Test
    void connectionsClosedBeforeTheStatusLineAndBodiesCutMidJsonAreRetried() throws IOException {
        try (FaultProxy proxy = FaultProxy.start(server.endpoint(), FaultPlan.none());
             ObjectStore store = at(proxy.endpoint().toString(), "")) {
            for (int i = 0; i < 30; i++) {
                store.put("posts/" + String.format("%05d", i) + ".json", Content.of(new byte[] {(byte) i}), ObjectMetadata.EMPTY);
            }
            for (Fault fault : List.of(Fault.CLOSE_BEFORE_STATUS, Fault.TRUNCATE_BODY, Fault.RESET)) {
                // Twice: the JDK client itself sends an idempotent request once more after such a close.
                proxy.plan(FaultPlan.sequence(fault, fault).only(FaultPlan.methods("GET")));
                assertThatThrownBy(() -> store.list("posts/").count()).as(fault.name())
                        .isInstanceOfSatisfying(MigratorException.class, e -> {
                            assertThat(e.retryable()).as(e.getMessage()).isTrue();
                            assertThat(e.getMessage()).doesNotContainPattern(JAVA_NAME);
                        });
                proxy.plan(FaultPlan.sequence(fault, fault, fault, fault).only(FaultPlan.methods("GET")));
                assertThat(FAST.call("list", () -> store.list("posts/").count())).as(fault.name()).isEqualTo(30);
            }
            proxy.plan(r -> Fault.CLOSE_BEFORE_STATUS);
            assertThatThrownBy(() -> FAST.call("stat", () -> store.stat("posts/00015.json")))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.getMessage())
                            .contains("posts/00015.json").contains("connection closed by the endpoint")
                            .endsWith("(retried 7 times)").doesNotContainPattern(JAVA_NAME));
            proxy.plan(FaultPlan.none());
            try (InputStream in = store.open("posts/00015.json", 0, -1)) {
                assertThat(in.readAllBytes()).containsExactly(15);
            }
        }
    }
}
