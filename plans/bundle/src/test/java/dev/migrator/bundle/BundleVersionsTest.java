package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.gcs.GcsTestServer;
import dev.migrator.transfer.Progress;
import dev.migrator.transfer.Selection;
import dev.migrator.transfer.VersionVerifier;
import dev.migrator.transfer.VerifyReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bundles of a versioned bucket's history and of its bucket settings, through the real Google client against
 * {@link GcsTestServer}'s versioned buckets (generations, {@code versions=true} listings) and bucket settings.
 */
class BundleVersionsTest {
    static final Retry FAST = BundleFailureTest.FAST;

    @TempDir
    Path dir;

    private GcsTestServer gcs;
    private byte[] big;

    @BeforeEach
    void history() throws InterruptedException {
        gcs = GcsTestServer.start();
        gcs.enableVersioning("src");
        gcs.enableVersioning("dst");
        gcs.createBucket("plain");
        big = new byte[1536 * 1024]; // larger than a 1 MiB part: an old version in pieces
        new Random(14).nextBytes(big);
        try (ObjectStore src = open("src")) {
            put(src, "a", "a-one");
            put(src, "a", "a-two!");
            src.delete("a");
            src.put("c", Content.of(big), ObjectMetadata.EMPTY);
            put(src, "b", "b-one");
            put(src, "a", "a-three");
            put(src, "c", "c-two");
        }
    }

    @AfterEach
    void stop() {
        gcs.close();
    }

    @Test
    void aHistoryWithADeleteMarkerRoundTripsOnceAndAnUnversionedTargetIsRefused() {
        try (ObjectStore src = open("src"); ObjectStore bundle = local("bundle"); ObjectStore dst = open("dst"); ObjectStore plain = open("plain")) {
            BundleRef ref = new BundleWriter(bundle, options(), Progress.NONE).create(List.of(new BundleSource.Objects(src, true, false)));
            assertThat(ref.entries()).as("4 entries of a, 2 of c, 1 of b").isEqualTo(7);
            BundleReader reader = BundleReader.open(bundle);
            Manifest.Header header = reader.inspect();
            assertThat(header.version()).isEqualTo(3);
            assertThat(header.sources().get(0).hasHistory()).isTrue();
            assertThat(manifestLines()).anySatisfy(l -> assertThat(l).contains("\"path\":\"s1/%v/00003-deleted/a\"")
                            .contains("\"deleteMarker\":true").contains("\"size\":0"))
                    .anySatisfy(l -> assertThat(l).contains("\"path\":\"s1/a\"").contains("\"latest\":true").contains("\"versionId\":"))
                    .anySatisfy(l -> assertThat(l).contains("\"path\":\"s1/%v/00001/c%piece-00002\""));
            assertThat(reader.verify(Progress.NONE).intact()).isTrue();

            assertThatThrownBy(() -> restore(bundle, plain, RestoreOptions.Versions.AS_BUNDLED, false, "s-plain"))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining("target gs://plain").hasMessageContaining("does not keep object versions")
                    .hasMessageContaining("--versions latest");
            assertThat(history("plain")).as("nothing written before the refusal").isEmpty();

            RestoreSummary first = restore(bundle, dst, RestoreOptions.Versions.AS_BUNDLED, false, "s1");
            assertThat(first.restored()).isEqualTo(7);
            assertThat(first.conflicts()).as(first.problems().toString()).isZero();
            assertThat(history("dst")).containsExactly("a=a-one", "a=a-two!", "a deleted", "a=a-three", "b=b-one", "c=" + big.length + " bytes",
                    "c=c-two");
            VerifyReport same = new VersionVerifier(src, dst, 2, FAST, Progress.NONE, Selection.ALL).run();
            assertThat(same.differenceCount()).as(same.differences().toString()).isZero();

            RestoreSummary again = restore(bundle, dst, RestoreOptions.Versions.AS_BUNDLED, false, "s1");
            assertThat(again.restored()).isZero();
            assertThat(again.skipped()).isEqualTo(7);
            assertThat(history("dst")).as("a second restore adds no version").hasSize(7);

            RestoreSummary latest = restore(bundle, plain, RestoreOptions.Versions.LATEST, false, "s-latest");
            assertThat(latest.restored()).isEqualTo(3);
            assertThat(history("plain")).containsExactly("a=a-three", "b=b-one", "c=c-two");
        }
    }

