package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.transfer.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crashes, retries, refusals: create resumes, a failed part is retried alone, nothing is overwritten. */
class BundleFailureTest {
    static final Retry FAST = new Retry(4, Duration.ofMillis(1), Duration.ofMillis(5));

    @TempDir
    Path dir;

    /** The adapter itself, without the retry layer: the tests wrap it in InjectingStore and count every attempt. */
    ObjectStore local(String name) {
        return Stores.openAdapter(dir.resolve(name).toUri().toString(), StoreOptions.DEFAULTS);
    }

    BundleOptions options() {
        return new BundleOptions(1024 * 1024, 2, 4, 3, 2, dir.resolve("state"), FAST);
    }

    @Test
    void aFailedPartIsRetriedAlone() {
        try (ObjectStore source = local("src"); ObjectStore raw = local("bundle")) {
            Map<String, byte[]> seeded = Seed.objects(source);
            String second = BundleLayout.partName("s1", 2);
            InjectingStore target = new InjectingStore(raw, (key, attempt) -> key.equals(second) && attempt == 1
                    ? MigratorException.retryable("injected: connection reset while uploading " + key, null) : null);
            BundleRef ref = new BundleWriter(target, options(), Progress.NONE).create(List.of(new BundleSource.Objects(source)));
            assertThat(ref.parts()).isGreaterThanOrEqualTo(3);
            assertThat(target.puts(second)).isEqualTo(2);
            for (int n = 1; n <= ref.parts(); n++) {
                if (n != 2) {
                    assertThat(target.puts(BundleLayout.partName("s1", n))).as("part %d", n).isEqualTo(1);
                }
            }
            assertThat(BundleReader.open(raw).verify(Progress.NONE).intact()).isTrue();
            assertThat(ref.entries()).isEqualTo(seeded.size());
        }
    }

    @Test
    void createResumesAfterACrashKeepingFinishedParts() {
        try (ObjectStore source = local("src"); ObjectStore raw = local("bundle"); ObjectStore restored = local("restored")) {
            Map<String, byte[]> seeded = Seed.objects(source);
            // 1 MiB parts: part 1 holds the small objects, 2-5 the four pieces of launch.mp4, 6-8 the three of
            // teaser.mp4. A crash at part 7 keeps 1-5; part 6 (a first piece) is made again with the rest.
            String seventh = BundleLayout.partName("s1", 7);
            InjectingStore crashing = new InjectingStore(raw, (key, attempt) -> key.equals(seventh)
                    ? new MigratorException(ErrorCode.FAILED, "injected crash while uploading " + key) : null);
            assertThatThrownBy(() -> new BundleWriter(crashing, options(), Progress.NONE).create(List.of(new BundleSource.Objects(source))))
                    .hasMessageContaining("injected crash");
            assertThat(raw.stat(BundleLayout.SUMS)).as("an interrupted bundle is not marked complete").isEmpty();
            assertThat(raw.stat(BundleLayout.partName("s1", 1))).isPresent();

            InjectingStore counting = new InjectingStore(raw, (key, attempt) -> null);
            BundleRef ref = new BundleWriter(counting, options(), Progress.NONE).create(List.of(new BundleSource.Objects(source)));
            assertThat(ref.parts()).isEqualTo(9);
            assertThat(ref.resumed()).isEqualTo(5);
            for (int n = 1; n <= 5; n++) {
                assertThat(counting.puts(BundleLayout.partName("s1", n))).as("part %d", n).isZero();
            }
            for (int n = 6; n <= 9; n++) {
                assertThat(counting.puts(BundleLayout.partName("s1", n))).as("part %d", n).isEqualTo(1);
            }
            assertThat(ref.entries()).isEqualTo(seeded.size());

            BundleReader reader = BundleReader.open(raw);
            assertThat(reader.verify(Progress.NONE).damage()).isEmpty();
            reader.restore(Map.of("s1", new RestoreTarget.Objects(restored)), RestoreOptions.defaults(), Progress.NONE);
            BundleRoundTripTest.assertIdentical(source, restored, seeded.size());
        }
    }

    @Test
    void createRefusesANonEmptyTargetAndAFinishedBundle() {
        try (ObjectStore source = local("src"); ObjectStore target = local("bundle")) {
            Seed.objects(source);
            target.put("someone-elses.txt", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
            assertThatThrownBy(() -> new BundleWriter(target, options(), Progress.NONE).create(List.of(new BundleSource.Objects(source))))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                    .hasMessageContaining("is not empty").hasMessageContaining("someone-elses.txt");
            target.delete("someone-elses.txt");
            new BundleWriter(target, options(), Progress.NONE).create(List.of(new BundleSource.Objects(source)));
            assertThatThrownBy(() -> new BundleWriter(target, options(), Progress.NONE).create(List.of(new BundleSource.Objects(source))))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                    .hasMessageContaining("already a bundle");
        }
    }

    @Test
    void restoreNeverOverwritesDifferentDataUnlessTold() throws Exception {
        try (ObjectStore source = local("src"); ObjectStore bundle = local("bundle"); ObjectStore target = local("target")) {
            Map<String, byte[]> seeded = Seed.objects(source);
            new BundleWriter(bundle, options(), Progress.NONE).create(List.of(new BundleSource.Objects(source)));
            byte[] theirs = "the new host's own index".getBytes();
            target.put("index.html", Content.of(theirs), ObjectMetadata.EMPTY);

            RestoreSummary s = BundleReader.open(bundle).restore(Map.of("s1", new RestoreTarget.Objects(target)), RestoreOptions.defaults(), Progress.NONE);
            assertThat(s.conflicts()).isEqualTo(1);
            assertThat(s.restored()).isEqualTo(seeded.size() - 1);
            assertThat(s.problems()).singleElement().asString().contains("index.html").contains("--overwrite");
            assertThat(Files.readAllBytes(dir.resolve("target/index.html"))).isEqualTo(theirs);

            RestoreSummary forced = BundleReader.open(bundle).restore(Map.of("s1", new RestoreTarget.Objects(target)),
                    new RestoreOptions(4, true, FAST), Progress.NONE);
            assertThat(forced.restored()).isEqualTo(1);
            assertThat(forced.skipped()).isEqualTo(seeded.size() - 1);
            BundleRoundTripTest.assertIdentical(source, target, seeded.size());
        }
    }
}
