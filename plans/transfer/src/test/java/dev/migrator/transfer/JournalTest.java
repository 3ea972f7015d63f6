package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Checksums;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.Keys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    private static ObjectInfo object(String key) {
        return object(key, "e-" + key);
    }

    private static ObjectInfo object(String key, String etag) {
        return new ObjectInfo(key, 10, Instant.ofEpochMilli(1000), etag, Checksums.md5(null), ObjectMetadata.EMPTY);
    }

    /**
     * Objects finish in any order; the resume asks in listing order. Entries written shuffled over several runs
     * (one object rewritten after its source changed) are all found by a resume that sorts them in runs of 50
     * merged 3 at a time (several passes), the latest line of a key wins, and nothing is left beside the journal.
     */
    @Test
    void entriesWrittenInAnyOrderAreFoundInListingOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("journal");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            keys.add("k/" + i + (i % 7 == 0 ? "/\u00e9" : "") + (i % 11 == 0 ? "\uD83D\uDE00" : "") + (i % 13 == 0 ? "\uFFFD" : ""));
        }
        keys.add("a b+c%20//d/");
        Collections.shuffle(keys, new Random(42));
        try (Journal j = Journal.open(file)) {
            for (String k : keys.subList(0, 1000)) {
                j.markDone(object(k), null);
            }
            j.markDone(object(keys.get(1), "old"), null);
        }
        try (Journal j = Journal.open(file, 50, 3)) {
            assertThat(j.resumedCount()).isEqualTo(1000);
            for (String k : keys.subList(1000, keys.size())) {
                j.markDone(object(k), null);
            }
            j.markDone(object(keys.get(1), "new"), null);
        }
        List<String> listing = new ArrayList<>(keys);
        listing.sort(Keys.ORDER);
        try (Journal j = Journal.open(file, 50, 3)) {
            assertThat(j.resumedCount()).isEqualTo(keys.size());
            for (String k : listing) {
                String etag = k.equals(keys.get(1)) ? "new" : "e-" + k;
                assertThat(j.isDone(object(k, etag))).as(k).isTrue();
                assertThat(j.isDone(object(k, "changed"))).as("changed " + k).isFalse();
            }
            assertThat(j.isDone(object("zzz-never-copied"))).isFalse();
            // Out of order (not how the copier asks, but still right): the reading starts over.
            assertThat(j.isDone(object(listing.get(0)))).isTrue();
            assertThat(j.isDone(object("k/-absent"))).isFalse();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("journal");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(keys.size() + 1).first().isEqualTo(Journal.HEADER);
    }

    /**
     * {@code kill -9} while a resume sorts the journal leaves the journal untouched plus sort files (and maybe a
     * torn last line from the run before): the next open removes the leftovers and still finds every entry.
     */
    @Test
    void aSortCutByACrashLeavesTheJournalWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("journal");
        try (Journal j = Journal.open(file)) {
            j.markDone(object("b"), null);
            j.markDone(object("a"), null);
        }
        Files.writeString(file, "0123\t10\tetag:e-c\tc%2", java.nio.file.StandardOpenOption.APPEND); // torn
        Files.writeString(dir.resolve("journal.sort-0"), "garbage\n");
        Files.writeString(dir.resolve("journal.sort-final"), Journal.HEADER + "\n");
        try (Journal j = Journal.open(file)) {
            assertThat(j.resumedCount()).isEqualTo(2);
            assertThat(j.isDone(object("a"))).isTrue();
            assertThat(j.isDone(object("b"))).isTrue();
            assertThat(j.isDone(object("c"))).isFalse();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("journal");
        }
    }

    @Test
    void aFileThatIsNotAJournalIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("journal");
        Files.writeString(file, "hello\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Journal.open(file))
                .hasMessageContaining("not a migrator copy journal").hasMessageContaining(file.toString());
        assertThat(Files.readString(file)).isEqualTo("hello\n");
    }

    /**
     * Ctrl-C cancels the copy's workers by interrupting them, sometimes while they record a finished object. An
     * interrupt must not close the journal: what was recorded before and after it must survive for the resume.
     */
    @Test
    void anInterruptedWriterDoesNotCloseTheJournal(@TempDir Path dir) {
        Path file = dir.resolve("journal");
        Journal journal = Journal.open(file);
        journal.markDone(object("a"), null);
        Thread.currentThread().interrupt();
        try {
            journal.markDone(object("b"), null);
            journal.close();
        } finally {
            Thread.interrupted();
        }
        Journal again = Journal.open(file);
        assertThat(again.isDone(object("a"))).isTrue();
        assertThat(again.isDone(object("b"))).isTrue();
        again.close();
    }
}
