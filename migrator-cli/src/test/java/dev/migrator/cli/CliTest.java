package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.local.LocalObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    Path dir;
    Path src;
    Path dst;
    String state;

    @BeforeEach
    void seed() {
        src = dir.resolve("src");
        dst = dir.resolve("dst");
        state = dir.resolve("state").toString();
        LocalObjectStore store = new LocalObjectStore(src);
        for (int i = 0; i < 20; i++) {
            store.put("photos/" + i + ".jpg", Content.of(new byte[1000 + i]),
                    new ObjectMetadata("image/jpeg", null, null, null, Map.of("n", "" + i)));
        }
        store.put("notes/ünïcode + space.txt", Content.of("hi".getBytes()), ObjectMetadata.EMPTY);
    }

    @Test
    void copyThenVerifyThenCopyAgainSkipsEverything() {
        CliRun copy = CliRun.of("copy", src.toString(), dst.toUri().toString(), "--state", state);
        assertThat(copy.exit()).as(copy.all()).isZero();
        assertThat(copy.out()).contains("Copied 21 objects").contains("failed 0").contains("Every object verified");

        CliRun verify = CliRun.of("verify", src.toString(), dst.toString());
        assertThat(verify.exit()).as(verify.all()).isZero();
        assertThat(verify.out()).contains("Identical: 21 objects");

        CliRun again = CliRun.of("copy", src.toString(), dst.toString(), "--state", state);
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("Copied 0 objects").contains("skipped 21");
    }

    @Test
    void jsonSummaryIsMachineReadable() throws Exception {
        CliRun copy = CliRun.of("copy", src.toString(), dst.toString(), "--json", "--state", state);
        assertThat(copy.exit()).isZero();
        JsonNode json = new ObjectMapper().readTree(copy.out());
        assertThat(json.get("objects").asLong()).isEqualTo(21);
        assertThat(json.get("bytes").asLong()).isEqualTo(20 * 1000 + 190 + 2);
        assertThat(json.get("skipped").asLong()).isZero();
        assertThat(json.get("failed").asLong()).isZero();
        assertThat(json.get("seconds").asDouble()).isPositive();
        assertThat(json.get("target").asText()).isEqualTo(dst.toUri().toString());

        CliRun verify = CliRun.of("verify", src.toString(), dst.toString(), "--json");
        assertThat(new ObjectMapper().readTree(verify.out()).get("identical").asBoolean()).isTrue();
    }

    @Test
    void verifyFindsADifferenceAndExits3() throws Exception {
        assertThat(CliRun.of("copy", src.toString(), dst.toString(), "-q", "--state", state).exit()).isZero();
        Files.write(dst.resolve("photos/3.jpg"), new byte[1003 + 1]);
        Files.delete(dst.resolve("photos/4.jpg"));
        CliRun verify = CliRun.of("verify", src.toString(), dst.toString());
        assertThat(verify.exit()).isEqualTo(3);
        assertThat(verify.out()).contains("CONTENT photos/3.jpg: size 1003 vs 1004")
                .contains("MISSING photos/4.jpg").contains("DIFFERENT").contains("2 differences");
    }

    @Test
    void aDifferentTargetObjectIsAConflictNotAnOverwrite() throws Exception {
        new LocalObjectStore(dst).put("photos/0.jpg", Content.of("mine".getBytes()), ObjectMetadata.EMPTY);
        CliRun copy = CliRun.of("copy", src.toString(), dst.toString(), "--state", state);
        assertThat(copy.exit()).as("partial").isEqualTo(4);
        assertThat(copy.err()).contains("FAILED").contains("'photos/0.jpg'").contains("--overwrite");
        assertThat(dst.resolve("photos/0.jpg")).hasContent("mine");

        CliRun forced = CliRun.of("copy", src.toString(), dst.toString(), "--overwrite", "--state", state);
        assertThat(forced.exit()).isZero();
        assertThat(forced.out()).contains("Copied 1 object ").contains("skipped 20");
    }

    @Test
    void anEmptySourceSaysSo() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        CliRun copy = CliRun.of("copy", dir.resolve("empty").toString(), dst.toString(), "--state", state);
        assertThat(copy.exit()).isZero();
        assertThat(copy.err()).contains("has no objects; nothing to copy");
    }

    @Test
    void dryRunChangesNothing() {
        CliRun dry = CliRun.of("copy", src.toString(), dst.toString(), "--dry-run");
        assertThat(dry.exit()).isZero();
        assertThat(dry.out()).contains("Dry run: would copy 21 objects");
        assertThat(dst).doesNotExist();
    }

    @Test
    void badInputIsOneClearLineAndExit2() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertBadInput(CliRun.of("copy", "ftp://host/x", dst.toString()), "unknown scheme 'ftp'");
        assertBadInput(CliRun.of("copy", src.toString(), file.toUri().toString()), "not a directory");
        assertBadInput(CliRun.of("copy", src.toString(), dst.toString(), "--transfers", "0"), "--transfers");
        assertBadInput(CliRun.of("copy", src.toString(), dst.toString(), "--part-size", "1M"), "at least 5 MiB");
        assertBadInput(CliRun.of("copy", src.toString(), dst.toString(), "--part-size", "lots"), "not a size");
        assertBadInput(CliRun.of("copy", src.toString()), "Missing required parameter");
        assertBadInput(CliRun.of("copy", src.toString(), src.resolve("photos").toString()), "overlap");
        assertBadInput(CliRun.of("verify", dir.resolve("nope").toString(), dst.toString()), "does not exist");
        assertBadInput(CliRun.of("copy", "s3://bucket with space/x", dst.toString()), "not a valid URI");
        assertBadInput(CliRun.of("copy", src.toString(), dst.toString(), "--transfers", "many"), "--transfers must be 'auto'");
        assertBadInput(CliRun.of("copy", src.toString(), dst.toString(), "--bwlimit", "fast"), "--bwlimit 'fast' is not a rate");
    }

    /** {@code --bwlimit} paces the copy: 2 MiB at 1 MiB/s take about 2 s (not less), and the copy verifies. */
    @Test
    void bwlimitPacesTheCopy() throws Exception {
        Path from = dir.resolve("bw-src");
        Files.createDirectories(from);
        byte[] bytes = new byte[2 * 1024 * 1024];
        new java.util.Random(3).nextBytes(bytes);
        Files.write(from.resolve("two-mib"), bytes);
        long start = System.nanoTime();
        CliRun run = CliRun.of("copy", from.toString(), dir.resolve("bw-dst").toString(), "--bwlimit", "1M/s", "-q");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("bw-dst/two-mib"))).isEqualTo(bytes);
        assertThat(seconds).as("2 MiB at 1 MiB/s (minus a 0.1 s burst)").isGreaterThan(1.8);
        assertThat(CliRun.of("copy", "--help").out()).contains("--bwlimit", "--transfers");
    }

    private static void assertBadInput(CliRun run, String expected) {
        assertThat(run.exit()).as(run.all()).isEqualTo(2);
        assertThat(run.err()).contains(expected).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void helpListsCommandsAndExitCodes() {
        CliRun help = CliRun.of("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("copy").contains("verify").contains("demo").contains("130");

        CliRun copyHelp = CliRun.of("copy", "--help");
        assertThat(copyHelp.exit()).isZero();
        assertThat(copyHelp.out()).contains("--overwrite").contains("--dry-run")
                .contains("s3://BUCKET").contains("gs://BUCKET").contains("file:///");
    }

    @Test
    void theDemoRunsItsStepsWithoutNamingTheTopCommand() throws Exception {
        // Main lists DemoCommand as a subcommand; the demo must not refer back to Main (a dependency cycle).
        try (var in = DemoCommand.class.getResourceAsStream("DemoCommand.class")) {
            String classFile = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(classFile).contains("picocli/CommandLine").doesNotContain("dev/migrator/cli/Main");
        }
    }

    @Test
    void sharedOptionsComeFromOneMixinEach() {
        // --json, --quiet, --state and --retries read the same in every command that has them.
        for (String[] command : new String[][] {{"copy"}, {"verify"}, {"bundle", "create"}, {"bundle", "verify"}, {"bundle", "restore"}}) {
            CliRun help = CliRun.of(java.util.stream.Stream.concat(java.util.Arrays.stream(command), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new));
            assertThat(help.exit()).as(help.all()).isZero();
            assertThat(help.out().replaceAll("\\s+", " ")).as(String.join(" ", command)).contains("Print a JSON document on stdout instead of text.")
                    .contains("No progress display.").contains("Attempts per operation on throttling, resets and 5xx.");
        }
        for (String[] command : new String[][] {{"copy"}, {"bundle", "create"}, {"bundle", "restore"}}) {
            CliRun help = CliRun.of(java.util.stream.Stream.concat(java.util.Arrays.stream(command), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new));
            assertThat(help.out().replaceAll("\\s+", " ")).as(String.join(" ", command)).contains("--state=DIR").contains("Where resumable state is kept");
        }
    }
}
