package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * A multipart upload cut by {@code kill -9} leaves its upload and finished parts at the store (the process
 * could not abort it). The next upload of the key continues it: only the missing parts go over the wire
 * (counted at a proxy in front of S3Proxy), the object is whole, and a pending upload that does not fit is aborted.
 */
class MultipartResumeTest {
    static final long PART = 5L * 1024 * 1024;
    static EmbeddedS3Server server;

    @BeforeAll
    static void start() {
        server = EmbeddedS3Server.inMemory();
        server.createBucket("resume");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static S3ObjectStore at(java.net.URI endpoint) {
        return (S3ObjectStore) Stores.openAdapter(server.s3Uri("resume", "").replace(server.endpoint().toString(), endpoint.toString()),
                new StoreOptions(PART, 2, new Retry(3, java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(50))));
    }

    /** What a run killed after uploading parts 1..n of {@code bytes} leaves behind. */
    static String interruptedUpload(S3ObjectStore store, String key, byte[] bytes, long partSize, int n) {
        // Created as S3ObjectStore creates one for an object with content type octet-stream and k=v.
        String id = store.s3().createMultipartUpload(b -> b.bucket("resume").key(key).contentType("application/octet-stream")
                .metadata(Map.of("k", "v"))).uploadId();
        for (int i = 1; i <= n; i++) {
            int from = (int) ((i - 1) * partSize);
            byte[] part = Arrays.copyOfRange(bytes, from, (int) Math.min(bytes.length, from + partSize));
            int number = i;
            store.s3().uploadPart(b -> b.bucket("resume").key(key).uploadId(id).partNumber(number), RequestBody.fromBytes(part));
        }
        return id;
    }

    @Test
    void anInterruptedUploadContinuesFromItsFinishedParts() throws Exception {
        byte[] bytes = new byte[(int) (4 * PART + 1234)]; // 5 parts
        new Random(11).nextBytes(bytes);
        AtomicLong partsSent = new AtomicLong();
        FaultPlan counting = r -> {
            if (r.method().equals("PUT") && r.target().contains("partNumber=")) {
                partsSent.incrementAndGet();
            }
            return null;
        };
        try (FaultProxy proxy = FaultProxy.start(server.endpoint(), FaultPlan.none());
             S3ObjectStore store = at(proxy.endpoint())) {
            interruptedUpload(store, "big.bin", bytes, PART, 3);
            // An older attempt with another part size cannot be continued: it is aborted.
            interruptedUpload(store, "big.bin", bytes, 6L * 1024 * 1024, 1);
            proxy.plan(counting);

            store.put("big.bin", Content.of(bytes), new ObjectMetadata("application/octet-stream", null, null, null, Map.of("k", "v")));

            assertThat(partsSent.get()).as("parts 4 and 5 only: 3 x 5 MiB were not sent again").isEqualTo(2);
            try (var in = store.open("big.bin", 0, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(bytes);
            }
            assertThat(store.stat("big.bin").orElseThrow().metadata().userMetadata()).containsEntry("k", "v");
            assertThat(store.s3().listMultipartUploads(b -> b.bucket("resume").prefix("big.bin")).uploads())
                    .as("nothing left pending").isEmpty();
        }
    }

    /**
     * The source's metadata changed since the interrupted run: the continued upload would carry the old headers,
     * so the object is uploaded again whole (5 parts after the 2 of the resumed attempt) with the new ones.
     */
    @Test
    void aResumedUploadWithOtherMetadataIsSentAgain() throws Exception {
        byte[] bytes = new byte[(int) (PART + 10)];
        new Random(5).nextBytes(bytes);
        AtomicLong partsSent = new AtomicLong();
        try (FaultProxy proxy = FaultProxy.start(server.endpoint(), FaultPlan.none());
             S3ObjectStore store = at(proxy.endpoint())) {
            interruptedUpload(store, "meta.bin", bytes, PART, 1);
            proxy.plan(r -> {
                if (r.method().equals("PUT") && r.target().contains("partNumber=")) {
                    partsSent.incrementAndGet();
                }
                return null;
            });
            store.put("meta.bin", Content.of(bytes), new ObjectMetadata("image/png", null, "max-age=60", null, Map.of("k", "w")));
            assertThat(partsSent.get()).as("part 2 of the resumed attempt, then both parts again").isEqualTo(3);
            var meta = store.stat("meta.bin").orElseThrow().metadata();
            assertThat(meta.contentType()).isEqualTo("image/png");
            assertThat(meta.userMetadata()).containsEntry("k", "w");
        }
    }

    /** Parts whose bytes differ from the source's now (the source changed) are sent again, not trusted. */
    @Test
    void partsOfOtherBytesAreSentAgain() throws Exception {
        byte[] old = new byte[(int) (2 * PART + 10)];
        new Random(1).nextBytes(old);
        byte[] now = old.clone();
        now[0] ^= 1; // part 1 differs, part 2 is the same
        AtomicLong partsSent = new AtomicLong();
        try (FaultProxy proxy = FaultProxy.start(server.endpoint(), FaultPlan.none());
             S3ObjectStore store = at(proxy.endpoint())) {
            interruptedUpload(store, "changed.bin", old, PART, 2);
            proxy.plan(r -> {
                if (r.method().equals("PUT") && r.target().contains("partNumber=")) {
                    partsSent.incrementAndGet();
                }
                return null;
            });
            store.put("changed.bin", Content.of(now), new ObjectMetadata("application/octet-stream", null, null, null, Map.of("k", "v")));
            assertThat(partsSent.get()).as("part 1 (changed) and part 3 (new)").isEqualTo(2);
            try (var in = store.open("changed.bin", 0, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(now);
            }
        }
    }
}
