package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.ObjectInfo;
import dev.migrator.transfer.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
    private static ObjectInfo object(String key, long size) {
        return new ObjectInfo(key, size, null, null, null, null);
    }

    @Test
    void showsObjectsBytesFailuresAndAnEtaOnceTheListingIsComplete() throws Exception {
        try (ConsoleProgress p = new ConsoleProgress(new PrintStream(new ByteArrayOutputStream()), "Copying", false)) {
            p.listed(object("a", 1024 * 1024));
            p.listed(object("b", 1024 * 1024));
            assertThat(p.line()).startsWith("Copying 0/2+ objects").contains("/2.0 MiB+").doesNotContain("ETA");

            Thread.sleep(20);
            p.transferred(1024 * 1024);
            p.finished(object("a", 1024 * 1024), Progress.Outcome.COPIED);
            p.listed(object("c", 0));
            p.finished(object("c", 0), Progress.Outcome.FAILED);
            p.retrying("put b", "503 SlowDown");
            p.listingDone();
            assertThat(p.line()).startsWith("Copying 2/3 objects  1.0 MiB/2.0 MiB").contains("ETA ")
                    .contains("failed 1").contains("retries 1");
        }
    }

    @Test
    void skippedBytesCountAsDone() {
        try (ConsoleProgress p = new ConsoleProgress(new PrintStream(new ByteArrayOutputStream()), "Copying", false)) {
            p.listed(object("a", 2048));
            p.finished(object("a", 2048), Progress.Outcome.SKIPPED);
            p.listingDone();
            assertThat(p.line()).startsWith("Copying 1/1 objects  2.0 KiB/2.0 KiB");
        }
    }
}
