package dev.migrator.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.FileTrees;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The durable record of a {@code bundle create} in progress, so that the same command after a crash
 * or {@code kill -9} keeps the parts already uploaded and continues after their last key. It lives in
 * the state directory: {@code parts.jsonl} and {@code sources.jsonl} (one fsynced line per uploaded
 * part / finished source; a torn last line is ignored) and {@code entries/} (each part's manifest
 * lines, written before the part is recorded).
 */
final class CreateJournal {
    private final Path dir;
    private final Map<String, PartRecord> parts = new LinkedHashMap<>();
    private final Map<String, SourceRecord> sources = new LinkedHashMap<>();

    /**
     * One uploaded part: its manifest record, the bytes of its entries, its last key, its number, whether it
     * ends inside an object (holds a piece other than the last of an object split in pieces), and whether it ends
     * inside a key's history (more versions of its last key follow in the next part). A resumed run continues after
     * the last key of the last part that ends neither way.
     */
    record PartRecord(Manifest.Part part, long bytes, String lastKey, int number, boolean midObject, boolean midHistory) {
        PartRecord(Manifest.Part part, long bytes, String lastKey, int number, boolean midObject) {
            this(part, bytes, lastKey, number, midObject, false);
        }

        /** Whether the next part continues this one's last key. */
        boolean continued() {
            return midObject || midHistory;
        }
    }

    /** One finished source and how many parts it has. */
    record SourceRecord(Manifest.Source source, int parts) {
    }

    private CreateJournal(Path dir) {
        this.dir = dir;
    }

    static CreateJournal open(Path dir) {
        CreateJournal j = new CreateJournal(dir);
        try {
            Files.createDirectories(dir.resolve("entries"));
            Files.createDirectories(dir.resolve("spool"));
            j.load();
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.BAD_INPUT, "cannot use the state directory " + dir + ": " + e
                    + " (use --state DIR to put it in a writable directory)", e);
        }
        return j;
    }

    /** Whether an earlier run of this command started (its parts at the target are ours to keep or replace). */
    boolean started() {
        return Files.exists(dir.resolve("started"));
    }

    /** Records how this bundle is written ({@code key} identifies the encryption key, or "none"). */
    void markStarted(String key) {
        append("started", key + "\n");
    }

    /** What {@link #markStarted} recorded. */
    String startedWith() {
        try {
            return Files.readString(dir.resolve("started"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    Path dir() {
        return dir;
    }

    Path entriesFile(String partName) {
        return dir.resolve("entries").resolve(partName.substring(BundleLayout.DATA.length()) + ".jsonl");
    }

    Path spoolFile(String partName) {
        return dir.resolve("spool").resolve(partName.substring(BundleLayout.DATA.length()));
    }

    private void load() throws IOException {
        for (String line : lines("parts.jsonl")) {
            PartRecord r = parse(line, PartRecord.class);
            if (r != null) {
                parts.put(r.part().source() + "#" + r.number(), r);
            }
        }
        for (String line : lines("sources.jsonl")) {
            SourceRecord r = parse(line, SourceRecord.class);
            if (r != null) {
                sources.put(r.source().id(), r);
            }
        }
    }

    private List<String> lines(String name) throws IOException {
        Path f = dir.resolve(name);
        return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
    }

    private static <T> T parse(String line, Class<T> type) {
        if (line.isBlank()) {
            return null;
        }
        try {
            return Manifest.parse(line, type);
        } catch (JsonProcessingException torn) {
            return null; // the line a crash cut short: that part is simply made again
        }
    }

    synchronized SourceRecord finishedSource(String id) {
        return sources.get(id);
    }

    /** The parts of {@code sourceId} an earlier run uploaded, 1, 2, 3... without a gap. */
    synchronized List<PartRecord> contiguousParts(String sourceId) {
        List<PartRecord> out = new ArrayList<>();
        for (int n = 1; ; n++) {
            PartRecord r = parts.get(sourceId + "#" + n);
            if (r == null || !Files.exists(entriesFile(r.part().name()))) {
                return out;
            }
            out.add(r);
        }
    }

    synchronized PartRecord part(String sourceId, int number) {
        return parts.get(sourceId + "#" + number);
    }

    synchronized void partDone(PartRecord record) {
        append("parts.jsonl", Manifest.line(record) + "\n");
        parts.put(record.part().source() + "#" + record.number(), record);
    }

    synchronized void sourceDone(SourceRecord record) {
        append("sources.jsonl", Manifest.line(record) + "\n");
        sources.put(record.source().id(), record);
    }

    /** Appends and fsyncs, preceded by a newline when the file ends in a torn line. */
    private void append(String name, String text) {
        Path f = dir.resolve(name);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            long size = ch.size();
            String prefix = "";
            if (size > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                ch.read(last, size - 1);
                prefix = last.get(0) == '\n' ? "" : "\n";
            }
            ch.position(size);
            ByteBuffer buf = ByteBuffer.wrap((prefix + text).getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot write the bundle journal " + f + ": " + e.getMessage(), e);
        }
    }

    /** Removes the whole state directory: the bundle is complete. */
    void delete() {
        try {
            // The run's lock file stays until the lock is released (BundleWriter removes it then).
            FileTrees.deleteContents(dir, p -> p.equals(dir.resolve("lock")));
        } catch (IOException ignored) {
            // a leftover state directory is harmless: the bundle is complete and marked so
        }
    }
}
