package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.fault.Fault;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migrator copy} through a proxy that throttles (503 SlowDown, 429), fails (500), resets
 * connections and truncates bodies, in both directions: the copy still completes, every byte
 * verified, and the target holds exactly the source's objects, nothing duplicated or left over.
 */
class FaultyCopyTest {
    static EmbeddedS3Server s3;
    static long[] seeded;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        s3 = EmbeddedS3Server.inMemory();
        s3.createBucket("old");
        s3.createBucket("new");
        try (ObjectStore store = Stores.open(s3.s3Uri("old", ""), StoreOptions.DEFAULTS)) {
            seeded = DemoCommand.seed(store, 12);
        }
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    private static String through(FaultProxy proxy, String bucket) {
        return s3.s3Uri(bucket, "").replace(s3.endpoint().toString(), proxy.endpoint().toString());
    }

    @Test
    void copyCompletesVerifiedThroughThrottlingResetsAndTruncatedBodies() throws Exception {
        Fault[] all = {Fault.SLOW_DOWN_503, Fault.TOO_MANY_REQUESTS_429, Fault.INTERNAL_ERROR_500, Fault.RESET, Fault.TRUNCATE_BODY};
        String local = dir.resolve("local").toString();
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), FaultPlan.random(42, 0.25, all))) {
            // Down: S3 (faulty) -> local disk.
            CliRun down = CliRun.of("copy", through(proxy, "old"), local, "--json", "--part-size", "5M",
                    "--state", dir.resolve("state").toString());
            assertThat(down.exit()).as(down.all()).isZero();
            JsonNode d = new ObjectMapper().readTree(down.out());
            assertThat(d.get("objects").asLong()).isEqualTo(seeded[0]);
            assertThat(d.get("bytes").asLong()).isEqualTo(seeded[1]);
            assertThat(d.get("retries").asLong()).isPositive();
            long downFaults = proxy.injectedCount();

            // Up: local disk -> S3 (faulty), multipart parts included.
            CliRun up = CliRun.of("copy", local, through(proxy, "new"), "--json", "--part-size", "5M",
                    "--state", dir.resolve("state").toString());
            assertThat(up.exit()).as(up.all()).isZero();
            assertThat(new ObjectMapper().readTree(up.out()).get("objects").asLong()).isEqualTo(seeded[0]);

            for (Fault f : all) {
                assertThat(proxy.injectedCount(f)).as("injected " + f).isPositive();
            }
            assertThat(downFaults).isPositive();
            assertThat(proxy.injectedCount()).isGreaterThan(downFaults);
        }

        // Checked directly against the server, with no faults: same keys, bytes and metadata.
        CliRun verify = CliRun.of("verify", s3.s3Uri("old", ""), s3.s3Uri("new", ""));
        assertThat(verify.exit()).as(verify.all()).isZero();
        assertThat(verify.out()).contains("Identical: " + seeded[0] + " objects");
        try (ObjectStore target = Stores.open(s3.s3Uri("new", ""), StoreOptions.DEFAULTS);
             Stream<ObjectInfo> objects = target.list("")) {
            List<String> keys = objects.map(ObjectInfo::key).toList();
            assertThat(keys).hasSize((int) seeded[0]).doesNotHaveDuplicates();
        }
    }
}
