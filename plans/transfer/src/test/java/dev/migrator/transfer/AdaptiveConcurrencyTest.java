package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.provider.local.LocalObjectStore;
import dev.migrator.testkit.fault.Fault;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --transfers auto} against an S3 endpoint that can take only {@value #CAPACITY} requests at once and
 * answers 503 SlowDown to any request beyond (the real S3's per-prefix behaviour, played by FaultProxy in front
 * of S3Proxy): the copy finds the capacity, works near it, and every object arrives verified.
 */
class AdaptiveConcurrencyTest {
    static final int CAPACITY = 6;
    // Enough objects that the settled rounds, not the slow start's overshoot (at most twice the requests in flight), decide the share refused.
    static final int OBJECTS = 500;

    @TempDir
    Path dir;

    @Test
    void autoSettlesNearTheEndpointsCapacityAndVerifiesEveryObject() {
        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        for (int i = 0; i < OBJECTS; i++) {
            source.put(String.format("obj/%04d", i), Content.of(("object " + i + " ").repeat(200).getBytes(StandardCharsets.UTF_8)),
                    ObjectMetadata.EMPTY);
        }
        Retry retry = new Retry(10, Duration.ofMillis(20), Duration.ofMillis(500));
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory();
             FaultProxy proxy = FaultProxy.start(s3.endpoint(), FaultPlan.none())) {
            s3.createBucket("dst");
            // Every request takes at least 5 ms, so requests overlap as they would over a network.
            proxy.delay(Duration.ofMillis(5));
            proxy.concurrencyLimit(CAPACITY);
            String uri = s3.s3Uri("dst", "").replace(s3.endpoint().toString(), proxy.endpoint().toString());
            try (ObjectStore target = Stores.open(uri, new StoreOptions(StoreOptions.DEFAULT_PART_SIZE, 4, retry))) {
                Copier copier = new Copier(source, target,
                        new CopyOptions(CopyOptions.AUTO, false, false, dir.resolve("state/journal"), retry), Progress.NONE);
                CopySummary summary = copier.run();

                assertThat(summary.failures()).isEmpty();
                assertThat(summary.copied()).isEqualTo(OBJECTS);
                AdaptiveLimit limit = copier.limit(true);
                long throttled = proxy.injectedCount(Fault.SLOW_DOWN_503);
                System.out.printf("capacity %d: %s; proxy: %d requests, %d answered 503, mean concurrency %.1f%n",
                        CAPACITY, limit, proxy.requestCount(), throttled, proxy.meanConcurrency());
                assertThat(throttled).as("the endpoint did push back").isPositive();
                assertThat(limit.decreases()).as("and the copy backed off").isPositive();
                // Settled near the capacity: the limit ends within [capacity/2, 2 x capacity], the requests the
                // endpoint took were mostly at more than half of it, and few were refused.
                assertThat(limit.limit()).isBetween(CAPACITY / 2, 2 * CAPACITY);
                assertThat(proxy.meanConcurrency()).isGreaterThan(CAPACITY / 2.0);
                assertThat(throttled).isLessThan(proxy.requestCount() / 5);

                VerifyReport report = new Verifier(source, target, 4, retry, Progress.NONE).run();
                assertThat(report.identical()).isTrue();
            }
        }
    }
}
