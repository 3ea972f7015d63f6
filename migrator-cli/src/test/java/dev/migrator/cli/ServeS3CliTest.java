package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** serve-s3's rehearsal knobs refuse bad values before any server starts (a server would block the run). */
class ServeS3CliTest {
    @Test
    void badLatencyIsOneClearLineAndExit2() {
        CliRun run = CliRun.of("serve-s3", "--latency", "forever");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--latency 'forever'", "such as 500ms").doesNotContain("Exception", "\tat ");
    }

    @Test
    void throttleBelowOneIsOneClearLineAndExit2() {
        CliRun run = CliRun.of("serve-s3", "--throttle-above", "0");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--throttle-above must be at least 1").doesNotContain("Exception", "\tat ");
    }
}
