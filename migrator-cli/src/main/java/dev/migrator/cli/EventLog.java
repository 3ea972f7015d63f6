package dev.migrator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --log-format json}: what the console tells a person as lines (a step started, retried, ended; an object
 * failed; the error that stopped a command) goes to stderr as one JSON object per line instead, with
 * {@code time} and {@code event} first, for CI and log shippers. Off (text) unless a command asks.
 */
final class EventLog {
    enum Format { text, json }

    private static volatile boolean json;

    /** Made on the first JSON event: Jackson's ~370 classes stay off the start-up of text-format commands. */
    private static final class Mapper {
        static final ObjectMapper INSTANCE = new ObjectMapper();
    }

    private EventLog() {
    }

    /** Back to text: each command line starts so (in-process runs share the JVM). */
    static void reset() {
        json = false;
    }

    static void format(Format f) {
        json = f == Format.json;
    }

    static boolean json() {
        return json;
    }

    /** Writes one event line: {"time": ..., "event": event, ...fields}. */
    static void event(PrintStream err, String event, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("event", event);
        line.putAll(fields);
        String text;
        try {
            text = Mapper.INSTANCE.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a log event", e);
        }
        synchronized (err) {
            err.println(text);
            err.flush();
        }
    }
}
