package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code copy/verify --versions all} and {@code --versions-at} end to end, through the real Google client against
 * {@link GcsTestServer}'s versioned buckets (generations, {@code versions=true} listings, {@code timeDeleted}).
 */
class VersionsCliTest {
    @TempDir
    Path dir;

    private GcsTestServer gcs;
    /** Between a's second version and its deletion. */
    private Instant beforeDelete;

    @BeforeEach
    void history() throws InterruptedException {
        gcs = GcsTestServer.start();
        gcs.enableVersioning("src");
        gcs.enableVersioning("dst");
        gcs.createBucket("plain");
        try (ObjectStore src = open("src")) {
            put(src, "a", "a-one");
            Thread.sleep(5);
            put(src, "a", "a-two!");
            Thread.sleep(5);
            beforeDelete = Instant.now();
            Thread.sleep(5);
            src.delete("a");
            Thread.sleep(5);
            put(src, "b", "b-one");
            Thread.sleep(5);
            put(src, "a", "a-three");
        }
    }

    @AfterEach
    void stop() {
        gcs.close();
    }

    @Test
    void allRecreatesTheHistoryOnceAndVerifyNamesAnExtraVersion() {
        String state = dir.resolve("state").toString();
        CliRun refused = CliRun.of("copy", uri("src"), uri("plain"), "--versions", "all", "--state", state);
        assertThat(refused.exit()).as(refused.all()).isEqualTo(2);
        assertThat(refused.err()).contains("target gs://plain").contains("does not keep object versions")
                .contains("gcloud storage buckets update gs://NAME --versioning").doesNotContain("Exception");
        try (ObjectStore plain = open("plain"); Stream<?> objects = plain.list("")) {
            assertThat(objects.count()).as("nothing written before the refusal").isZero();
        }

        CliRun copy = CliRun.of("copy", uri("src"), uri("dst"), "--versions", "all", "--state", state);
        assertThat(copy.exit()).as(copy.all()).isZero();
        assertThat(history("dst")).containsExactly("a=a-one", "a=a-two!", "a deleted", "a=a-three", "b=b-one");

        CliRun again = CliRun.of("copy", uri("src"), uri("dst"), "--versions", "all", "--state", state);
        assertThat(again.exit()).as(again.all()).isZero();
        assertThat(again.out()).contains("Copied 0 objects").contains("skipped 5");
        assertThat(history("dst")).as("a second run adds no version").hasSize(5);

        CliRun same = CliRun.of("verify", uri("src"), uri("dst"), "--versions", "all");
        assertThat(same.exit()).as(same.all()).isZero();
        assertThat(same.out()).contains("Identical: 5 objects in the source");

        try (ObjectStore dst = open("dst")) {
            put(dst, "a", "stray");
        }
        CliRun different = CliRun.of("verify", uri("src"), uri("dst"), "--versions", "all");
        assertThat(different.exit()).as(different.all()).isEqualTo(3);
        assertThat(different.out()).containsPattern("EXTRA a: version 5 of 5, written \\S+, 5 bytes \\(target version id \\d+\\)");
    }

    @Test
    void aResumedCopyAddsOnlyTheMissingVersions() {
        try (ObjectStore dst = open("dst")) {
            put(dst, "a", "a-one"); // as if a run had stopped after the first version
        }
        CliRun copy = CliRun.of("copy", uri("src"), uri("dst"), "--versions", "all", "--state", dir.resolve("s").toString());
        assertThat(copy.exit()).as(copy.all()).isZero();
        assertThat(copy.out()).contains("Copied 4 objects").contains("skipped 1");
        assertThat(history("dst")).containsExactly("a=a-one", "a=a-two!", "a deleted", "a=a-three", "b=b-one");
    }

    @Test
    void versionsAtCopiesAndVerifiesThePastState() throws IOException {
        Path out = dir.resolve("then");
        CliRun copy = CliRun.of("copy", uri("src"), out.toString(), "--versions-at", beforeDelete.toString(),
                "--state", dir.resolve("state").toString());
        assertThat(copy.exit()).as(copy.all()).isZero();
        assertThat(Files.readString(out.resolve("a"))).isEqualTo("a-two!");
        assertThat(out.resolve("b")).as("written after that time").doesNotExist();
        CliRun verify = CliRun.of("verify", uri("src"), out.toString(), "--versions-at", beforeDelete.toString());
        assertThat(verify.exit()).as(verify.all()).isZero();
        CliRun now = CliRun.of("verify", uri("src"), out.toString());
        assertThat(now.exit()).as("today's state differs").isEqualTo(3);

        CliRun bad = CliRun.of("copy", uri("src"), out.toString(), "--versions-at", "yesterday");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--versions-at 'yesterday' is not an ISO-8601 time").doesNotContain("Exception");
        CliRun local = CliRun.of("copy", out.toString(), dir.resolve("x").toString(), "--versions-at", beforeDelete.toString());
        assertThat(local.exit()).isEqualTo(2);
        assertThat(local.err()).contains("does not keep object versions");
    }

    private String uri(String bucket) {
        return "gs://" + bucket + "?endpoint=" + gcs.endpoint();
    }

    private ObjectStore open(String bucket) {
        return Stores.open(uri(bucket), StoreOptions.DEFAULTS);
    }

    private static void put(ObjectStore store, String key, String text) {
        store.put(key, Content.of(text.getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
    }

    private List<String> history(String bucket) {
        try (ObjectStore store = open(bucket)) {
            return dev.migrator.testkit.Histories.lines(store, "");
        }
    }
}
