package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The JVM options a run passes on to its local workers. */
class LocalWorkersTest {
    @Test
    void workersGetTheRunsJvmOptionsButNotThoseOnlyOneProcessMayUse() {
        List<String> run = List.of("-XX:SharedArchiveFile=/c/cds.jsa", "-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-XX:ArchiveClassesAtExit=/c/cds.jsa.42", "-XX:DumpLoadedClassList=/c/cds.jsa.42.classes",
                "-XX:AOTMode=record", "-XX:AOTConfiguration=/c/aot.aot.42.conf", "-XX:StartFlightRecording=filename=/tmp/run.jfr",
                "-agentlib:jdwp=transport=dt_socket,server=y,address=5005", "-Dfile.encoding=UTF-8");
        assertThat(LocalWorkers.forWorkers(run))
                .containsExactly("-XX:SharedArchiveFile=/c/cds.jsa", "-Xmx512m", "-XX:TieredStopAtLevel=1", "-Dfile.encoding=UTF-8");
    }
}
