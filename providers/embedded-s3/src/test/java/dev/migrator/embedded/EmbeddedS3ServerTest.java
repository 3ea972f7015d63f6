package dev.migrator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lifecycle and wiring; signed S3 traffic against this server is exercised by provider-s3's tests. */
class EmbeddedS3ServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void inMemoryServerListensOnLoopbackAndRejectsUnsignedRequests() throws Exception {
        try (EmbeddedS3Server server = EmbeddedS3Server.inMemory()) {
            URI endpoint = server.endpoint();
            assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");
            assertThat(endpoint.getPort()).isPositive();
            server.createBucket("media");
            server.createBucket("media"); // idempotent
            assertThatThrownBy(() -> server.createBucket("b"))
                    .hasMessageContaining("bucket 'b'").hasMessageContaining("valid S3 bucket name");

            HttpResponse<String> anonymous = get(endpoint.resolve("/media/"));
            assertThat(anonymous.statusCode()).isEqualTo(403);
            assertThat(anonymous.body()).contains("AccessDenied");
        }
    }

    @Test
    void directoryServerStoresBucketsAsSubdirectories(@TempDir Path dir) {
        try (EmbeddedS3Server server = EmbeddedS3Server.onDirectory(dir.resolve("data"))) {
            server.createBucket("exports");
            assertThat(Files.isDirectory(dir.resolve("data/exports"))).isTrue();
        }
    }

    @Test
    void closeStopsListening() {
        URI endpoint;
        try (EmbeddedS3Server server = EmbeddedS3Server.inMemory()) {
            endpoint = server.endpoint();
        }
        assertThatThrownBy(() -> get(endpoint)).isInstanceOf(ConnectException.class);
    }

    @Test
    void s3UriCarriesEndpointAndCredentials() {
        try (EmbeddedS3Server server = EmbeddedS3Server.inMemory()) {
            assertThat(server.s3Uri("b", "p/"))
                    .startsWith("s3://b/p/?endpoint=" + server.endpoint())
                    .contains("path-style=true", "access-key=" + server.accessKey(), "secret-key=" + server.secretKey());
        }
    }

    @Test
    void latencyHoldsEveryRequestAndThrottleAnswersSlowDownAboveTheLimit() throws Exception {
        try (EmbeddedS3Server server = EmbeddedS3Server.inMemory()) {
            server.createBucket("media");
            server.latency(Duration.ofMillis(1000)).throttleAbove(2);
            URI stats = server.endpoint().resolve("/_migrator/stats");
            URI bucket = server.endpoint().resolve("/media/");
            // Four requests at once: two are held 1 s and then refused for want of a signature (403), the two that
            // arrive while those are in progress are answered 503 SlowDown without the wait.
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                // HTTP/1.1: one connection per request at once (an h2c upgrade would put them on one).
                sent.add(HTTP.sendAsync(HttpRequest.newBuilder(bucket).version(HttpClient.Version.HTTP_1_1).GET().build(),
                        HttpResponse.BodyHandlers.ofString()));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (i == 1 && !get(stats).body().startsWith("inflight=2 ")) { // both in progress before the others
                    assertThat(System.nanoTime()).as("two requests in progress at once within 10 s").isLessThan(deadline);
                    Thread.sleep(10);
                }
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> f : sent) {
                answers.add(f.get(10, TimeUnit.SECONDS));
            }
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(answers.stream().filter(r -> r.statusCode() == 403)).hasSize(2);
            List<HttpResponse<String>> slowDowns = answers.stream().filter(r -> r.statusCode() == 503).toList();
            assertThat(slowDowns).hasSize(2).allSatisfy(r -> assertThat(r.body()).contains("<Code>SlowDown</Code>"));
            assertThat(elapsedMillis).isGreaterThanOrEqualTo(1000);

            // (inflight, the count at this moment, may still include a request whose answer is out.)
            assertThat(get(URI.create(stats + "?reset")).body()).endsWith(" requests=2 throttled=2 inflight_sum=3 peak=2\n");
            assertThat(get(stats).body()).endsWith(" requests=0 throttled=0 inflight_sum=0 peak=0\n");

            assertThat(get(server.endpoint().resolve("/_migrator/gate?throttle-above=-1")).statusCode()).isEqualTo(400);
            assertThat(get(server.endpoint().resolve("/_migrator/gate?latency-ms=0")).body())
                    .isEqualTo("latency-ms=0 throttle-above=2\n");
            server.throttleAbove(0); // off again: answered at once, never throttled
            long again = System.nanoTime();
            assertThat(get(bucket).statusCode()).isEqualTo(403);
            assertThat((System.nanoTime() - again) / 1_000_000).isLessThan(1000);
        }
    }

    @Test
    void busyPortIsReportedWithTheFix() {
        try (EmbeddedS3Server first = EmbeddedS3Server.inMemory()) {
            int port = first.endpoint().getPort();
            assertThatThrownBy(() -> EmbeddedS3Server.inMemory(port))
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("is the port in use");
        }
    }
}
