package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ToolProcessTest {
    @Test
    void aPipelineConnectsStdoutToStdinAndKeepsTheTailOfEachStderr() throws Exception {
        ProcessBuilder first = new ProcessBuilder("sh", "-c", "for i in $(seq 1 50); do echo warn $i >&2; done; seq 1 100000")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        ProcessBuilder second = new ProcessBuilder("sh", "-c", "wc -l; echo \"$GREETING\" >&2; exit 3")
                .redirectOutput(ProcessBuilder.Redirect.PIPE);
        try (ToolProcess p = ToolProcess.pipeline(List.of(first, second), Map.of("GREETING", "hello"), "sh")) {
            String out = new String(p.processes().get(1).getInputStream().readAllBytes()).strip();
            assertThat(p.await()).containsExactly(0, 3);
            assertThat(out).isEqualTo("100000");
            assertThat(p.stderr(0)).startsWith("warn 31; warn 32").endsWith("warn 50"); // the last 20 lines
            assertThat(p.stderr(1)).isEqualTo("hello");
            assertThat(p.name(0)).isEqualTo("sh");
        }
    }

    @Test
    void whenTheReaderFailsTheWriterKilledByTheBrokenPipeIsNotTheCulprit() {
        // like pg_dump | pg_restore when pg_restore stops at an error: pg_dump dies of SIGPIPE, silently
        ProcessBuilder writer = new ProcessBuilder("sh", "-c", "yes row")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        ProcessBuilder reader = new ProcessBuilder("sh", "-c", "head -c 100 >/dev/null; echo 'relation \"t\" already exists' >&2; exit 1")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        try (ToolProcess p = ToolProcess.pipeline(List.of(writer, reader), Map.of(), "sh")) {
            int[] codes = p.await();
            assertThat(codes[0]).as("the writer failed too").isNotZero();
            assertThat(p.culprit(codes)).isEqualTo(1);
            assertThat(p.stderr(p.culprit(codes))).contains("already exists");
        }
    }

    @Test
    void whenTheWriterFailsOnItsOwnItIsTheCulpritEvenIfTheReaderFailsAfterIt() {
        ProcessBuilder writer = new ProcessBuilder("sh", "-c", "echo 'password authentication failed' >&2; exit 1")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        ProcessBuilder reader = new ProcessBuilder("sh", "-c", "cat >/dev/null; echo 'input file is too short' >&2; exit 1")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        try (ToolProcess p = ToolProcess.pipeline(List.of(writer, reader), Map.of(), "sh")) {
            int[] codes = p.await();
            assertThat(codes).containsExactly(1, 1);
            assertThat(p.culprit(codes)).isZero();
        }
        try (ToolProcess p = ToolProcess.start(new ProcessBuilder("true"), Map.of(), "true")) {
            assertThat(p.culprit(p.await())).isEqualTo(-1);
        }
    }

    @Test
    void aMissingToolIsBadInputSayingWhatToInstall() {
        assertThatThrownBy(() -> ToolProcess.start(new ProcessBuilder("/nonexistent/pg_dump", "--version"), Map.of(),
                "the PostgreSQL client tools"))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("pg_dump").hasMessageContaining("install the PostgreSQL client tools");
    }

    @Test
    void interruptingAwaitKillsTheToolAndItsChildren() throws Exception {
        ProcessBuilder b = new ProcessBuilder("sh", "-c", "sleep 300 & sleep 300 & wait");
        ToolProcess p = ToolProcess.start(b, Map.of(), "sh");
        Thread.sleep(300);
        List<ProcessHandle> children = p.processes().get(0).descendants().toList();
        assertThat(children).hasSize(2);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                p.await();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        waiter.start();
        Thread.sleep(200);
        waiter.interrupt();
        waiter.join(10_000);
        assertThat(thrown.get()).isInstanceOfSatisfying(MigratorException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERRUPTED));
        p.processes().get(0).onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        for (ProcessHandle c : children) {
            c.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(c.isAlive()).isFalse();
        }
        p.close();
    }
}
