package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copy and verify commands between real S3 endpoints (S3Proxy) and local disk. */
class S3CopyTest {
    static EmbeddedS3Server oldCloud;
    static EmbeddedS3Server newCloud;
    static long[] seeded;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        oldCloud = EmbeddedS3Server.inMemory();
        newCloud = EmbeddedS3Server.inMemory();
        oldCloud.createBucket("media");
        newCloud.createBucket("media-copy");
        try (ObjectStore s3 = Stores.open(oldCloud.s3Uri("media", ""), StoreOptions.DEFAULTS)) {
            seeded = DemoCommand.seed(s3, 8);
        }
    }

    @AfterAll
    static void stop() {
        oldCloud.close();
        newCloud.close();
    }

    @Test
    void s3ToLocalToAnotherS3EndpointStaysIdentical() {
        String source = oldCloud.s3Uri("media", "");
        String local = dir.resolve("local").toString();
        String target = newCloud.s3Uri("media-copy", "restored");
        String state = dir.resolve("state").toString();

        CliRun down = CliRun.of("copy", source, local, "--part-size", "5M", "--state", state);
        assertThat(down.exit()).as(down.all()).isZero();
        assertThat(down.out()).contains("Copied " + seeded[0] + " objects");

        CliRun up = CliRun.of("copy", local, target, "--part-size", "5M", "--state", state);
        assertThat(up.exit()).as(up.all()).isZero();

        CliRun verify = CliRun.of("verify", source, target);
        assertThat(verify.exit()).as(verify.all()).isZero();
        assertThat(verify.out()).contains("Identical: " + seeded[0] + " objects");

        for (CliRun run : new CliRun[] {down, up, verify}) {
            assertThat(run.all()).doesNotContain(EmbeddedS3Server.SECRET_KEY).doesNotContain(EmbeddedS3Server.ACCESS_KEY);
        }
    }

    @Test
    void wrongCredentialsAndMissingBucketsAreClearErrors() {
        String wrongSecret = oldCloud.s3Uri("media", "").replace(EmbeddedS3Server.SECRET_KEY, "not-the-secret-123");
        CliRun denied = CliRun.of("verify", wrongSecret, dir.toString());
        assertThat(denied.exit()).as(denied.all()).isEqualTo(2);
        assertThat(denied.err()).doesNotContain("not-the-secret-123").doesNotContain("\tat ");

        CliRun missing = CliRun.of("copy", oldCloud.s3Uri("no-such-bucket", ""), dir.resolve("x").toString());
        assertThat(missing.exit()).as(missing.all()).isEqualTo(2);
        assertThat(missing.err()).contains("no-such-bucket").doesNotContain(EmbeddedS3Server.SECRET_KEY);

        String unreachable = "s3://media/?endpoint=http://127.0.0.1:1&region=us-east-1&access-key=a&secret-key=sekrit-value";
        CliRun down = CliRun.of("copy", unreachable, dir.resolve("y").toString(), "--retries", "1");
        assertThat(down.exit()).as(down.all()).isEqualTo(2);
        assertThat(down.err()).contains("127.0.0.1:1").doesNotContain("sekrit-value");
    }

    @Test
    void demoRunsEndToEnd() {
        CliRun demo = CliRun.of("demo", "--to", dir.resolve("new-host").toString(), "--users", "3", "--no-postgres");
        assertThat(demo.exit()).as(demo.all()).isZero();
        assertThat(demo.out()).contains("Seeded").contains("Critical path").contains("Run complete").contains("Done");
        assertThat(demo.all()).doesNotContain(EmbeddedS3Server.SECRET_KEY);
        assertThat(dir.resolve("new-host/media/video/launch-day.mp4")).isRegularFile();
    }
}
