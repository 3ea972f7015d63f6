package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.provider.local.LocalObjectStore;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code copy --storage-class} and {@code verify --storage-class} against S3Proxy. */
class StorageClassCliTest {
    @TempDir
    Path dir;

    @Test
    void copyWritesTheChosenClassVerifyExpectsItAndAClassS3LacksIsRefused() {
        Path src = dir.resolve("src");
        new LocalObjectStore(src).put("a/1", Content.of(new byte[] {1, 2}),
                new ObjectMetadata("text/plain", null, null, null, Map.of()).withStorageClass("COLDLINE"));
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("dst");
            String dst = s3.s3Uri("dst", "");
            String state = dir.resolve("state").toString();

            CliRun bad = CliRun.of("copy", src.toString(), dst, "--storage-class", "NEARLINE", "--state", state);
            assertThat(bad.exit()).as(bad.all()).isEqualTo(2);
            // The in-process S3Proxy logs to the same stderr; the command's own output is its "migrator:" lines.
            assertThat(bad.err().lines().filter(l -> l.startsWith("migrator:")).toList()).singleElement().asString()
                    .startsWith("migrator: --storage-class NEARLINE is not a storage class of s3://dst/")
                    .contains("use one of DEEP_ARCHIVE").doesNotContain("Exception");

            CliRun copy = CliRun.of("copy", src.toString(), dst, "--storage-class", "DEEP_ARCHIVE", "--state", state);
            assertThat(copy.exit()).as(copy.all()).isZero();
            try (ObjectStore target = Stores.open(dst, StoreOptions.DEFAULTS)) {
                assertThat(target.stat("a/1").orElseThrow().metadata().storageClass()).isEqualTo("DEEP_ARCHIVE");
            }
            CliRun verify = CliRun.of("verify", src.toString(), dst, "--storage-class", "DEEP_ARCHIVE");
            assertThat(verify.exit()).as(verify.all()).isZero();
            // Without the option verify expects the source's COLDLINE mapped to S3 (GLACIER_IR) and says what it found.
            CliRun plain = CliRun.of("verify", src.toString(), dst);
            assertThat(plain.exit()).as(plain.all()).isEqualTo(3);
            assertThat(plain.all()).contains("storage class 'DEEP_ARCHIVE' where 'GLACIER_IR' was expected");
        }
    }
}
