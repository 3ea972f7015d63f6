package dev.migrator.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class NamedPipeTest {
    @Test
    @Timeout(60) // a pipe never let go would leave the reader waiting for its end forever
    void aWriterThatFinishesBeforeItsReaderStartsLosesNothingAndClosingLeavesNothing() throws Exception {
        Path dir;
        try (NamedPipe pipe = NamedPipe.make("in a test")) {
            pipe.open();
            dir = pipe.path().getParent();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            // the writer opens, writes and exits while nobody reads yet: its open must not block
            Process writer = new ProcessBuilder("sh", "-c", "printf 'all of it' > \"$0\"", pipe.path().toString()).start();
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).as("the writer did not block").isTrue();
            assertThat(writer.exitValue()).isZero();

            Process reader = new ProcessBuilder("cat").redirectInput(pipe.path().toFile()).start();
            pipe.release(); // the reader holds the pipe: with the writer gone, it sees the end
            String read = new String(reader.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reader.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(read).isEqualTo("all of it");
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    @Timeout(60)
    void aWriterSlowToStartStillReachesItsReaderWhenBothEndsAreOpenedAsTheyStart() throws Exception {
        try (NamedPipe pipe = NamedPipe.make("in a test")) {
            pipe.open();
            Process writer = new ProcessBuilder("sh", "-c", "sleep 1; printf 'late but whole'")
                    .redirectOutput(pipe.path().toFile()).start();
            Process reader = new ProcessBuilder("cat").redirectInput(pipe.path().toFile()).start();
            pipe.release(); // before the writer wrote anything: the reader must wait for it, not see an end
            String read = new String(reader.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(read).isEqualTo("late but whole");
        }
    }
}
