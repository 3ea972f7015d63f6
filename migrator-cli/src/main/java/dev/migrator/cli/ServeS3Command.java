package dev.migrator.cli;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Durations;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Redaction;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve-s3", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run the embedded S3-compatible store (S3Proxy) on 127.0.0.1 until interrupted.",
            "A scratch endpoint for drills, tests and benchmarks; its fixed, local-only credentials are in the README."})
final class ServeS3Command implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0", description = "Port (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--dir", paramLabel = "DIR", description = "Keep buckets as folders under DIR (default: in memory).")
    Path dir;

    @Option(names = "--bucket", paramLabel = "NAME", description = "Buckets to create at start.")
    List<String> buckets = List.of();

    @Option(names = "--latency", paramLabel = "DURATION",
            description = "Hold every request this long before answering it (e.g. 20ms): rehearse a distant provider. "
                    + "Requests held at once are not limited by it; see --throttle-above.")
    String latency;

    @Option(names = "--throttle-above", paramLabel = "N",
            description = "Answer 503 SlowDown to a request that arrives while N others are being handled, as S3 does "
                    + "above a prefix's request rate: rehearse the provider's throttling. Default: no limit.")
    Integer throttleAbove;

    @Override
    public Integer call() throws InterruptedException {
        // Checked before the server starts: a typo must not leave a half-configured endpoint running.
        Duration delay = latency == null ? Duration.ZERO : Durations.parse(latency, "--latency '" + latency + "'");
        if (throttleAbove != null && throttleAbove < 1) {
            throw MigratorException.badInput("--throttle-above must be at least 1 (requests at once), got " + throttleAbove);
        }
        EmbeddedS3Server server = dir == null ? EmbeddedS3Server.inMemory(port) : EmbeddedS3Server.onDirectory(dir, port);
        server.latency(delay).throttleAbove(throttleAbove == null ? 0 : throttleAbove);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "stop-s3"));
        for (String bucket : buckets) {
            server.createBucket(bucket);
        }
        System.out.println("Serving S3 at " + server.endpoint() + (dir == null ? " (in memory)" : " (buckets under " + dir + ")")
                + (delay.isZero() ? "" : ", " + delay.toMillis() + " ms per request")
                + (throttleAbove == null ? "" : ", 503 SlowDown above " + throttleAbove + " requests at once"));
        if (!delay.isZero() || throttleAbove != null) {
            System.out.println("Counts: curl " + server.endpoint() + "/_migrator/stats (knobs: /_migrator/gate?latency-ms=M&throttle-above=N)");
        }
        System.out.println("Use: " + Redaction.uri(server.s3Uri(buckets.isEmpty() ? "BUCKET" : buckets.get(0), "")));
        System.out.flush();
        stopped.await();
        return 0;
    }
}
