package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Checksums;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    private static ObjectInfo object(String key) {
        return new ObjectInfo(key, 10, Instant.ofEpochMilli(1000), "e-" + key, Checksums.md5(null), ObjectMetadata.EMPTY);
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