    @Test
    void aResumedRestoreAddsOnlyTheMissingVersionsAndAnotherHistoryIsAConflict() {
        gcs.enableVersioning("other");
        try (ObjectStore src = open("src"); ObjectStore bundle = local("bundle"); ObjectStore dst = open("dst");
             ObjectStore other = open("other")) {
            new BundleWriter(bundle, options(), Progress.NONE).create(List.of(new BundleSource.Objects(src, true, false)));
            put(dst, "a", "a-one"); // as if a restore had stopped after a's first version
            put(dst, "a", "a-two!");
            dst.delete("a");
            RestoreSummary resumed = restore(bundle, dst, RestoreOptions.Versions.AS_BUNDLED, false, "s1");
            assertThat(resumed.skipped()).isEqualTo(3);
            assertThat(resumed.restored()).isEqualTo(4);
            assertThat(history("dst")).containsExactly("a=a-one", "a=a-two!", "a deleted", "a=a-three", "b=b-one", "c=" + big.length + " bytes",
                    "c=c-two");

            put(dst, "a", "stray"); // a version the bundle does not have, after its history
            RestoreSummary extra = restore(bundle, dst, RestoreOptions.Versions.AS_BUNDLED, false, "s1");
            assertThat(extra.restored()).isZero();
            assertThat(extra.conflicts()).isEqualTo(1);
            assertThat(extra.problems()).singleElement().asString().startsWith("CONFLICT a: after the restore gs://dst")
                    .contains("it holds 5 versions, the bundle 4");

            put(other, "a", "not a-one");
            RestoreSummary conflict = restore(bundle, other, RestoreOptions.Versions.AS_BUNDLED, false, "s2");
            assertThat(conflict.conflicts()).isEqualTo(1);
            assertThat(conflict.problems()).singleElement().asString().startsWith("CONFLICT a: gs://other")
                    .contains("holds another history (version 1");
            assertThat(history("other")).as("nothing more of a; b and c whole").containsExactly("a=not a-one", "b=b-one",
                    "c=" + big.length + " bytes", "c=c-two");
        }
    }

    @Test
    void withoutHistoryOrSettingsABundleStaysVersion2AndRestoresIntoAVersionedBucket() {
        try (ObjectStore src = open("src"); ObjectStore bundle = local("bundle"); ObjectStore dst = open("dst")) {
            new BundleWriter(bundle, options(), Progress.NONE).create(List.of(new BundleSource.Objects(src)));
            assertThat(BundleReader.open(bundle).inspect().version()).isEqualTo(2);
            assertThat(manifestLines()).noneMatch(l -> l.contains("versionId") || l.contains("%v"));
            RestoreSummary s = restore(bundle, dst, RestoreOptions.Versions.AS_BUNDLED, false, "s1");
            assertThat(s.restored()).isEqualTo(3);
            assertThat(history("dst")).containsExactly("a=a-three", "b=b-one", "c=c-two");
            assertThatThrownBy(() -> restore(bundle, dst, RestoreOptions.Versions.ALL, false, "s1"))
                    .hasMessageContaining("was bundled without its version history");
        }
    }

    @Test
    void bucketSettingsRoundTripAndEnableVersioningBeforeTheHistoryIsWritten() {
        gcs.createBucket("fresh");
        try (ObjectStore src = open("src"); ObjectStore bundle = local("bundle"); ObjectStore fresh = open("fresh")) {
            src.bucketSettings().orElseThrow().apply(new BucketSettings(
                    List.of(new BucketSettings.Cors(List.of("https://app.example"), List.of("PUT"), List.of(), List.of("ETag"), 300)),
                    List.of(new BucketSettings.Lifecycle("tmp", true, "tmp/", 2, null, null, null)),
                    new BucketSettings.Website("index.html", "404.html"), BucketSettings.Versioning.ENABLED, Map.of(), null, List.of()));
            new BundleWriter(bundle, options(), Progress.NONE).create(List.of(new BundleSource.Objects(src, true, true)));
            Manifest.Header header = BundleReader.open(bundle).inspect();
            assertThat(header.version()).isEqualTo(3);
            assertThat(header.sources().get(0).bucketSettings().cors()).singleElement()
                    .satisfies(c -> assertThat(c.origins()).containsExactly("https://app.example"));

            RestoreSummary s = restore(bundle, fresh, RestoreOptions.Versions.AS_BUNDLED, true, "s1");
            assertThat(s.conflicts()).isZero();
            BucketSettings now = fresh.bucketSettings().orElseThrow().read();
            assertThat(now.versioning()).isEqualTo(BucketSettings.Versioning.ENABLED);
            assertThat(now.website().errorDocument()).isEqualTo("404.html");
            assertThat(now.lifecycle()).singleElement().satisfies(l -> assertThat(l.expireDays()).isEqualTo(2));
            assertThat(now.cors()).singleElement().satisfies(c -> assertThat(c.methods()).containsExactly("PUT"));
            assertThat(s.actions()).as("what GCS cannot take is left to the operator").isNotNull();
            assertThat(history("fresh")).hasSize(7);

            try (ObjectStore disk = local("disk")) {
                assertThatThrownBy(() -> restore(bundle, disk, RestoreOptions.Versions.LATEST, true, "s-disk"))
                        .hasMessageContaining("has no bucket settings to set; drop the option");
            }
        }
    }

