package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Archive;
import dev.migrator.provider.Content;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StorageClasses;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * GLACIER objects against S3Proxy behind the testkit's archive emulation ({@link FaultProxy#emulateArchive}):
 * S3Proxy keeps the class name; the emulation answers GET with InvalidObjectState until a restore has run.
 */
class S3ArchiveTest {

    @Test
    void archivedObjectIsListedWithItsClassRefusedUntilRestoredThenRead() throws Exception {
        try (EmbeddedS3Server server = EmbeddedS3Server.inMemory();
             FaultProxy proxy = FaultProxy.start(server.endpoint(), FaultPlan.none())) {
            proxy.emulateArchive(Duration.ofMillis(700));
            server.createBucket("cold");
            String uri = "s3://cold/?endpoint=" + proxy.endpoint() + "&access-key=" + server.accessKey()
                    + "&secret-key=" + server.secretKey() + "&region=us-east-1&checksums=when-required";
            try (ObjectStore store = Stores.openAdapter(uri, new StoreOptions(5 << 20, 2, Retry.NONE))) {
                byte[] data = "frozen bytes".getBytes(StandardCharsets.UTF_8);
                store.put("a/frozen", Content.of(data), ObjectMetadata.EMPTY.withStorageClass("DEEP_ARCHIVE"));
                store.put("b/warm", Content.of("warm".getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
                Archive archive = store.archive().orElseThrow();

                List<Archive.Listed> listed;
                try (Stream<Archive.Listed> s = archive.listWithClasses("")) {
                    listed = s.toList();
                }
                assertThat(listed).extracting(l -> l.info().key()).containsExactly("a/frozen", "b/warm");
                // S3Proxy keeps one archive tier: GLACIER comes back as DEEP_ARCHIVE, so the test stores that
                assertThat(listed.get(0).storageClass()).isEqualTo("DEEP_ARCHIVE");
                assertThat(listed.get(0).archived(StorageClasses.Family.S3)).isTrue();
                assertThat(listed.get(1).archived(StorageClasses.Family.S3)).isFalse();

                assertThat(archive.state("b/warm")).isEqualTo(Archive.State.READABLE);
                assertThat(archive.state("a/frozen")).isEqualTo(Archive.State.ARCHIVED);
                assertThatThrownBy(() -> store.openWithInfo("a/frozen").stream().close())
                        .isInstanceOf(MigratorException.class)
                        .hasMessageContaining("a/frozen").hasMessageContaining("archived: restore");

                archive.requestRestore("a/frozen", 1, Archive.Speed.BULK);
                archive.requestRestore("a/frozen", 1, Archive.Speed.BULK); // idempotent while it runs
                assertThat(archive.state("a/frozen")).isEqualTo(Archive.State.RESTORING);
                long deadline = System.currentTimeMillis() + 10_000;
                while (archive.state("a/frozen") != Archive.State.RESTORED && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(archive.state("a/frozen")).isEqualTo(Archive.State.RESTORED);
                try (InputStream in = store.open("a/frozen", 0, -1)) {
                    assertThat(in.readAllBytes()).isEqualTo(data);
                }
                assertThat(proxy.restoreRequests()).isEqualTo(1);
            }
        }
    }

    @Test
    void restoreHeaderIsRead() {
        assertThat(S3Archive.state("STANDARD_IA", null)).isEqualTo(Archive.State.READABLE);
        assertThat(S3Archive.state("GLACIER_IR", null)).isEqualTo(Archive.State.READABLE);
        assertThat(S3Archive.state("DEEP_ARCHIVE", null)).isEqualTo(Archive.State.ARCHIVED);
        assertThat(S3Archive.state("GLACIER", "ongoing-request=\"true\"")).isEqualTo(Archive.State.RESTORING);
        assertThat(S3Archive.state("GLACIER", "ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\""))
                .isEqualTo(Archive.State.RESTORED);
    }
}
