package dev.migrator.provider.gcs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.testkit.ObjectStoreContract;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The conformance suite against fake-gcs-server, an independent GCS emulator, where Docker exists
 * (skipped otherwise). It keeps {@link dev.migrator.testkit.gcs.GcsTestServer} honest.
 */
@Testcontainers(disabledWithoutDocker = true)
class FakeGcsServerContractTest extends ObjectStoreContract {
    private static final int PORT = 4443;
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Container
    private static final GenericContainer<?> FAKE_GCS = new GenericContainer<>(
            DockerImageName.parse("fsouza/fake-gcs-server:1.52.1"))
            .withExposedPorts(PORT)
            .withCommand("-scheme", "http", "-backend", "memory", "-port", Integer.toString(PORT))
            .waitingFor(Wait.forHttp("/storage/v1/b").forPort(PORT).forStatusCode(200));

    private static String endpoint;

    @BeforeAll
    static void pointUploadsAtTheMappedPort() throws Exception {
        endpoint = "http://" + FAKE_GCS.getHost() + ":" + FAKE_GCS.getMappedPort(PORT);
        // Resumable session URLs are built from the external URL, which must be the mapped port.
        send(HttpRequest.newBuilder(URI.create(endpoint + "/_internal/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"externalUrl\": \"" + endpoint + "\"}")));
    }

    @Override
    protected ObjectStore newStore() {
        String bucket = "contract-" + RUNS.incrementAndGet();
        try {
            send(HttpRequest.newBuilder(URI.create(endpoint + "/storage/v1/b?project=migrator"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"" + bucket + "\"}")));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot create bucket " + bucket + " on fake-gcs-server", e);
        }
        return Stores.openAdapter("gs://" + bucket + "?page-size=" + MAX_PAGE_SIZE + "&endpoint=" + endpoint,
                new StoreOptions(PART_SIZE, 2, Retry.NONE));
    }

    private static void send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    }
}
