package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateLockTest {

    @Test
    void aSecondHolderIsRefusedWithTheFirstNamedAndMayTakeItOnceReleased(@TempDir Path dir) {
        Path state = dir.resolve("state");
        try (StateLock first = StateLock.acquire(state, "copy a b")) {
            assertThatThrownBy(() -> StateLock.acquire(state, "copy a b"))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining("in use by another run")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("copy a b");
        }
        StateLock.acquire(state, "again").close();
    }

    @Test
    void aLockHeldByAnotherProcessIsRefusedAndFreedWhenItIsKilled(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("s");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(), state.toString())
                .redirectErrorStream(true).start();
        try {
            assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine()).isEqualTo("locked");
            assertThatThrownBy(() -> StateLock.acquire(state, "second"))
                    .hasMessageContaining("in use by another run")
                    .hasMessageContaining("pid " + holder.pid())
                    .hasMessageContaining("holder run");
        } finally {
            holder.destroyForcibly().waitFor();
        }
        StateLock.acquire(state, "after a kill -9 of the holder").close();
    }

    /** Holds the lock in a process of its own until killed. */
    public static final class Holder {
        public static void main(String[] args) throws InterruptedException {
            StateLock.acquire(Path.of(args[0]), "holder run");
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
