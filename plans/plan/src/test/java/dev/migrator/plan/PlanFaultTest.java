package dev.migrator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.report.RunReport;
import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.StoreOptions;
import dev.migrator.testkit.fault.Fault;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole plan through unreliable networks: both endpoints behind a fault proxy that breaks one request in
 * five (503 SlowDown, 429, 500, resets, connections closed before the status line, bodies cut mid-stream,
 * listings included). A sharded move with delete-extraneous and a move through a bundle on an S3 staging
 * store, pre-copy, a deletion at the source while live, then cut-over: the run must end with exit 0 and the
 * targets, read back past the proxies, must hold exactly the source's bytes and metadata.
 */
class PlanFaultTest {
    private static final Fault[] NETWORK = {Fault.SLOW_DOWN_503, Fault.TOO_MANY_REQUESTS_429, Fault.INTERNAL_ERROR_500,
            Fault.RESET, Fault.CLOSE_BEFORE_STATUS, Fault.TRUNCATE_BODY};

    @TempDir
    Path dir;

    EmbeddedS3Server oldCloud;
    EmbeddedS3Server newHost;
    FaultProxy oldProxy;
    FaultProxy newProxy;

    @BeforeEach
    void start() {
        oldCloud = EmbeddedS3Server.inMemory();
        newHost = EmbeddedS3Server.inMemory();
        oldCloud.createBucket("src");
        newHost.createBucket("dst");
        newHost.createBucket("staging");
        oldProxy = FaultProxy.start(oldCloud.endpoint(), FaultPlan.none());
        newProxy = FaultProxy.start(newHost.endpoint(), FaultPlan.none());
    }

    @AfterEach
    void stop() {
        oldProxy.close();
        newProxy.close();
        oldCloud.close();
        newHost.close();
    }

    @Test
    void aShardedMoveAndABundleMoveSurviveOneFailedRequestInFive() throws Exception {
        seed();
        Path planFile = dir.resolve("exit.yaml");
        Files.writeString(planFile, """
                name: faults
                sources:
                  media: '%s'
                  posts: '%s'
                targets:
                  new-media: '%s'
                  new-posts: '%s'
                moves:
                  - {name: media, from: media, to: new-media, shards: 3, parallelism: 4, part-size: 5MiB, delete-extraneous: true}
                  - {name: posts, from: posts, to: new-posts, via: bundle, staging: '%s', delete-extraneous: true}
                limits: {concurrency: 3, attempts: 4, backoff: 100ms}
                """.formatted(through(oldCloud, oldProxy, "src", "media/"), through(oldCloud, oldProxy, "src", "posts/"),
                through(newHost, newProxy, "dst", "media/"), through(newHost, newProxy, "dst", "posts/"),
                through(newHost, newProxy, "staging", "")));
        Plan plan = PlanParser.parse(planFile);
        Path state = dir.resolve("state");
        oldProxy.plan(FaultPlan.random(11, 0.2, NETWORK));
        newProxy.plan(FaultPlan.random(12, 0.2, NETWORK));

        RunReport presync = PlanRunner.run(plan, options(state, Phase.PRESYNC), false, null, new ArrayList<>());
        assertThat(presync.exitCode()).as(presync.summary()).isZero();

        // The old system is still live: a post and a media object are deleted, one media object changes.
        try (ObjectStore old = Stores.open(oldCloud.s3Uri("src", ""), StoreOptions.DEFAULTS)) {
            old.delete("media/img-0007.jpg");
            old.delete("posts/post-0003.json");
            old.put("media/img-0010.jpg", Content.of("edited".getBytes()), new ObjectMetadata("image/jpeg", null, null, null, Map.of()));
        }
        RunReport cutover = PlanRunner.run(plan, options(state, Phase.CUTOVER), false, null, new ArrayList<>());
        assertThat(cutover.exitCode()).as(cutover.summary()).isZero();
        assertThat(oldProxy.injectedCount() + newProxy.injectedCount()).as("faults were injected").isGreaterThan(50);

        oldProxy.plan(FaultPlan.none());
        newProxy.plan(FaultPlan.none());
        // Read back directly from the servers, not through the proxies or the plan's own verify.
        assertThat(snapshot(newHost.s3Uri("dst", "media/"))).isEqualTo(snapshot(oldCloud.s3Uri("src", "media/")));
        assertThat(snapshot(newHost.s3Uri("dst", "posts/"))).as("the bundle move at cut-over keeps the deletion")
                .isEqualTo(snapshot(oldCloud.s3Uri("src", "posts/")));
        assertThat(snapshot(newHost.s3Uri("dst", "media/"))).doesNotContainKey("img-0007.jpg");
    }

    private static PlanRunner.Options options(Path state, Phase phase) {
        PlanRunner.Options all = PlanRunner.Options.of(state);
        return new PlanRunner.Options(state, EnumSet.of(phase), false, all.listener(), all.onExecutor(), all.kinds());
    }

    /** The server's s3:// URI with its endpoint replaced by the proxy's. */
    private static String through(EmbeddedS3Server server, FaultProxy proxy, String bucket, String prefix) {
        return server.s3Uri(bucket, prefix).replace("endpoint=" + server.endpoint(), "endpoint=" + proxy.endpoint());
    }

    private void seed() {
        Random r = new Random(3);
        try (ObjectStore src = Stores.open(oldCloud.s3Uri("src", ""), StoreOptions.DEFAULTS)) {
            for (int i = 0; i < 90; i++) {
                byte[] b = new byte[200 + r.nextInt(30_000)];
                r.nextBytes(b);
                src.put(String.format("media/img-%04d.jpg", i), Content.of(b), new ObjectMetadata("image/jpeg", null,
                        "public, max-age=86400", null, Map.of("owner", "u" + i)));
            }
            byte[] video = new byte[6 * 1024 * 1024 + 17];
            r.nextBytes(video);
            src.put("media/video/clip.mp4", Content.of(video), new ObjectMetadata("video/mp4", null, null,
                    "attachment; filename=\"clip.mp4\"", Map.of()));
            for (int i = 0; i < 60; i++) {
                src.put(String.format("posts/post-%04d.json", i), Content.of(("{\"id\":" + i + "}").getBytes()),
                        new ObjectMetadata("application/json", i % 2 == 0 ? null : "identity", null, null, Map.of()));
            }
        }
    }

    /** Every object under the URI: key -> MD5 of the bytes read, size and metadata. */
    private static Map<String, String> snapshot(String uri) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (ObjectStore store = Stores.open(uri, StoreOptions.DEFAULTS); Stream<ObjectInfo> list = store.list("")) {
            List<ObjectInfo> objects = list.toList();
            for (ObjectInfo o : objects) {
                ObjectInfo full = store.stat(o.key()).orElseThrow();
                try (InputStream in = store.open(o.key(), 0, -1)) {
                    out.put(o.key(), Digests.hex(Digests.md5().digest(in.readAllBytes())) + " " + full.size() + " " + full.metadata());
                }
            }
        }
        return out;
    }
}
