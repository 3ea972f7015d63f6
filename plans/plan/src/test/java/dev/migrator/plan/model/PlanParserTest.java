package dev.migrator.plan.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PlanParserTest {
    static final String GOOD = """
            name: exit
            deadline: 6h
            sources:
              media: {uri: 'file:///old/media', objects: 1000, size: 2GiB, stream: 40MiB/s, requests: 50/s}
            targets:
              new: file:///new/media
            moves:
              - from: media
                to: new
                include: [avatars/, media/]
                exclude: media/tmp/
                shards: 4
                delta: 2%
            limits: {concurrency: 3, attempts: 5, backoff: 1s}
            hooks:
              freeze: "echo freeze"
              switch:
                - {name: dns, run: "echo dns", timeout: 30s}
            drill:
              targets: {new: 'file:///scratch/media'}
              deadline: 1h
            """;

    @Test
    void readsAWellFormedPlan() {
        Plan p = PlanParser.parse(Path.of("exit.yaml"), GOOD);
        assertThat(p.name()).isEqualTo("exit");
        assertThat(p.deadlineIn()).isEqualTo(Duration.ofHours(6));
        Location media = p.location("media");
        assertThat(media.bytes()).isEqualTo(2L << 30);
        assertThat(media.objects()).isEqualTo(1000);
        assertThat(media.figures().stream()).isEqualTo(40L << 20);
        assertThat(media.figures().latency()).isEqualTo(1 / 50.0); // requests: 50/s is 20 ms a request
        Move m = p.moves().get(0);
        assertThat(m.name()).isEqualTo("media");
        assertThat(m.include()).containsExactly("avatars/", "media/");
        assertThat(m.exclude()).containsExactly("media/tmp/");
        assertThat(m.shards()).isEqualTo(4);
        assertThat(m.delta()).isEqualTo(0.02);
        assertThat(p.limits().concurrency()).isEqualTo(3);
        assertThat(p.hooks()).extracting(Hook::name).containsExactly("freeze-1", "dns");
        assertThat(p.drill().targets()).containsEntry("new", "file:///scratch/media");
        assertThat(p.drill().hooks()).isFalse();
    }

    @Test
    void anUnknownKeySaysWhereAndWhatIsAllowed() {
        assertError(GOOD.replace("    shards: 4", "    shard: 4"), "exit.yaml:12:5: unknown key 'shard' in a move; expected one of",
                "shards");
    }

    @Test
    void aBadSizeSaysWhatASizeLooksLike() {
        assertError(GOOD.replace("size: 2GiB", "size: lots"), "exit.yaml:4:58: size 'lots': expected a size such as 512MiB");
    }

    @Test
    void anUnknownSourceListsTheKnownOnes() {
        assertError(GOOD.replace("  - from: media", "  - from: medai"), "exit.yaml:8:11: unknown source 'medai'; expected one of [media]");
    }

    @Test
    void brokenYamlIsLocatedToo() {
        assertError(GOOD.replace("include: [avatars/, media/]", "include: [avatars/, media/"), "exit.yaml:", "not valid YAML");
    }

    @Test
    void aMissingSectionSaysWhatIsExpected() {
        assertError("sources: {a: 'file:///a'}\ntargets: {b: 'file:///b'}\n", "exit.yaml:1:1: missing 'moves': expected a list of moves");
    }

    @Test
    void aDurationThatIsNot() {
        assertError(GOOD.replace("deadline: 6h", "deadline: soon"), "exit.yaml:2:11: deadline 'soon' is neither a duration");
    }

    @Test
    void anUnknownSchemeIsBadInputAtTheUri() {
        assertError(GOOD.replace("new: file:///new/media", "new: ftp://host/x"), "exit.yaml:6:8: unknown scheme 'ftp'");
    }

    @Test
    void aDrillMustCoverEveryTargetAndNotBeTheTargetItself() {
        assertError(GOOD.replace("targets: {new: 'file:///scratch/media'}", "targets: {new: 'file:///new/media'}"),
                "is the real target; a drill needs a scratch location");
    }

    @Test
    void credentialsInAUriAreNotRepeatedInErrors() {
        String bad = GOOD.replace("new: file:///new/media", "new: 'ftp://u:hunter2@host/x'");
        assertThatThrownBy(() -> PlanParser.parse(Path.of("exit.yaml"), bad)).hasMessageNotContaining("hunter2");
    }

    @Test
    void aDuplicateKeyIsAnErrorAtTheSecondOne() {
        assertError(GOOD.replace("  new: file:///new/media", "  new: file:///new/media\n  new: file:///other"),
                "exit.yaml:7:3: a second 'new' in targets; each key may appear once (the first is at exit.yaml:6:3)");
        assertError(GOOD.replace("    to: new\n", "    to: new\n    to: new\n"), "exit.yaml:10:5: a second 'to' in a move");
        assertError(GOOD.replace("sources:\n", "sources:\n  media: file:///elsewhere\n"), "a second 'media' in sources");
    }

    @Test
    void deepNestingIsRefusedBeforeTheComposerOverflows() {
        String deep = "name: " + "[".repeat(1500) + "]".repeat(1500) + "\n";
        assertError(deep, "exit.yaml:1:", "nested more than 64 levels deep");
        String block = new StringBuilder("moves:\n").append(String.join("", java.util.Collections.nCopies(1500, "- "))).append("x\n")
                .toString();
        assertError(block, "nested more than 64 levels deep");
    }

    @Test
    void aHugeFileIsRefusedQuicklyAndAHugeScalarIsNotEchoed(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String big = "name: '" + "x".repeat(10_000_000) + "'\n";
        long t0 = System.nanoTime();
        assertError(big, "exit.yaml:1:1: the plan is 10000009 characters; a plan file is at most 1048576");
        Path file = dir.resolve("big.yaml");
        java.nio.file.Files.writeString(file, big);
        assertThatThrownBy(() -> PlanParser.parse(file)).isInstanceOf(MigratorException.class)
                .hasMessageContaining("big.yaml is 10000009 bytes; a plan file is at most 1048576 bytes");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5);
        // Under the cap, a long scalar where a number belongs is quoted short.
        assertError(GOOD.replace("shards: 4", "shards: " + "9".repeat(500_000)), "shards '", "...");
    }

    @Test
    void binaryGarbageIsOneLineNamingTheFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("garbage.yaml");
        byte[] b = new byte[4096];
        new java.util.Random(1).nextBytes(b);
        java.nio.file.Files.write(file, b);
        assertThatThrownBy(() -> PlanParser.parse(file)).isInstanceOfSatisfying(MigratorException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(e.getMessage()).isEqualTo("plan file " + file + " is not UTF-8 text (is it the right file?)");
        });
        // Valid UTF-8 with control characters is YAML's to refuse, at a place.
        java.nio.file.Files.write(file, new byte[] {'a', ':', ' ', 1, 2, 3, 0, '\n'});
        assertThatThrownBy(() -> PlanParser.parse(file)).isInstanceOf(MigratorException.class)
                .hasMessageContaining(file + ":1:").hasMessageNotContaining("\n");
    }

    // --- pver begin
    @Test
    void versionsAreLatestByDefaultAllOrAPointInTime() {
        assertThat(PlanParser.parse(Path.of("exit.yaml"), GOOD).moves().get(0).versions()).isEqualTo(Move.Versions.LATEST);
        Move all = PlanParser.parse(Path.of("exit.yaml"), GOOD.replace("    delta: 2%", "    delta: 2%\n    versions: all"))
                .moves().get(0);
        assertThat(all.versions().all()).isTrue();
        assertThat(all.versions().at()).isNull();
        Move at = PlanParser.parse(Path.of("exit.yaml"), GOOD.replace("    delta: 2%",
                "    delta: 2%\n    versions-at: '2026-11-30T13:00:00+01:00'")).moves().get(0);
        assertThat(at.versions()).isEqualTo(new Move.Versions(false, java.time.Instant.parse("2026-11-30T12:00:00Z")));
        assertThat(PlanParser.parse(Path.of("exit.yaml"), GOOD.replace("    delta: 2%", "    delta: 2%\n    versions: Latest"))
                .moves().get(0).versions()).isEqualTo(Move.Versions.LATEST);
    }

    @Test
    void badVersionsSayWhatToWrite() {
        assertError(GOOD.replace("    delta: 2%", "    delta: 2%\n    versions: every"),
                "exit.yaml:14:15: versions 'every': expected latest", "or all");
        assertError(GOOD.replace("    delta: 2%", "    delta: 2%\n    versions-at: yesterday"),
                "exit.yaml:14:18: versions-at 'yesterday': expected an ISO-8601 time with a zone, e.g. 2026-11-30T12:00:00Z");
        assertError(GOOD.replace("    delta: 2%", "    delta: 2%\n    versions-at: 2026-11-30T12:00:00"),
                "versions-at '2026-11-30T12:00:00': expected an ISO-8601 time with a zone");
        assertError(GOOD.replace("    delta: 2%", "    delta: 2%\n    versions: all\n    versions-at: 2026-11-30T12:00:00Z"),
                "exit.yaml:15:18: 'versions: all' and 'versions-at' exclude each other", "remove one");
        assertError(GOOD.replace("    delta: 2%", "    delta: 2%\n    versions: all\n    delete-extraneous: true"),
                "exit.yaml:15:24: 'delete-extraneous' does not go with 'versions: all'");
        assertError(GOOD.replace("    delta: 2%", "    delta: 2%\n    versions: all\n    archived: skip"),
                "exit.yaml:15:15: 'archived: skip' acts on the latest objects and does not go with 'versions'");
        assertError(GOOD.replace("    include: [avatars/, media/]\n    exclude: media/tmp/\n    shards: 4\n", "")
                        .replace("    delta: 2%", "    via: bundle\n    staging: file:///stage\n    versions: all"),
                "'versions' is for via direct moves");
    }
    // --- pver end

    private static void assertError(String yaml, String... parts) {
        assertThatThrownBy(() -> PlanParser.parse(Path.of("exit.yaml"), yaml))
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).doesNotContain("\n");
                    for (String p : parts) {
                        assertThat(e.getMessage()).contains(p);
                    }
                });
    }
}
