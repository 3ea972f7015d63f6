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
    void busyPortIsReportedWithTheFix() {
        try (EmbeddedS3Server first = EmbeddedS3Server.inMemory()) {
            int port = first.endpoint().getPort();
            assertThatThrownBy(() -> EmbeddedS3Server.inMemory(port))
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("is the port in use");
        }
    }
}