    @Test
    void aCreateResumedAfterACrashInsideAHistoryKeepsOnlyPartsThatEndWithAWholeHistory() {
        // 1 MiB parts: 1 holds a's four entries and b, 2 and 3 the two pieces of c's first version, 4 c's second.
        // Part 3 ends inside c's history, so a crash at part 4 keeps part 1 only, and c is bundled again whole.
        String fourth = BundleLayout.partName("s1", 4);
        try (ObjectStore src = open("src"); ObjectStore raw = local("bundle"); ObjectStore dst = open("dst")) {
            InjectingStore crashing = new InjectingStore(raw, (key, attempt) -> key.equals(fourth)
                    ? new MigratorException(ErrorCode.FAILED, "injected crash while uploading " + key) : null);
            assertThatThrownBy(() -> new BundleWriter(crashing, options(), Progress.NONE)
                    .create(List.of(new BundleSource.Objects(src, true, false)))).hasMessageContaining("injected crash");
            BundleRef ref = new BundleWriter(raw, options(), Progress.NONE).create(List.of(new BundleSource.Objects(src, true, false)));
            assertThat(ref.resumed()).isEqualTo(1);
            assertThat(ref.entries()).isEqualTo(7);
            assertThat(BundleReader.open(raw).verify(Progress.NONE).intact()).isTrue();
            restore(raw, dst, RestoreOptions.Versions.AS_BUNDLED, false, "s1");
            assertThat(history("dst")).containsExactly("a=a-one", "a=a-two!", "a deleted", "a=a-three", "b=b-one", "c=" + big.length + " bytes",
                    "c=c-two");
        }
    }

    @Test
    void aTamperedVersionListIsReportedByVerifyAndRefusedByRestore() throws IOException {
        try (ObjectStore src = open("src"); ObjectStore bundle = local("bundle"); ObjectStore dst = open("dst")) {
            new BundleWriter(bundle, options(), Progress.NONE).create(List.of(new BundleSource.Objects(src, true, false)));
            // a's current version no longer says it is the latest: its history would have no end.
            Path manifest = dir.resolve("bundle").resolve(BundleLayout.MANIFEST);
            String text = Files.readString(manifest);
            String tampered = text.replaceFirst(",\"latest\":true", "");
            assertThat(tampered).isNotEqualTo(text);
            Files.writeString(manifest, tampered);
            BundleCheck check = BundleReader.open(bundle).verify(Progress.NONE);
            assertThat(check.intact()).isFalse();
            assertThat(check.damage().toString()).contains("history of 'a'").contains("no entry of it is marked latest");
        }
    }

