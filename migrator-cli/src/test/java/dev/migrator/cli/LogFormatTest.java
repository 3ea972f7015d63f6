package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.local.LocalObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --log-format json: stderr is one JSON object per line. */
class LogFormatTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static List<JsonNode> lines(String err) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (String line : err.split("\n")) {
            if (!line.isBlank()) {
                events.add(JSON.readTree(line)); // fails on any line that is not one JSON object
            }
        }
        return events;
    }

    @Test
    void aRunLogsEachStepAsAJsonLine() throws Exception {
        Path src = dir.resolve("src");
        new LocalObjectStore(src).put("a/one", Content.of(new byte[100]), ObjectMetadata.EMPTY);
        Path plan = dir.resolve("exit.yaml");
        Files.writeString(plan, """
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{name: media, from: old, to: new}]
                """.formatted(src.toUri(), dir.resolve("dst").toUri()));
        CliRun run = CliRun.of("run", plan.toString(), "--log-format", "json");
        assertThat(run.exit()).as(run.all()).isZero();
        List<JsonNode> events = lines(run.err());
        assertThat(events).isNotEmpty().allSatisfy(e -> {
            assertThat(e.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(e.path("event").asText()).isNotEmpty();
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e.path("event").asText()).isEqualTo("step-started");
            assertThat(e.path("step").asText()).isEqualTo("presync/media/copy");
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e.path("event").asText()).isEqualTo("step-finished");
            assertThat(e.path("step").asText()).isEqualTo("cutover/media/verify");
            assertThat(e.path("status").asText()).isEqualTo("DONE");
            assertThat(e.path("verified").asBoolean()).isTrue();
        });
        assertThat(run.out()).contains("Run complete"); // stdout keeps the summary
    }

    @Test
    void theErrorThatStopsACommandIsOneJsonLine() throws Exception {
        CliRun copy = CliRun.of("copy", "nosuch://x/", dir.resolve("b").toString(), "--log-format", "json");
        assertThat(copy.exit()).isEqualTo(2);
        List<JsonNode> events = lines(copy.err());
        assertThat(events).hasSize(1);
        assertThat(events.get(0).path("event").asText()).isEqualTo("error");
        assertThat(events.get(0).path("exitCode").asInt()).isEqualTo(2);
        assertThat(events.get(0).path("message").asText()).contains("nosuch");
    }

    @Test
    void anUnknownFormatIsBadUsage() {
        CliRun copy = CliRun.of("copy", "a", "b", "--log-format", "xml");
        assertThat(copy.exit()).isEqualTo(2);
        assertThat(copy.err()).contains("--log-format").contains("text, json");
    }
}
