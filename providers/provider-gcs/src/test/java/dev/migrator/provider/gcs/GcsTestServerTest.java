package dev.migrator.provider.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import dev.migrator.testkit.gcs.GcsTestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The parts of {@link GcsTestServer} the adapter does not reach, checked with the real client or raw HTTP. */
class GcsTestServerTest {
    private static GcsTestServer server;
    private static Storage storage;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = GcsTestServer.start();
        storage = StorageOptions.http().setHost(server.endpoint().toString()).setProjectId("p")
                .setCredentials(NoCredentials.getInstance()).build().getService();
    }

    @AfterAll
    static void stop() throws Exception {
        storage.close();
        server.close();
    }

    @Test
    void bucketsAreCreatedAndFoundThroughTheClient() {
        storage.create(BucketInfo.of("made-by-client"));
        assertThat(storage.get("made-by-client").getName()).isEqualTo("made-by-client");
        assertThat(storage.get("never-made")).isNull();
        assertThatThrownBy(() -> storage.create(BucketInfo.of("made-by-client")))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    }

    @Test
    void delimiterListingsPageThroughObjectsAndPrefixes() {
        server.createBucket("tree");
        for (String name : List.of("a/1", "a/2", "a/b/1", "a/b/2", "a/c/1", "a/d", "b/1")) {
            storage.create(BlobInfo.newBuilder("tree", name).build(), new byte[] {1});
        }
        List<String> seen = new ArrayList<>();
        for (Blob b : storage.list("tree", BlobListOption.prefix("a/"), BlobListOption.currentDirectory(),
                BlobListOption.pageSize(2)).iterateAll()) {
            seen.add(b.getName() + (b.isDirectory() ? " (dir)" : ""));
        }
        assertThat(seen).containsExactlyInAnyOrder("a/1", "a/2", "a/b/ (dir)", "a/c/ (dir)", "a/d");
    }

    @Test
    void preconditionsAreEnforced() {
        server.createBucket("pre");
        BlobInfo info = BlobInfo.newBuilder("pre", "once").build();
        storage.create(info, new byte[] {1}, Storage.BlobTargetOption.doesNotExist());
        assertThatThrownBy(() -> storage.create(info, new byte[] {2}, Storage.BlobTargetOption.doesNotExist()))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(412));
        assertThat(storage.readAllBytes("pre", "once")).containsExactly(1);
    }

    @Test
    void gzipObjectsAreTranscodedOnlyForClientsThatDoNotAcceptGzip() throws Exception {
        server.createBucket("gz");
        byte[] plain = "hello ".repeat(100).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
            gz.write(plain);
        }
        storage.create(BlobInfo.newBuilder("gz", "t.txt").setContentEncoding("gzip").build(), buf.toByteArray());
        URI media = URI.create(server.endpoint() + "/storage/v1/b/gz/o/t.txt?alt=media");

        HttpResponse<byte[]> raw = HTTP.send(HttpRequest.newBuilder(media).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(raw.headers().firstValue("Content-Encoding")).contains("gzip");
        assertThat(raw.body()).isEqualTo(buf.toByteArray());

        HttpResponse<byte[]> transcoded = HTTP.send(HttpRequest.newBuilder(media).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(transcoded.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(transcoded.body()).isEqualTo(plain);
    }

    @Test
    void resumableChunksFollowTheProtocol() throws IOException, InterruptedException {
        server.createBucket("res");
        HttpResponse<String> start = HTTP.send(HttpRequest.newBuilder(
                        URI.create(server.endpoint() + "/upload/storage/v1/b/res/o?uploadType=resumable&name=r"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        URI session = URI.create(start.headers().firstValue("Location").orElseThrow());
        int k256 = GcsTestServer.CHUNK_GRANULARITY;

        assertThat(put(session, "bytes 0-9/*", new byte[10]).statusCode()).as("unaligned non-final chunk").isEqualTo(400);
        HttpResponse<String> first = put(session, "bytes 0-" + (k256 - 1) + "/*", new byte[k256]);
        assertThat(first.statusCode()).isEqualTo(308);
        assertThat(first.headers().firstValue("Range")).contains("bytes=0-" + (k256 - 1));
        assertThat(put(session, "bytes */*", new byte[0]).headers().firstValue("Range"))
                .contains("bytes=0-" + (k256 - 1));
        HttpResponse<String> last = put(session, "bytes " + k256 + "-" + (k256 + 4) + "/" + (k256 + 5), new byte[5]);
        assertThat(last.statusCode()).isEqualTo(200);
        assertThat(last.body()).contains("\"size\":\"" + (k256 + 5) + "\"", "\"md5Hash\"", "\"crc32c\"");
        assertThat(storage.get("res", "r").getSize()).isEqualTo(k256 + 5);
    }

    private static HttpResponse<String> put(URI session, String contentRange, byte[] body)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(session).header("Content-Range", contentRange)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
