package dev.migrator.plan.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The durable record of a plan run: one JSON object per line ({@code start}, {@code done}, {@code failed},
 * {@code blocked}, {@code end}), each line fsynced before the step it describes is trusted. After a crash,
 * {@code kill -9} or Ctrl-C, the next run of the same plan reads it and skips steps that finished; a torn
 * last line is ignored. A run that ended (an {@code end} line with every step done) is archived when the
 * next run starts, so a finished plan runs again from the top (its copies then skip identical objects).
 */
public final class RunJournal implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    /** A plain stream, not a FileChannel: a step thread interrupted by cancel would close a channel for every step. */
    private final FileOutputStream out;
    private final List<JsonNode> events;

    private RunJournal(Path file, List<JsonNode> events) throws IOException {
        this.file = file;
        this.events = events;
        this.out = new FileOutputStream(file.toFile(), true);
    }

    /** Opens the journal in {@code stateDir}: resuming an unfinished run, or starting a new one after a finished run. */
    public static RunJournal open(Path stateDir) {
        Path file = stateDir.resolve("journal");
        try {
            Files.createDirectories(stateDir);
            List<JsonNode> events = read(file);
            if (finished(events)) {
                Files.move(file, stateDir.resolve("journal." + Instant.now().toEpochMilli()), StandardCopyOption.ATOMIC_MOVE);
                events = new ArrayList<>();
            }
            return new RunJournal(file, events);
        } catch (java.nio.file.FileSystemException e) {
            throw MigratorException.badInput("cannot write the run journal in " + stateDir + ": " + (e.getReason() == null
                    ? e.getClass().getSimpleName() : e.getReason()) + " (use --state DIR to put it in a writable directory)");
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot open the run journal " + file + ": " + e.getMessage(), e);
        }
    }

    /** The events of the journal in {@code stateDir}, without opening it for writing (for status). */
    public static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        if (!Files.exists(file)) {
            return events;
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    events.add(JSON.readTree(line));
                } catch (IOException torn) {
                    // a line torn by a crash: that event did not happen as far as resuming is concerned
                }
            }
        }
        return events;
    }

    static boolean finished(List<JsonNode> events) {
        return !events.isEmpty() && "end".equals(events.get(events.size() - 1).path("event").asText())
                && events.get(events.size() - 1).path("complete").asBoolean();
    }

    /** Steps an earlier, unfinished run completed: id to the {@code done} event (with its fingerprint and result). */
    public Map<String, JsonNode> done() {
        Map<String, JsonNode> done = new LinkedHashMap<>();
        for (JsonNode e : events) {
            String kind = e.path("event").asText();
            if (kind.equals("done")) {
                done.put(e.path("step").asText(), e);
            } else if (kind.equals("start") || kind.equals("failed")) {
                done.remove(e.path("step").asText());
            }
        }
        return done;
    }

    public boolean resuming() {
        return !events.isEmpty();
    }

    /** Appends one event and forces it to disk. */
    public synchronized void append(ObjectNode event) {
        event.put("at", Instant.now().toString());
        try {
            byte[] line = (JSON.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(line);
            out.getFD().sync();
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot write the run journal " + file + ": " + e.getMessage(), e);
        }
    }

    public ObjectNode event(String kind, String step) {
        ObjectNode n = JSON.createObjectNode();
        n.put("event", kind);
        if (step != null) {
            n.put("step", step);
        }
        return n;
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // every event was forced when written
        }
    }
}
