package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.transfer.Progress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore into an empty local folder writes without a stat per object and makes everything durable in one
 * sync at the end, with a marker in its state directory meanwhile. What a power loss before that sync could
 * leave (an object of ours truncated, another missing, the marker still there) is repaired by the same
 * restore; without the marker the same difference is a conflict, left alone.
 */
class RestoreDurabilityTest {
    @TempDir
    Path dir;

    @Test
    void deferredSyncLeavesNoMarkerAndAPowerLossIsRepairedByTheSameRestore() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/a"));
        Random random = new Random(11);
        for (int i = 0; i < 40; i++) {
            byte[] data = new byte[1000 + random.nextInt(20000)];
            random.nextBytes(data);
            Files.write(src.resolve(String.format("f-%02d.bin", i)), data);
        }
        Path restored = dir.resolve("restored");
        Path state = dir.resolve("state");
        try (ObjectStore source = Stores.open(dir.resolve("src").toUri().toString(), StoreOptions.DEFAULTS);
             ObjectStore bundle = Stores.open(dir.resolve("bundle").toUri().toString(), StoreOptions.DEFAULTS);
             ObjectStore target = Stores.open(restored.toUri().toString(), StoreOptions.DEFAULTS)) {
            new BundleWriter(bundle, BundleRoundTripTest.small(dir.resolve("create-state")), Progress.NONE)
                    .create(List.of(new BundleSource.Objects(source)));
            BundleReader reader = BundleReader.open(bundle);
            RestoreOptions options = new RestoreOptions(4, false, Retry.DEFAULT, state);
            Map<String, RestoreTarget> to = Map.of("s1", new RestoreTarget.Objects(target));

            RestoreSummary first = reader.restore(to, options, Progress.NONE);
            assertThat(first.restored()).isEqualTo(40);
            BundleRoundTripTest.assertIdentical(source, target, 40);
            assertThat(state).as("marker and lock are gone once everything is durable").doesNotExist();

            // What a power loss between the writes and the final sync may leave: the marker, one object of ours
            // truncated to nothing (its name was durable, its bytes not), another one missing.
            Files.createDirectories(state);
            Files.writeString(state.resolve("unsynced-s1"), target.displayUri(), StandardCharsets.UTF_8);
            Files.write(restored.resolve("a/f-07.bin"), new byte[0]);
            Files.delete(restored.resolve("a/f-08.bin"));

            RestoreSummary again = reader.restore(to, options, Progress.NONE);
            assertThat(again.conflicts()).isZero();
            assertThat(again.restored()).isEqualTo(2);
            assertThat(again.skipped()).isEqualTo(38);
            BundleRoundTripTest.assertIdentical(source, target, 40);
            assertThat(state).doesNotExist();

            // Without the marker, a different object at the target is someone else's: a conflict, not replaced.
            Files.write(restored.resolve("a/f-07.bin"), new byte[0]);
            RestoreSummary foreign = reader.restore(to, options, Progress.NONE);
            assertThat(foreign.conflicts()).isEqualTo(1);
            assertThat(foreign.restored()).isZero();
            assertThat(Files.size(restored.resolve("a/f-07.bin"))).isZero();
        }
    }

    /**
     * Objects go into an empty local target directly under their final names (no temporary file, no stat): O_EXCL is
     * what keeps that safe. An object another writer puts there after the target was found empty is found taken, then
     * compared: a conflict, left as it is, not written over.
     */
    @Test
    void anObjectThatAppearsAfterTheTargetWasFoundEmptyIsAConflictNotOverwritten() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/a"));
        for (int i = 0; i < 10; i++) {
            Files.writeString(src.resolve("f-" + i), "ours " + i);
        }
        Path restored = dir.resolve("restored");
        try (ObjectStore source = Stores.open(dir.resolve("src").toUri().toString(), StoreOptions.DEFAULTS);
             ObjectStore bundle = Stores.open(dir.resolve("bundle").toUri().toString(), StoreOptions.DEFAULTS);
             ObjectStore target = Stores.open(restored.toUri().toString(), StoreOptions.DEFAULTS)) {
            new BundleWriter(bundle, BundleRoundTripTest.small(dir.resolve("create-state")), Progress.NONE)
                    .create(List.of(new BundleSource.Objects(source)));
            // The other writer: puts its own a/f-5 once the restore has read that entry, before it is written.
            Progress racing = new Progress() {
                @Override
                public void listed(dev.migrator.provider.ObjectInfo object) {
                    if (object.key().equals("a/f-5")) {
                        try {
                            Files.writeString(restored.resolve("a/f-5"), "theirs");
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
            };
            RestoreSummary summary = BundleReader.open(bundle).restore(Map.of("s1", new RestoreTarget.Objects(target)),
                    new RestoreOptions(2, false, Retry.DEFAULT, dir.resolve("state")), racing);
            assertThat(summary.conflicts()).isEqualTo(1);
            assertThat(summary.restored()).isEqualTo(9);
            assertThat(summary.problems()).singleElement().asString().contains("a/f-5").contains("left alone");
            assertThat(restored.resolve("a/f-5")).hasContent("theirs");
            assertThat(restored.resolve("a/f-6")).hasContent("ours 6");
            assertThat(dir.resolve("state")).as("everything of ours is durable").doesNotExist();
        }
    }

    @Test
    void keysOutOfOrderInAFreshTargetAreLookedUp() {
        BundleRestorer.Writes writes = new BundleRestorer.Writes(true, false, null, null, null);
        assertThat(writes.mustLook("a")).isFalse();
        assertThat(writes.mustLook("b")).isFalse();
        assertThat(writes.mustLook("b")).as("the same key again could overwrite the first").isTrue();
        assertThat(writes.mustLook("a")).isTrue();
        assertThat(writes.mustLook("c")).isFalse();
        assertThat(new BundleRestorer.Writes(false, false, null, null, null).mustLook("z")).isTrue();
    }
}
