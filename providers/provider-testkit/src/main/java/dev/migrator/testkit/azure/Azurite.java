package dev.migrator.testkit.azure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Azurite, Microsoft's Azure Storage emulator (the npm package {@code azurite}), started as a child process:
 * its blob service only, on 127.0.0.1 and an ephemeral port, in memory. One per JVM, started on first use and
 * stopped when the JVM exits.
 *
 * <p>The launcher is found at {@code $MIGRATOR_AZURITE} (the {@code azurite-blob} script), else under
 * {@code ~/.cache/migrator-azurite} (where {@code .ci/run} installs it: {@code npm install --prefix
 * ~/.cache/migrator-azurite azurite@3.35.0}), else on the {@code PATH}. When neither it nor {@code node} is
 * there, {@link #shared()} skips the calling test with a message saying how to install it.
 */
public final class Azurite {
    /** Azurite's well-known account and key (public, documented by Microsoft; not a secret of anyone's). */
    public static final String ACCOUNT = "devstoreaccount1";
    public static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static final Pattern LISTENS = Pattern.compile("listens on (http://[0-9.]+:([0-9]+))");
    private static Azurite shared;
    private static String unavailable;

    private final Process process;
    private final URI endpoint;

    private Azurite(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** The running emulator, started on first use; skips the test (an assumption) when it cannot be found. */
    public static synchronized Azurite shared() {
        if (shared == null && unavailable == null) {
            try {
                shared = start();
                Azurite a = shared;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> a.process.destroyForcibly()));
            } catch (Unavailable e) {
                unavailable = e.getMessage();
            }
        }
        Assumptions.assumeTrue(shared != null, () -> "Azurite is not installed, so the Azure tests are skipped: "
                + unavailable);
        return shared;
    }

    /** The blob service's base URL, {@code http://127.0.0.1:PORT} (path-style: the account is the first segment). */
    public URI endpoint() {
        return endpoint;
    }

    /** The account's blob service URL, {@code http://127.0.0.1:PORT/devstoreaccount1}. */
    public URI accountUrl() {
        return URI.create(endpoint + "/" + ACCOUNT);
    }

    private static Path launcher() throws Unavailable {
        String configured = System.getenv("MIGRATOR_AZURITE");
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (Files.isExecutable(p)) {
                return p;
            }
            throw new Unavailable("MIGRATOR_AZURITE=" + configured + " is not an executable azurite-blob script");
        }
        Path cached = Path.of(System.getProperty("user.home"), ".cache", "migrator-azurite", "node_modules", ".bin",
                "azurite-blob");
        if (Files.isExecutable(cached)) {
            return cached;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, "azurite-blob");
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new Unavailable("no azurite-blob in $MIGRATOR_AZURITE, " + cached + " or the PATH; install it with"
                + " 'npm install --prefix ~/.cache/migrator-azurite azurite@3.35.0' (Node.js 20), as .ci/run does");
    }

    private static Azurite start() throws Unavailable {
        Path launcher = launcher();
        List<String> command = new ArrayList<>(List.of(launcher.toString(),
                "--blobHost", "127.0.0.1", "--blobPort", "0",
                "--inMemoryPersistence", "--extentMemoryLimit", "1024",
                // The Azure SDK may speak a newer service version than this Azurite knows.
                "--skipApiVersionCheck", "--disableTelemetry", "--silent"));
        Process process;
        Path workspace;
        try {
            workspace = Files.createTempDirectory("azurite");
            process = new ProcessBuilder(command).directory(workspace.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new Unavailable("cannot run " + launcher + " (" + e.getMessage() + "): is node on the PATH?");
        }
        CompletableFuture<URI> listening = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (!listening.isDone()) {
                        output.append(line).append('\n');
                        Matcher m = LISTENS.matcher(line);
                        if (m.find()) {
                            listening.complete(URI.create(m.group(1)));
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            listening.completeExceptionally(new IOException("Azurite exited"));
        }, "azurite-output");
        reader.setDaemon(true);
        reader.start();
        try {
            // Node starts in a few seconds; on a loaded machine it takes longer.
            return new Azurite(process, listening.get(120, TimeUnit.SECONDS));
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            process.destroyForcibly();
            throw new IllegalStateException("Azurite (" + launcher + ") did not start: " + output);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Azurite", e);
        }
    }

    private static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }
}
