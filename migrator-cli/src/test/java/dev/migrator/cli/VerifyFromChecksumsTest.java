package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import dev.migrator.transfer.Progress;
import dev.migrator.transfer.Verifier;
import dev.migrator.transfer.VerifyReport;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * verify judges contents from the checksums both stores hold, without reading a body: S3 (S3Proxy) against GCS
 * ({@link GcsTestServer}), where the objects share MD5; reads are counted on both sides.
 */
class VerifyFromChecksumsTest {
    /** Counts every read of object bytes. */
    static final class CountingReads extends ForwardingObjectStore {
        final AtomicInteger reads = new AtomicInteger();

        CountingReads(ObjectStore store) {
            super(store);
        }

        @Override
        public InputStream open(String key, long offset, long length) {
            reads.incrementAndGet();
            return super.open(key, offset, length);
        }

        @Override
        public Opened openWithInfo(String key) {
            reads.incrementAndGet();
            return super.openWithInfo(key);
        }

        @Override
        public InputStream openVersion(String key, String versionId, long offset, long length) {
            reads.incrementAndGet();
            return super.openVersion(key, versionId, offset, length);
        }
    }

    @Test
    void s3AgainstGcsIsVerifiedFromStoredChecksumsWithoutReadingABody() {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory(); GcsTestServer gcs = GcsTestServer.start()) {
            s3.createBucket("old");
            gcs.createBucket("new");
            String s3Uri = s3.s3Uri("old", "");
            String gcsUri = "gs://new?endpoint=" + gcs.endpoint();
            for (int i = 0; i < 5; i++) {
                byte[] data = ("object " + i).repeat(100 + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                try (ObjectStore a = Stores.open(s3Uri, StoreOptions.DEFAULTS); ObjectStore b = Stores.open(gcsUri, StoreOptions.DEFAULTS)) {
                    a.put("k" + i, Content.of(data), ObjectMetadata.EMPTY);
                    b.put("k" + i, Content.of(data), ObjectMetadata.EMPTY);
                }
            }
            try (CountingReads source = new CountingReads(Stores.open(s3Uri, StoreOptions.DEFAULTS));
                 CountingReads target = new CountingReads(Stores.open(gcsUri, StoreOptions.DEFAULTS))) {
                long gcsReadsBefore = gcs.count("objects.get.media");
                VerifyReport report = new Verifier(source, target, 2, dev.migrator.provider.Retry.NONE, Progress.NONE).run();
                assertThat(report.identical()).as(report.differences().toString()).isTrue();
                assertThat(report.verifiedBy()).containsExactly(java.util.Map.entry("stored MD5", 5L));
                assertThat(report.evidence()).isEqualTo("verified from stored MD5: 5");
                assertThat(source.reads.get() + target.reads.get()).as("bodies read").isZero();
                assertThat(gcs.count("objects.get.media")).as("GCS media downloads").isEqualTo(gcsReadsBefore);

                // The check is real: a changed object at the target is found from the checksums alone.
                target.put("k3", Content.of("changed!".repeat(100).getBytes(java.nio.charset.StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
                VerifyReport changed = new Verifier(source, target, 2, dev.migrator.provider.Retry.NONE, Progress.NONE).run();
                assertThat(changed.differences()).singleElement().satisfies(d -> assertThat(d.key()).isEqualTo("k3"));
                assertThat(source.reads.get() + target.reads.get()).isZero();
            }
        }
    }
}
