package dev.migrator.testkit.s3;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * s3rver (the npm package {@code s3rver}, Node.js), started as a child process on 127.0.0.1 and an ephemeral
 * port, path-style, its buckets in a temporary folder. It is the one S3 server on this machine that implements
 * the bucket CORS and website calls (Get/Put/Delete); it answers 501 NotImplemented for lifecycle, versioning,
 * public-access block and policy. One per JVM, started on first use and stopped when the JVM exits.
 *
 * <p>The script is found at {@code $MIGRATOR_S3RVER}, else under {@code ~/.cache/migrator-s3rver} (where
 * {@code .ci/run} installs it: {@code npm install --prefix ~/.cache/migrator-s3rver s3rver@3.7.1}). When neither
 * it nor {@code node} is there, {@link #shared()} skips the calling test with a message saying how to install it.
 */
public final class S3rver {
    /** s3rver's built-in key pair (public, from its source; not anyone's secret). */
    public static final String ACCESS_KEY = "S3RVER";
    public static final String SECRET_KEY = "S3RVER";

    private static final Pattern LISTENS = Pattern.compile("listening on ([0-9.]+):([0-9]+)");
    private static S3rver shared;
    private static String unavailable;

    private final URI endpoint;

    private S3rver(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** The running server, started on first use; skips the test (an assumption) when it is not installed. */
    public static synchronized S3rver shared() {
        if (shared == null && unavailable == null) {
            try {
                shared = start();
            } catch (Unavailable e) {
                unavailable = e.getMessage();
            }
        }
        Assumptions.assumeTrue(shared != null, () -> "s3rver is not installed, so its tests are skipped: " + unavailable);
        return shared;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return endpoint;
    }

    /** The migrator URI of {@code s3://bucket/prefix} on this server. */
    public String uri(String bucket, String prefix) {
        return "s3://" + bucket + "/" + prefix + "?endpoint=" + endpoint + "&region=us-east-1"
                + "&access-key=" + ACCESS_KEY + "&secret-key=" + SECRET_KEY;
    }

    private static Path script() throws Unavailable {
        String configured = System.getenv("MIGRATOR_S3RVER");
        Path p = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "migrator-s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (Files.isRegularFile(p)) {
            return p;
        }
        throw new Unavailable("no " + p + "; install it with 'npm install --prefix ~/.cache/migrator-s3rver s3rver@3.7.1'"
                + " (Node.js), as .ci/run does, or point MIGRATOR_S3RVER at its bin/s3rver.js");
    }

    private static S3rver start() throws Unavailable {
        Path script = script();
        Process process;
        Path data;
        try {
            data = Files.createTempDirectory("s3rver");
            process = new ProcessBuilder(List.of("node", script.toString(), "-d", data.toString(), "-a", "127.0.0.1",
                    "-p", "0", "--silent", "--no-vhost-buckets")).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new Unavailable("cannot run node " + script + " (" + e.getMessage() + "): is node on the PATH?");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            process.destroyForcibly();
            try (var files = Files.walk(data)) { // the buckets s3rver kept: nothing to keep after the tests
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // left in the temporary folder
            }
        }));
        CompletableFuture<URI> listening = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (!listening.isDone()) {
                        output.append(line).append('\n');
                        Matcher m = LISTENS.matcher(line);
                        if (m.find()) {
                            listening.complete(URI.create("http://" + m.group(1) + ":" + m.group(2)));
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            listening.completeExceptionally(new IOException("s3rver exited"));
        }, "s3rver-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new S3rver(listening.get(60, TimeUnit.SECONDS));
        } catch (TimeoutException | ExecutionException e) {
            process.destroyForcibly();
            throw new IllegalStateException("s3rver (" + script + ") did not start: " + output);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting s3rver", e);
        }
    }

    private static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }
}
