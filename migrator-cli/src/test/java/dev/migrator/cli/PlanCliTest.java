package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.local.LocalObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** migrator plan / run / status through the real command line, including a run killed with kill -9 and resumed. */
class PlanCliTest {
    @TempDir
    Path dir;

    @Test
    void aMistakeInThePlanFileIsOneLineWithFileLineAndColumn() throws Exception {
        Path plan = dir.resolve("bad.yaml");
        Files.writeString(plan, """
                sources:
                  old: file:///tmp/old
                targets:
                  new: file:///tmp/new
                moves:
                  - from: old
                    to: new
                    parallelism: lots
                """);
        CliRun r = CliRun.of("plan", plan.toString(), "--offline");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("migrator: " + plan + ":8:18: parallelism 'lots': expected a whole number from 1 to 256");
        assertThat(CliRun.of("run", dir.resolve("missing.yaml").toString()).err()).contains("does not exist");
    }

    @Test
    void offlinePlanAsMarkdownAndJson() throws Exception {
        Path plan = dir.resolve("p.yaml");
        Files.writeString(plan, """
                deadline: 1h
                sources:
                  old: {uri: 'file:///tmp/old', objects: 50000, size: 40GiB}
                targets:
                  new: file:///tmp/new
                moves: [{from: old, to: new}]
                hooks: {freeze: 'true', switch: 'true'}
                """);
        CliRun md = CliRun.of("plan", plan.toString(), "--offline", "--format", "markdown");
        assertThat(md.exit()).as(md.all()).isZero();
        assertThat(md.out()).contains("```mermaid\ngantt").contains("dateFormat X").contains("crit, ")
                .contains("Freeze window (cut-over)");
        CliRun json = CliRun.of("plan", plan.toString(), "--offline", "--format", "json");
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.get("steps").size()).isGreaterThan(4);
        assertThat(root.get("totalSeconds").asDouble()).isGreaterThan(root.get("freezeWindowSeconds").asDouble());
        assertThat(root.get("deadline").get("met").asBoolean()).isTrue();
    }

    @Test
    void aRunKilledWithKillMinus9ResumesWithoutRedoingFinishedSteps() throws Exception {
        Path src = dir.resolve("src");
        LocalObjectStore source = new LocalObjectStore(src);
        Random random = new Random(3);
        for (int i = 0; i < 800; i++) {
            byte[] data = new byte[8 * 1024 + random.nextInt(8 * 1024)];
            random.nextBytes(data);
            source.put(String.format("obj/%05d", i), Content.of(data), new ObjectMetadata("application/x-test", null, null, null, Map.of()));
        }
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("target");
            Path plan = dir.resolve("exit.yaml");
            Files.writeString(plan, """
                    sources: {old: {uri: '%s', bandwidth: 3MiB/s}}
                    targets: {new: '%s'}
                    moves: [{name: objects, from: old, to: new, shards: 4, parallelism: 2}]
                    limits: {concurrency: 1}
                    """.formatted(src.toUri(), s3.s3Uri("target", "copy")));
            // The source's bandwidth keeps the ~9.6 MB pre-copy over 3 s however fast the machine, so the kill
            // lands mid-run (unlimited, a fast machine finished it between two polls).
            Path state = dir.resolve("state");
            List<String> command = List.of("run", plan.toString(), "--state", state.toString(), "-q");
            Process first = new ProcessBuilder(javaCommand(command)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("first.log").toFile()).start();
            // Kill when the first shard is done and the second has journaled some of its objects.
            Path shard2 = state.resolve("steps").resolve("presync_objects_copy-2of4").resolve("copy-journal");
            waitFor(() -> count(state.resolve("journal"), "\"event\":\"done\"") >= 1 && count(shard2, "\t") >= 20, first);
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no chance to tidy up
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long doneAtKill = count(state.resolve("journal"), "\"event\":\"done\"");

            CliRun status = CliRun.of("status", plan.toString(), "--state", state.toString());
            assertThat(status.out()).contains("was killed").contains("DONE         presync/objects/copy-1of4")
                    .containsPattern("Time left: ~[0-9hms. ]+ \\(planned [0-9hms. ]+ in all; steps so far took [0-9.]+x their estimates\\),"
                            + " freeze window ~[0-9hms. ]+ \\(planned [0-9hms. ]+\\)\n");

            List<String> again = new ArrayList<>(List.of("run", plan.toString(), "--state", state.toString(), "--json"));
            CliRun second = CliRun.of(again.toArray(String[]::new));
            assertThat(second.exit()).as(second.all()).isZero();
            JsonNode report = new ObjectMapper().readTree(second.out());
            long resumed = 0;
            long skippedObjects = 0;
            for (JsonNode s : report.get("steps")) {
                resumed += s.get("status").asText().equals("RESUMED") ? 1 : 0;
                if (s.get("status").asText().equals("DONE") && s.get("id").asText().startsWith("presync/")) {
                    skippedObjects += s.get("skipped").asLong();
                }
            }
            assertThat(resumed).as("steps finished before the kill are not redone").isEqualTo(doneAtKill);
            assertThat(skippedObjects).as("the shard cut by the kill resumes from its copy journal").isPositive();
            assertThat(report.get("resumed").asBoolean()).isTrue();

            CliRun verify = CliRun.of("verify", src.toString(), s3.s3Uri("target", "copy"));
            assertThat(verify.exit()).as(verify.all()).isZero();
            assertThat(CliRun.of("status", plan.toString(), "--state", state.toString()).out()).contains("The last run completed.");
        }
    }

    @Test
    void afterThePresyncPlanAndStatusReEstimateTheCutoverFromWhatItMeasured() throws Exception {
        Path src = dir.resolve("src");
        LocalObjectStore source = new LocalObjectStore(src);
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            byte[] data = new byte[4096 + random.nextInt(4096)];
            random.nextBytes(data);
            source.put(String.format("obj/%04d", i), Content.of(data), ObjectMetadata.EMPTY);
        }
        Path plan = dir.resolve("exit.yaml");
        Files.writeString(plan, """
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{name: objects, from: old, to: new, parallelism: 4}]
                """.formatted(src.toUri(), dir.resolve("dst").toUri()));
        Path state = dir.resolve("state");
        CliRun early = CliRun.of("plan", plan.toString(), "--after-presync", "--state", state.toString());
        assertThat(early.exit()).isEqualTo(2);
        assertThat(early.err()).contains("holds no run of").contains("--phase presync");

        CliRun presync = CliRun.of("run", plan.toString(), "--state", state.toString(), "--phase", "presync", "-q");
        assertThat(presync.exit()).as(presync.all()).isZero();
        // What the run measured and planned, read here from its own files.
        JsonNode frozen = new ObjectMapper().readTree(state.resolve("plan.json").toFile());
        Map<String, Double> estimates = new java.util.HashMap<>();
        frozen.get("steps").forEach(s -> estimates.put(s.get("id").asText(), s.get("seconds").asDouble()));
        double took = 0;
        double estimated = 0;
        for (String line : Files.readAllLines(state.resolve("journal"))) {
            JsonNode e = new ObjectMapper().readTree(line);
            if (e.path("event").asText().equals("done") && e.path("step").asText().startsWith("presync/")) {
                took += e.get("seconds").asDouble();
                estimated += estimates.get(e.get("step").asText());
            }
        }
        double factor = took / estimated;
        double plannedCutover = frozen.get("cutover").asDouble();
        assertThat(took).isPositive();

        CliRun after = CliRun.of("plan", plan.toString(), "--after-presync", "--state", state.toString());
        assertThat(after.exit()).as(after.all()).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("After the pre-copy \\(its steps took ([0-9.]+) s against ([0-9.]+) s"
                + " estimated, ([0-9.]+)x\\): cut-over ~([0-9.]+) s \\(planned ([0-9.]+) s\\), freeze window ~([0-9.]+) s \\(planned ([0-9.]+) s, [-+]")
                .matcher(after.out());
        assertThat(m.find()).as(after.out()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).isCloseTo(took, org.assertj.core.data.Offset.offset(0.051));
        assertThat(Double.parseDouble(m.group(2))).isCloseTo(estimated, org.assertj.core.data.Offset.offset(0.051));
        assertThat(Double.parseDouble(m.group(3))).isCloseTo(factor, org.assertj.core.data.Offset.offset(0.0051));
        assertThat(Double.parseDouble(m.group(5))).isCloseTo(plannedCutover, org.assertj.core.data.Offset.offset(0.051));
        // The delta is a copy and the verify follows the copies of its move: both scaled by the pre-copy's measured factor.
        assertThat(Double.parseDouble(m.group(4))).as(after.out()).isCloseTo(factor * plannedCutover,
                org.assertj.core.data.Offset.offset(0.06 + 0.01 * factor * plannedCutover));
        assertThat(Double.parseDouble(m.group(6))).isCloseTo(Double.parseDouble(m.group(4)), org.assertj.core.data.Offset.offset(0.051));

        CliRun status = CliRun.of("status", plan.toString(), "--state", state.toString());
        assertThat(status.out()).as(status.all()).containsPattern(String.format(java.util.Locale.ROOT,
                "Time left: ~[0-9.]+ s \\(planned [0-9.]+ s in all; steps so far took %.2fx their estimates\\), freeze window ~%s s", factor,
                m.group(6))).contains(m.group(0));

        CliRun cutover = CliRun.of("run", plan.toString(), "--state", state.toString(), "--phase", "cutover", "-q");
        assertThat(cutover.exit()).as(cutover.all()).isZero();
        assertThat(CliRun.of("status", plan.toString(), "--state", state.toString()).out()).doesNotContain("After the pre-copy");
        assertThat(CliRun.of("plan", plan.toString(), "--state", state.toString()).err()).contains("--state is for plan --after-presync");
    }

    @Test
    void ctrlCExits130AndTheSameCommandFinishes() throws Exception {
        Path src = dir.resolve("src");
        new LocalObjectStore(src).put("a/one", Content.of(new byte[100]), new ObjectMetadata("text/plain", null, null, null, Map.of()));
        Path plan = dir.resolve("exit.yaml");
        Path flag = dir.resolve("hook-started");
        Files.writeString(plan, """
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{from: old, to: new}]
                hooks: {before-presync: {run: 'touch %s && sleep 60', timeout: 2m}}
                """.formatted(src.toUri(), dir.resolve("dst").toUri(), flag));
        Path state = dir.resolve("state");
        Process first = new ProcessBuilder(javaCommand(List.of("run", plan.toString(), "--state", state.toString(), "-q")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile()).start();
        waitFor(() -> Files.exists(flag), first);
        new ProcessBuilder("kill", "-INT", Long.toString(first.pid())).start().waitFor();
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(Files.readString(dir.resolve("first.log"))).isEqualTo(130);
        assertThat(Files.readString(dir.resolve("first.log"))).contains("Interrupted. Run the same command again to resume.");
        assertThat(Files.readString(state.resolve("journal"))).contains("\"event\":\"cancelled\"");

        Files.writeString(plan, Files.readString(plan).replace(" && sleep 60", ""));
        CliRun second = CliRun.of("run", plan.toString(), "--state", state.toString(), "-q");
        assertThat(second.exit()).as(second.all()).isZero();
        assertThat(second.out()).contains("Run complete");
    }

    @Test
    void aPlanWhoseTargetHoldsItsSourceExits2AndTheSourceSurvives() throws Exception {
        Path par = dir.resolve("par");
        LocalObjectStore source = new LocalObjectStore(par.resolve("src"));
        for (String k : List.of("f1.txt", "f2.txt", "f3.txt")) {
            source.put(k, Content.of(new byte[10]), new ObjectMetadata("text/plain", null, null, null, Map.of()));
        }
        Path plan = dir.resolve("par.yaml");
        Files.writeString(plan, """
                version: 1
                sources: {media: '%s'}
                targets: {new-media: '%s'}
                moves: [{name: media, from: media, to: new-media, delete-extraneous: true}]
                """.formatted(par.resolve("src").toUri(), par.toUri()));
        for (String command : List.of("plan", "run", "status")) {
            CliRun r = CliRun.of(command, plan.toString());
            assertThat(r.exit()).as(r.all()).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("migrator: " + plan + ":4:9: move 'media': source 'media' (")
                    .contains("lies inside target 'new-media'").doesNotContain("\n");
        }
        assertThat(par.resolve("src/f1.txt")).exists();
        assertThat(Files.exists(dir.resolve("par.yaml.state"))).as("refused before anything runs").isFalse();
    }

    @Test
    void theConsoleSaysHowManyObjectsDeleteExtraneousDeleted() throws Exception {
        Path src = dir.resolve("src");
        Path dst = dir.resolve("dst");
        new LocalObjectStore(src).put("a/keep", Content.of(new byte[3]), new ObjectMetadata("text/plain", null, null, null, Map.of()));
        new LocalObjectStore(dst).put("a/stale", Content.of(new byte[3]), new ObjectMetadata("text/plain", null, null, null, Map.of()));
        Path plan = dir.resolve("prune.yaml");
        Files.writeString(plan, """
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{name: media, from: old, to: new, delete-extraneous: true}]
                """.formatted(src.toUri(), dst.toUri()));
        CliRun r = CliRun.of("run", plan.toString(), "-q");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("Pruned by cutover/media/delta: 0 copied, 1 already identical, 1 deleted at the target");
        assertThat(dst.resolve("a/stale")).doesNotExist();
    }

    @Test
    void hostilePlanFilesAreOneLineAndExit2() throws Exception {
        Path plan = dir.resolve("hostile.yaml");
        Files.writeString(plan, "sources:\n  media: file:///a\n  media: file:///b\ntargets: {new: file:///c}\n"
                + "moves: [{from: media, to: new}]\n");
        CliRun dup = CliRun.of("plan", plan.toString(), "--offline");
        assertThat(dup.exit()).isEqualTo(2);
        assertThat(dup.err().strip()).isEqualTo("migrator: " + plan + ":3:3: a second 'media' in sources; each key may appear once "
                + "(the first is at " + plan + ":2:3)");

        Files.writeString(plan, "name: " + "[".repeat(1500) + "]".repeat(1500) + "\n");
        CliRun deep = CliRun.of("run", plan.toString());
        assertThat(deep.exit()).isEqualTo(2);
        assertThat(deep.err().strip()).startsWith("migrator: " + plan + ":1:").contains("nested more than 64 levels deep")
                .doesNotContain("\n");

        byte[] garbage = new byte[2048];
        new Random(9).nextBytes(garbage);
        Files.write(plan, garbage);
        CliRun bin = CliRun.of("drill", plan.toString());
        assertThat(bin.exit()).isEqualTo(2);
        assertThat(bin.err().strip()).isEqualTo("migrator: plan file " + plan + " is not UTF-8 text (is it the right file?)");

        Files.writeString(plan, "name: '" + "x".repeat(10_000_000) + "'\n");
        long t0 = System.nanoTime();
        CliRun big = CliRun.of("plan", plan.toString());
        assertThat(big.exit()).isEqualTo(2);
        assertThat(big.err().strip()).isEqualTo("migrator: plan file " + plan + " is 10000009 bytes; a plan file is at most "
                + "1048576 bytes (is it the right file?)");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5);
    }

    @Test
    void theSamePlanRunTwiceAtOnceExits2NamingTheHolderAndSwitchesOnce() throws Exception {
        Path src = dir.resolve("src");
        new LocalObjectStore(src).put("a/one", Content.of(new byte[100]), new ObjectMetadata("text/plain", null, null, null, Map.of()));
        Path plan = dir.resolve("exit.yaml");
        Path flag = dir.resolve("hook-started");
        Path switched = dir.resolve("switched");
        Files.writeString(plan, """
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{from: old, to: new}]
                hooks:
                  before-presync: {run: 'touch %s && sleep 4', timeout: 2m}
                  switch: {run: 'echo switched >> %s', timeout: 1m}
                """.formatted(src.toUri(), dir.resolve("dst").toUri(), flag, switched));
        Process first = new ProcessBuilder(javaCommand(List.of("run", plan.toString(), "-q")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile()).start();
        waitFor(() -> Files.exists(flag), first);
        CliRun second = CliRun.of("run", plan.toString(), "-q");
        assertThat(second.exit()).as(second.all()).isEqualTo(2);
        assertThat(second.err().strip()).startsWith("migrator: the state directory " + plan.toAbsolutePath() + ".state is in use "
                + "by another run (pid " + first.pid() + " on ").contains(": run " + plan + ")").doesNotContain("\n");
        assertThat(CliRun.of("status", plan.toString()).exit()).as("status reads without the lock").isZero();
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(Files.readString(dir.resolve("first.log"))).isZero();
        assertThat(Files.readAllLines(switched)).containsExactly("switched");
    }

    interface Condition {
        boolean met() throws Exception;
    }

    private static void waitFor(Condition c, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (c.met()) {
                return;
            }
            assertThat(p.isAlive()).as("the run ended before it could be killed").isTrue();
            Thread.sleep(20);
        }
        throw new AssertionError("the run did not get far enough in 90 s");
    }

    private static long count(Path file, String text) throws Exception {
        if (!Files.exists(file)) {
            return 0;
        }
        return Files.readAllLines(file).stream().filter(l -> l.contains(text)).count();
    }

    private static List<String> javaCommand(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return cmd;
    }
}
