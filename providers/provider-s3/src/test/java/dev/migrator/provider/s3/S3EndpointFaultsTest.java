package dev.migrator.provider.s3;

import static dev.migrator.provider.s3.S3FaultInjectionTest.JAVA_NAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.migrator.embedded.EmbeddedS3Server;
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
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Endpoints that are wrong, down, silent or not S3 at all: each ends in one clear line, promptly, with
 * the right exit code, and what a restarting server does is retried.
 */
class S3EndpointFaultsTest {
    private static final Retry FAST = new Retry(8, Duration.ofMillis(20), Duration.ofMillis(200));
    private static EmbeddedS3Server server;

    @BeforeAll
    static void start() {
        server = EmbeddedS3Server.inMemory();
        server.createBucket("endpoint-faults");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ObjectStore at(String endpoint, String options) {
        return Stores.openAdapter("s3://endpoint-faults/?endpoint=" + endpoint + "&access-key=" + server.accessKey()
                + "&secret-key=" + server.secretKey() + options, StoreOptions.DEFAULTS);
    }

    @Test
    void aPortBeyond65535IsRefusedWhenTheUriIsRead() {
        assertThatThrownBy(() -> at("http://127.0.0.1:99999", ""))
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("endpoint=http://127.0.0.1:99999").contains("1 to 65535")
                            .doesNotContainPattern(JAVA_NAME).doesNotContain(server.secretKey());
                });
        assertThatThrownBy(() -> at("http://127.0.0.1:0", "")).hasMessageContaining("port 0");
        assertThatThrownBy(() -> at("http://127.0.0.1:9000", "&read-timeout=forever"))
                .hasMessageContaining("read-timeout=forever").hasMessageContaining("30s");
    }

    @Test
    void anEndpointThatWasNeverUpIsBadInputButRetried() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (ObjectStore store = at("http://127.0.0.1:" + port, "")) {
            assertThatThrownBy(() -> store.stat("k")).isInstanceOfSatisfying(MigratorException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage()).contains("cannot connect to http://127.0.0.1:" + port)
                        .contains("connection refused").contains("check ?endpoint=").doesNotContainPattern(JAVA_NAME);
            });
        }
    }

    @Test
    void aServerRestartingInTheMiddleIsRetriedUntilItIsBack() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(server.endpoint(), FaultPlan.none());
             ObjectStore store = at(proxy.endpoint().toString(), "")) {
            store.put("before", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
            proxy.refuseConnections();
            // Down: after the store has worked, a refused connection is an ordinary, retryable failure.
            assertThatThrownBy(() -> store.stat("before")).isInstanceOfSatisfying(MigratorException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.FAILED);
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage()).contains("stopped accepting connections").doesNotContainPattern(JAVA_NAME);
            });
            // Back up while the retries wait: the operation completes.
            CompletableFuture.runAsync(() -> {
                sleep(300);
                proxy.acceptConnections();
            });
            assertThat(FAST.call("put after", () -> store.put("after", Content.of(new byte[] {2, 3}), ObjectMetadata.EMPTY))
                    .size()).isEqualTo(2);
            // Down for good: the retries end in one line saying how often it was tried.
            proxy.refuseConnections();
            assertThatThrownBy(() -> FAST.call("stat", () -> store.stat("after")))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.FAILED);
                        assertThat(e.getMessage()).contains("s3://endpoint-faults/after").endsWith("(retried 7 times)");
                    });
        }
    }

    @Test
    void anEndpointThatAcceptsButNeverAnswersFailsOnceWithinTheReadTimeout() throws Exception {
        try (Silent silent = new Silent(); ObjectStore store = at(silent.endpoint(), "&read-timeout=700ms")) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> FAST.call("list", () -> store.list("").count()))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.code().exitCode()).isEqualTo(2);
                        assertThat(e.getMessage()).contains("endpoint " + silent.endpoint()
                                + " accepted the connection but never answered").contains("700 ms")
                                .doesNotContainPattern(JAVA_NAME);
                    });
            // Not retried: waiting again for a server that never answered only multiplies the wait.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(silent.accepted()).isLessThanOrEqualTo(2); // the JDK client may try once more itself
        }
    }

    @Test
    void aServerThatStopsAnsweringInTheMiddleIsRetried() {
        try (FaultProxy proxy = FaultProxy.start(server.endpoint(), FaultPlan.none());
             ObjectStore store = at(proxy.endpoint().toString(), "&read-timeout=500ms")) {
            store.put("k", Content.of(new byte[] {7}), ObjectMetadata.EMPTY);
            proxy.plan(FaultPlan.sequence(Fault.NO_ANSWER, Fault.NO_ANSWER));
            assertThatThrownBy(() -> store.stat("k")).isInstanceOfSatisfying(MigratorException.class, e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage()).contains("no answer from").contains("within 500 ms")
                        .doesNotContainPattern(JAVA_NAME);
            });
            assertThat(FAST.call("stat", () -> store.stat("k")).orElseThrow().size()).isEqualTo(1);
            assertThat(proxy.injectedCount(Fault.NO_ANSWER)).isEqualTo(2);
        }
    }

    @Test
    void anInterruptAbortsARequestWaitingForAnAnswer() throws Exception {
        try (Silent silent = new Silent(); ObjectStore store = at(silent.endpoint(), "&read-timeout=60s")) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    store.stat("k");
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            caller.start();
            silent.awaitAccepted();
            long start = System.nanoTime();
            caller.interrupt();
            caller.join(TimeUnit.SECONDS.toMillis(5));
            assertThat(caller.isAlive()).as("still waiting for the answer after the interrupt").isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(failure.get()).isInstanceOfSatisfying(MigratorException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERRUPTED));
        }
    }

    /** Requests run on the calling thread: one already interrupted sends nothing and stays interrupted. */
    @Test
    void anInterruptedCallerSendsNoRequest() throws Exception {
        try (Silent silent = new Silent(); ObjectStore store = at(silent.endpoint(), "&read-timeout=60s")) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean stillInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
            Thread caller = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    store.stat("k");
                } catch (Throwable t) {
                    failure.set(t);
                }
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            caller.start();
            caller.join(TimeUnit.SECONDS.toMillis(5));
            assertThat(caller.isAlive()).isFalse();
            assertThat(failure.get()).isInstanceOfSatisfying(MigratorException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERRUPTED));
            assertThat(stillInterrupted).isTrue();
            Thread.sleep(200);
            assertThat(silent.accepted()).isZero();
        }
    }

    @Test
    void aWebServerAtTheEndpointIsNotReportedAsAMissingObject() throws IOException {
        HttpServer web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        web.createContext("/", exchange -> {
            byte[] page = "<html><body><h1>404 Not Found</h1></body></html>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(exchange.getRequestURI().getRawQuery() != null
                    && exchange.getRequestURI().getRawQuery().contains("list-type") ? 200 : 404, head ? -1 : page.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(page);
                }
            }
            exchange.close();
        });
        web.start();
        String endpoint = "http://127.0.0.1:" + web.getAddress().getPort();
        try (ObjectStore store = at(endpoint, "")) {
            List<Runnable> calls = List.of(() -> store.stat("k"), () -> store.open("k", 0, -1),
                    () -> store.list("").count(), () -> store.put("k", Content.of(new byte[] {1}), ObjectMetadata.EMPTY));
            List<String> messages = new ArrayList<>();
            for (Runnable call : calls) {
                assertThatThrownBy(call::run).isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.retryable()).isFalse();
                    messages.add(e.getMessage());
                });
            }
            assertThat(messages).allSatisfy(m -> assertThat(m)
                    .contains("endpoint " + endpoint + " does not answer like an S3 server (HTTP ")
                    .contains("text/html").contains("check endpoint=").doesNotContain("no such object")
                    .doesNotContainPattern(JAVA_NAME));
            assertThat(messages.get(0)).contains("HTTP 404 text/html");
            assertThat(messages.get(2)).contains("HTTP 200 text/html");
        } finally {
            web.stop(0);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A server that accepts connections, reads what it is sent and never answers. */
    private static final class Silent implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);

        Silent() throws IOException {
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        open.add(socket.accept());
                        first.countDown();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent");
            t.setDaemon(true);
            t.start();
        }

        String endpoint() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        int accepted() {
            return open.size();
        }

        void awaitAccepted() throws InterruptedException {
            assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(100); // the request is written and the client waits for the answer
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
