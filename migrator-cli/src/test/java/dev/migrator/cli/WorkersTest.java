package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.plan.shared.StoreState;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.provider.local.LocalObjectStore;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code migrator worker} processes run one plan with its state on S3 (S3Proxy, If-None-Match: *); one is
 * {@code kill -9}ed in the middle of a copy shard and a replacement with the same index is started. The plan must
 * finish with the target identical to the source, every unit done once, the freeze and switch hooks run once each,
 * and the objects copied twice bounded by what was in flight at the kill.
 */
class WorkersTest {
    static final int OBJECTS = 600;
    static final int SHARDS = 6;
    static final int PARALLELISM = 2;

    @TempDir
    Path dir;

    @Test
    void threeWorkersFinishAPlanWhenOneIsKilledMidShardAndReplaced() throws Exception {
        Path src = dir.resolve("src");
        LocalObjectStore source = new LocalObjectStore(src);
        Random random = new Random(13);
        for (int i = 0; i < OBJECTS; i++) {
            byte[] data = new byte[1024 + random.nextInt(4096)];
            random.nextBytes(data);
            source.put(String.format("media/%05d.jpg", i), Content.of(data),
                    new ObjectMetadata("image/jpeg", null, null, null, Map.of("i", "" + i)));
        }
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("target");
            s3.createBucket("state");
            String target = s3.s3Uri("target", "");
            String stateUri = s3.s3Uri("state", "run1");
            Path freezeLog = dir.resolve("freeze.log");
            Path switchLog = dir.resolve("switch.log");
            Path plan = dir.resolve("plan.yaml");
            Files.writeString(plan, """
                    name: workers
                    deadline: 1h
                    sources:
                      old: {uri: '%s', bandwidth: 256KiB/s}
                    targets:
                      new: '%s'
                    moves:
                      - name: media
                        from: old
                        to: new
                        shards: %d
                        parallelism: %d
                    limits: {concurrency: 2, attempts: 2, backoff: 100ms}
                    hooks:
                      freeze: [{name: read-only, run: 'echo frozen >> %s', timeout: 10s}]
                      switch: [{name: dns, run: 'echo switched >> %s', timeout: 10s}]
                    """.formatted(src.toUri(), target, SHARDS, PARALLELISM, freezeLog, switchLog));

            // The source's bandwidth (per worker) keeps a ~300 KB shard running for about a second after its first
            // journal upload however fast the machine, so the kill lands mid-shard (unlimited, CI saw a shard finish first).
            List<Process> workers = new ArrayList<>();
            String victimStep;
            Set<String> atTargetAtKill = new HashSet<>();
            try {
            for (int i = 0; i < 3; i++) {
                workers.add(worker(plan, stateUri, i, "w" + i));
            }
            Process victim = workers.get(1);
            try (StoreState state = StoreState.open(stateUri)) {
                victimStep = waitForJournalUpload(state, victim, dir.resolve("w1.log"));
                victim.destroyForcibly(); // SIGKILL: no shutdown hook, the lease is left to expire
                assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(victim.exitValue()).isEqualTo(137);
                try (ObjectStore t = Stores.open(target, StoreOptions.DEFAULTS); Stream<ObjectInfo> listed = t.list("")) {
                    listed.forEach(o -> atTargetAtKill.add(o.key()));
                }
            }
            Process replacement = worker(plan, stateUri, 1, "w1-again");
            workers.set(1, replacement);
            for (int i = 0; i < workers.size(); i++) {
                Process p = workers.get(i);
                assertThat(p.waitFor(600, TimeUnit.SECONDS)).as("worker " + i + " finishes").isTrue();
                assertThat(p.exitValue()).as(log(i == 1 ? "w1-again" : "w" + i)).isZero();
            }
            } finally {
                workers.forEach(Process::destroyForcibly); // none may outlive the test (and its S3 server)
            }

            // Every unit is done exactly once in the state; the taken-over shard was finished by a later generation.
            ObjectMapper json = new ObjectMapper();
            try (StoreState state = StoreState.open(stateUri)) {
                JsonNode frozen = json.readTree(state.read("plan.json").orElseThrow());
                List<String> steps = new ArrayList<>();
                frozen.path("steps").forEach(s -> steps.add(s.path("id").asText()));
                List<String> done = state.list("done/").stream().map(n -> URLDecoder.decode(n, StandardCharsets.UTF_8)).toList();
                assertThat(done).containsExactlyInAnyOrderElementsOf(steps);
                assertThat(state.list("failed/")).isEmpty();
                JsonNode record = json.readTree(state.read("done/" + java.net.URLEncoder.encode(victimStep, StandardCharsets.UTF_8))
                        .orElseThrow());
                assertThat(record.path("generation").asInt()).as("taken over: " + record).isGreaterThanOrEqualTo(1);
                long copied = record.path("result").path("objects").asLong();
                long skipped = record.path("result").path("skipped").asLong();
                long shard = copied + skipped;
                long alreadyThere = atTargetAtKill.stream().filter(k -> inShard(frozen, victimStep, k)).count();
                assertThat(alreadyThere).as("killed mid-shard").isPositive().isLessThan(shard);
                long copiedTwice = copied - (shard - alreadyThere);
                System.out.printf("taken-over shard %s: %d objects, %d at the target at the kill, %d copied by the"
                        + " replacement, %d skipped (journal or identical), %d copied twice%n", victimStep, shard, alreadyThere,
                        copied, skipped, copiedTwice);
                assertThat(copiedTwice).as("objects copied twice are at most those in flight").isBetween(0L, (long) PARALLELISM);

                CliRun status = CliRun.of("status", plan.toString(), "--state", stateUri);
                assertThat(status.exit()).as(status.all()).isZero();
                assertThat(status.out()).contains(steps.size() + " of " + steps.size() + " steps done").contains("(taken over)");
            }
            assertThat(Files.readAllLines(freezeLog)).as("the freeze hook runs once").containsExactly("frozen");
            assertThat(Files.readAllLines(switchLog)).as("the switch hook runs once").containsExactly("switched");
            CliRun verify = CliRun.of("verify", src.toString(), target);
            assertThat(verify.exit()).as(verify.all()).isZero();
        }
    }

    @Test
    void runWithTwoLocalWorkersOnAFolderGivesTheUsualReportAndExitCode() throws Exception {
        Path src = dir.resolve("src");
        LocalObjectStore source = new LocalObjectStore(src);
        for (int i = 0; i < 40; i++) {
            source.put("k/" + i, Content.of(("object " + i).getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
        }
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, """
                name: local-workers
                deadline: 1h
                sources:
                  old: '%s'
                targets:
                  new: '%s'
                moves:
                  - {name: k, from: old, to: new, shards: 4, parallelism: 2}
                """.formatted(src.toUri(), dir.resolve("dst").toUri()));
        Path state = dir.resolve("shared-state");
        CliRun run = CliRun.of("run", plan.toString(), "--workers", "2", "--state", state.toUri().toString(), "-q");
        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.out()).contains("verify steps found source and target identical").contains("report.md");
        assertThat(Files.exists(state.resolve("report.json"))).isTrue();
        JsonNode report = new ObjectMapper().readTree(state.resolve("report.json").toFile());
        assertThat(report.toString()).contains("run by 2 workers");
        assertThat(CliRun.of("verify", src.toString(), dir.resolve("dst").toString()).exit()).isZero();
        CliRun again = CliRun.of("run", plan.toString(), "--workers", "2", "--state", state.toUri().toString(), "-q");
        assertThat(again.exit()).as("a finished run: nothing left, same report: " + again.all()).isZero();
    }

    private static boolean inShard(JsonNode frozen, String step, String key) {
        for (JsonNode s : frozen.path("steps")) {
            if (s.path("id").asText().equals(step)) {
                JsonNode sel = s.path("params").path("selection");
                String from = sel.path("from").asText(null);
                String to = sel.path("to").asText(null);
                return (from == null || key.compareTo(from) >= 0) && (to == null || key.compareTo(to) < 0);
            }
        }
        throw new AssertionError("no step " + step);
    }

    private Process worker(Path plan, String state, int index, String name) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "worker", plan.toString(), "--state", state, "--index", "" + index, "--workers", "3", "--lease", "10s",
                "--journal-sync", "200ms", "-q"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
    }

    private String log(String name) throws Exception {
        return Files.readString(dir.resolve(name + ".log"));
    }

    /** Waits until the victim holds a copy shard whose object journal has been uploaded; returns the step's id. */
    private static String waitForJournalUpload(StoreState state, Process victim, Path log) throws Exception {
        String me = ":" + victim.pid() + "#";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        ObjectMapper json = new ObjectMapper();
        while (System.nanoTime() < deadline) {
            assertThat(victim.isAlive()).as("the victim ended before it could be killed: " + Files.readString(log)).isTrue();
            for (String unit : state.list("claims/")) {
                String u = unit.substring(0, unit.indexOf('/'));
                String id = URLDecoder.decode(u, StandardCharsets.UTF_8);
                JsonNode claim = json.readTree(state.read("claims/" + unit).orElseThrow());
                if (claim.path("holder").asText().contains(me) && id.contains("/copy") && state.read("done/" + u).isEmpty()
                        && state.read("journals/" + u + "/copy-journal").map(b -> b.length > 200).orElse(false)) {
                    return id;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the victim never held a copy shard with an uploaded journal: " + Files.readString(log)
                + "\nstate: " + state.list(""));
    }
}
