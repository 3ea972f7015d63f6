package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.local.LocalObjectStore;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --metrics-port on a real run: the plan's own switch hook scrapes the endpoint with curl while the run is going on. */
class MetricsCliTest {
    @TempDir
    Path dir;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aScrapeDuringARunShowsStepStatesObjectsBytesAndTheEta() throws Exception {
        Path src = dir.resolve("src");
        LocalObjectStore store = new LocalObjectStore(src);
        for (int i = 0; i < 7; i++) {
            store.put("media/" + i + ".jpg", Content.of(new byte[1000]), ObjectMetadata.EMPTY);
        }
        int port = freePort();
        Path plan = dir.resolve("exit.yaml");
        Files.writeString(plan, """
                name: metrics
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{name: media, from: old, to: new}]
                hooks:
                  switch: [{name: scrape, run: 'curl -sSf http://127.0.0.1:%d/metrics > scraped.txt', timeout: 30s, estimate: 1s}]
                """.formatted(src.toUri(), dir.resolve("dst").toUri(), port));
        CliRun run = CliRun.of("run", plan.toString(), "-q", "--metrics-port", "127.0.0.1:" + port);
        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.err()).contains("Metrics: http://127.0.0.1:" + port + "/metrics");
        String scraped = Files.readString(dir.resolve("scraped.txt"));
        assertThat(scraped)
                .contains("migrator_step_state{state=\"running\",step=\"cutover/hook/scrape\"} 1.0")
                .contains("migrator_step_state{state=\"done\",step=\"presync/media/copy\"} 1.0")
                // the 7 objects, and the probe object preflight writes and deletes on the target (inside the run's lock)
                .contains("migrator_objects_total{direction=\"written\",endpoint=\"" + dir.resolve("dst").toUri() + "\"} 8.0")
                .contains("migrator_objects_total{direction=\"deleted\",endpoint=\"" + dir.resolve("dst").toUri() + "\"} 1.0")
                .contains("migrator_bytes_total{direction=\"written\",endpoint=\"" + dir.resolve("dst").toUri() + "\"} 7041.0") // probe: 41 bytes
                .containsPattern("migrator_eta_seconds [0-9.]+")
                .contains("migrator_retries_total");
        // served only while the command runs
        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void aBadMetricsPortIsOneLineAndExit2() {
        CliRun copy = CliRun.of("copy", dir.resolve("a").toString(), dir.resolve("b").toString(), "--metrics-port", "http://x");
        assertThat(copy.exit()).isEqualTo(2);
        assertThat(copy.err().strip()).isEqualTo("migrator: --metrics-port 'http://x': expected PORT or HOST:PORT, e.g. 9464 or 127.0.0.1:9464");
    }
}