    @Test
    void aNewerVersionThanThisReaderKnowsIsRefusedNamingBothVersions() throws IOException {
        try (ObjectStore src = open("src"); ObjectStore bundle = local("bundle")) {
            new BundleWriter(bundle, options(), Progress.NONE).create(List.of(new BundleSource.Objects(src, true, false)));
            Path manifest = dir.resolve("bundle").resolve(BundleLayout.MANIFEST);
            Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"version\":3", "\"version\":4"));
            assertThatThrownBy(() -> BundleReader.open(bundle).inspect())
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageEndingWith("is a version 4 bundle; this migrator reads up to version 3; use a newer migrator");
        }
    }

    @Test
    void aPointInTimeIsBundledAsThatDaysObjectsInAVersion2Bundle() throws Exception {
        gcs.enableVersioning("past");
        java.time.Instant then;
        try (ObjectStore past = open("past")) {
            put(past, "x", "x-one");
            Thread.sleep(5);
            then = java.time.Instant.now();
            Thread.sleep(5);
            put(past, "x", "x-two");
            put(past, "y", "y-one");
        }
        try (ObjectStore past = open("past"); ObjectStore bundle = local("bundle"); ObjectStore disk = local("disk")) {
            new BundleWriter(bundle, options(), Progress.NONE).create(List.of(new BundleSource.Objects(
                    dev.migrator.transfer.PointInTime.of(past, then))));
            assertThat(BundleReader.open(bundle).inspect().version()).isEqualTo(2);
            restore(bundle, disk, RestoreOptions.Versions.AS_BUNDLED, false, "s1");
            assertThat(Files.readString(dir.resolve("disk").resolve("x"))).isEqualTo("x-one");
            assertThat(dir.resolve("disk").resolve("y")).as("written after that time").doesNotExist();
        }
    }

    @Test
    void byHandTheDocumentedStepsGiveTheCurrentObjectsUnderTheirKeysAndTheOlderVersionsUnderPercentV() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(HandRestoreTest.has("tar") && HandRestoreTest.has("zstd") && HandRestoreTest.has("jq"),
                "GNU tar, zstd and jq are needed for the restore-by-hand test; skipped");
        Path bundleDir = dir.resolve("bundle");
        try (ObjectStore src = open("src"); ObjectStore bundle = local("bundle")) {
            new BundleWriter(bundle, options(), Progress.NONE).create(List.of(new BundleSource.Objects(src, true, false)));
        }
        Path out = Files.createDirectories(dir.resolve("by-hand"));
        try (var list = Files.list(bundleDir.resolve("data"))) {
            for (Path part : list.sorted().toList()) {
                assertThat(HandRestoreTest.run(out, "tar", "-I", "zstd", "-xf", part.toString())).isEmpty();
            }
        }
        HandRestoreTest.run(out, "bash", "-c", HandRestoreTest.JOIN_PIECES);
        assertThat(Files.readString(out.resolve("s1/a"))).isEqualTo("a-three");
        assertThat(Files.readString(out.resolve("s1/%v/00001/a"))).isEqualTo("a-one");
        assertThat(Files.readString(out.resolve("s1/%v/00002/a"))).isEqualTo("a-two!");
        assertThat(out.resolve("s1/%v/00003-deleted/a")).isEmptyFile();
        assertThat(Files.readAllBytes(out.resolve("s1/%v/00001/c"))).isEqualTo(big);
        assertThat(Files.readString(out.resolve("s1/c"))).isEqualTo("c-two");

        Path record = dir.resolve("uploaded");
        String recorder = "aws() { [ -f \"$8\" ] || return 1; printf '%s=%s\\n' \"$6\" \"$(cat \"$8\")\" >> '" + record + "'; }\n";
        String loop = HandRestoreTest.documentedKeyLoop().replace("/path/to/bundle/", bundleDir + "/");
        assertThat(HandRestoreTest.run(out, "bash", "-c", "set -o pipefail\n" + recorder + loop)).doesNotContain("FAILED");
        assertThat(Files.readAllLines(record)).as("the documented loop uploads each key's current object only")
                .containsExactly("a=a-three", "b=b-one", "c=c-two");
    }

    private RestoreSummary restore(ObjectStore bundle, ObjectStore target, RestoreOptions.Versions versions, boolean settings, String state) {
        return BundleReader.open(bundle).restore(Map.of("s1", new RestoreTarget.Objects(target)),
                new RestoreOptions(2, false, FAST, dir.resolve(state), versions, settings), Progress.NONE);
    }

    private BundleOptions options() {
        return new BundleOptions(1024 * 1024, 2, 4, 3, 1, dir.resolve("create-state"), FAST);
    }

    private List<String> manifestLines() {
        try {
            return Files.readAllLines(dir.resolve("bundle").resolve(BundleLayout.MANIFEST));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectStore open(String bucket) {
        return Stores.open("gs://" + bucket + "?endpoint=" + gcs.endpoint(), StoreOptions.DEFAULTS);
    }

    private ObjectStore local(String name) {
        return Stores.open(dir.resolve(name).toUri().toString(), StoreOptions.DEFAULTS);
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
