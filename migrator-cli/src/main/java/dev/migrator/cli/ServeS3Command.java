package dev.migrator.cli;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Redaction;
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

    @Override
    public Integer call() throws InterruptedException {
        EmbeddedS3Server server = dir == null ? EmbeddedS3Server.inMemory(port) : EmbeddedS3Server.onDirectory(dir, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "stop-s3"));
        for (String bucket : buckets) {
            server.createBucket(bucket);
        }
        System.out.println("Serving S3 at " + server.endpoint() + (dir == null ? " (in memory)" : " (buckets under " + dir + ")"));
        System.out.println("Use: " + Redaction.uri(server.s3Uri(buckets.isEmpty() ? "BUCKET" : buckets.get(0), "")));
        System.out.flush();
        stopped.await();
        return 0;
    }
}
