package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.local.LocalObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** migrator preflight through the real command line, and the checks at the start of run. */
class PreflightCliTest {
    @TempDir
    Path dir;

    private Path plan(String yaml) throws Exception {
        Path file = dir.resolve("exit.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private Path source() throws Exception {
        Path src = dir.resolve("src");
        new LocalObjectStore(src).put("a/one", Content.of(new byte[100]), new ObjectMetadata("text/plain", null, null, null, Map.of()));
        return src;
    }

    @Test
    void aHookThatCannotRunStopsTheRunBeforeAnythingStartsUnlessSkipped() throws Exception {
        Path plan = plan("""
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{from: old, to: new}]
                hooks: {freeze: {name: read-only, run: 'no-such-program-4711 --on'}}
                """.formatted(source().toUri(), dir.resolve("dst").toUri()));
        Path junit = dir.resolve("out/preflight.xml");
        CliRun pre = CliRun.of("preflight", plan.toString(), "--junit", junit.toString());
        assertThat(pre.exit()).as(pre.all()).isEqualTo(1);
        assertThat(pre.out()).contains("OK    access            source old").contains("FAIL  hooks             hook read-only")
                .contains("'no-such-program-4711' is not an executable program on the PATH").contains("NOT ready");
        assertThat(Files.readString(junit)).contains("<testsuite name=\"preflight.hooks\" tests=\"1\" failures=\"1\"")
                .contains("<testcase classname=\"preflight.hooks\" name=\"hook read-only\">");

        JsonNode json = new ObjectMapper().readTree(CliRun.of("preflight", plan.toString(), "--json").out());
        assertThat(json.get("ready").asBoolean()).isFalse();
        assertThat(json.get("counts").get("FAIL").asInt()).isEqualTo(1);

        CliRun run = CliRun.of("run", plan.toString(), "-q");
        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(run.err()).contains("FAIL  hooks").contains("nothing was started").contains("--skip-preflight")
                .doesNotContain("OK    access");
        assertThat(dir.resolve("exit.yaml.state/plan.json")).as("nothing ran (preflight runs holding the lock)").doesNotExist();
        assertThat(dir.resolve("dst/a/one")).doesNotExist();

        CliRun skipped = CliRun.of("run", plan.toString(), "-q", "--skip-preflight");
        assertThat(skipped.err()).doesNotContain("FAIL  hooks");
        assertThat(dir.resolve("dst/a/one")).as("the pre-copy ran").exists();
    }

    /**
     * Two runs of one plan at once: the second is refused by the state lock before its preflight probes anything
     * (the preflight here would FAIL; the lock's refusal comes first). The same for a drill's own state.
     */
    @Test
    void aSecondRunIsRefusedByTheLockBeforeItsPreflightProbes() throws Exception {
        Path plan = plan("""
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{from: old, to: new}]
                hooks: {freeze: {name: read-only, run: 'no-such-program-4711 --on'}}
                drill: {targets: {new: '%s'}, hooks: true}
                """.formatted(source().toUri(), dir.resolve("dst").toUri(), dir.resolve("scratch").toUri()));
        for (String command : List.of("run", "drill")) {
            Path state = dir.resolve(command.equals("run") ? "exit.yaml.state" : "exit.yaml.state/drill");
            try (dev.migrator.provider.StateLock first = dev.migrator.provider.StateLock.acquire(state, "the first " + command)) {
                CliRun second = CliRun.of(command, plan.toString(), "-q");
                assertThat(second.exit()).as(second.all()).isEqualTo(2);
                assertThat(second.err()).contains("is in use by another run").contains("the first " + command)
                        .doesNotContain("FAIL  hooks");
            }
            CliRun alone = CliRun.of(command, plan.toString(), "-q");
            assertThat(alone.exit()).as("the lock released, preflight runs: " + alone.all()).isEqualTo(1);
            assertThat(alone.err()).contains("FAIL  hooks").contains("nothing was started");
        }
        assertThat(dir.resolve("dst/a/one")).as("nothing ran").doesNotExist();
    }

    /**
     * A mariadb-dump older than the server, first on the PATH (a shim script in a temp folder; the server is the
     * real MariaDB): a FAIL naming the version needed. The PATH is the process's, so preflight runs in a child JVM.
     */
    @Test
    void aDumpToolOlderThanTheServerIsAFailNamingTheVersionToInstall() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path shim = Files.writeString(bin.resolve("mariadb-dump"),
                "#!/bin/sh\necho 'mariadb-dump  Ver 10.17 Distrib 10.3.39-MariaDB, for debian-linux-gnu (x86_64)'\n");
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
        String db = "mig_pf_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
             Statement st = c.createStatement()) {
            st.execute("create database " + db);
        }
        try {
            Path plan = plan("""
                    sources: {shop: 'mysql://root@127.0.0.1:3306/%s'}
                    targets: {new: 'mysql://root@127.0.0.1:3306/%s_copy'}
                    moves: [{from: shop, to: new}]
                    """.formatted(db, db));
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "preflight", plan.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
            pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
            Process p = pb.start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(dir.resolve("out.log"));
            assertThat(p.exitValue()).as(out).isEqualTo(1);
            assertThat(out).contains("FAIL  database-tools    source shop")
                    .contains("mariadb-dump 10.3.39 (" + shim + ") is older than the MariaDB")
                    .contains("install mariadb-client 10.11 or later and put it first on the PATH");
            assertThat(out).contains("OK    database-tools    target new");
        } finally {
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
                 Statement st = c.createStatement()) {
                st.execute("drop database if exists " + db);
            }
        }
    }
}
