package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.local.LocalObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same key set as {@link ListingMergeTest}: keys i % 3 == 2 are only at the target, i % 3 == 1 only at the source. */
class PrunerTest {
    @TempDir
    Path dir;

    static List<String> keys(ObjectStore store) {
        try (Stream<ObjectInfo> s = store.list("")) {
            return s.map(ObjectInfo::key).toList();
        }
    }

    /** The target's keys with the extraneous ones in {@code selection} removed. */
    static List<String> afterPruning(List<String> target, List<String> source, Selection selection) {
        List<String> out = new ArrayList<>();
        for (String k : target) {
            if (!selection.contains(k) || source.contains(k)) {
                out.add(k);
            }
        }
        return out;
    }

    static List<String> extraneous(List<String> target, List<String> source, Selection selection) {
        List<String> out = new ArrayList<>(target);
        out.removeAll(afterPruning(target, source, selection));
        return out;
    }

    Pruner.Summary prune(ObjectStore source, ObjectStore target, Selection selection, boolean dryRun, List<String> told) {
        return new Pruner(source, target, selection, dryRun, CopierTest.FAST, Progress.NONE,
                (o, dry) -> told.add(o.key())).run();
    }

    @Test
    void deletesExactlyTheExtraneousKeysOfTheSelectionAndNothingElse() {
        for (Selection selection : ListingMergeTest.SELECTIONS) {
            Path d = dir.resolve("case-" + ListingMergeTest.SELECTIONS.indexOf(selection));
            LocalObjectStore source = new LocalObjectStore(d.resolve("src"));
            LocalObjectStore target = new LocalObjectStore(d.resolve("dst"));
            ListingMergeTest.seed(source, target);
            List<String> sourceBefore = keys(source);
            List<String> targetBefore = keys(target);
            List<String> expected = extraneous(targetBefore, sourceBefore, selection);

            List<String> told = new ArrayList<>();
            Pruner.Summary s = prune(source, target, selection, false, told);

            assertThat(keys(target)).as(selection.toString()).containsExactlyElementsOf(
                    afterPruning(targetBefore, sourceBefore, selection));
            assertThat(told).as("each delete reported, in key order").containsExactlyElementsOf(expected);
            assertThat(s.deleted()).isEqualTo(expected.size());
            assertThat(s.kept()).isEqualTo(targetBefore.stream().filter(selection::contains).count() - expected.size());
            assertThat(s.interrupted()).isFalse();
            assertThat(keys(source)).as("the source is never touched").isEqualTo(sourceBefore);
            // Pruned once, nothing is left to prune.
            assertThat(prune(source, target, selection, false, new ArrayList<>()).deleted()).isZero();
        }
    }

    @Test
    void theWholeStoreWithoutSelectionLeavesTheTargetEqualToTheSource() {
        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        LocalObjectStore target = new LocalObjectStore(dir.resolve("dst"));
        ListingMergeTest.seed(source, target);
        Pruner.Summary s = prune(source, target, Selection.ALL, false, new ArrayList<>());
        assertThat(s.deleted()).isEqualTo(ListingMergeTest.KEYS.size() / 3);
        assertThat(s.deletedBytes()).isPositive();
        List<String> shared = new ArrayList<>();
        for (int i = 0; i < ListingMergeTest.KEYS.size(); i += 3) {
            shared.add(ListingMergeTest.KEYS.get(i));
        }
        shared.sort(Keys.ORDER);
        assertThat(keys(target)).containsExactlyElementsOf(shared);
    }

    @Test
    void aDryRunCountsButDeletesNothing() {
        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        LocalObjectStore target = new LocalObjectStore(dir.resolve("dst"));
        ListingMergeTest.seed(source, target);
        List<String> before = keys(target);
        List<String> told = new ArrayList<>();
        Pruner.Summary s = prune(source, target, Selection.ALL, true, told);
        assertThat(s.dryRun()).isTrue();
        assertThat(s.deleted()).isEqualTo(ListingMergeTest.KEYS.size() / 3);
        assertThat(told).hasSize((int) s.deleted());
        assertThat(keys(target)).isEqualTo(before);
    }

    @Test
    void cancelStopsAfterTheDeleteInProgress() {
        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        LocalObjectStore target = new LocalObjectStore(dir.resolve("dst"));
        ListingMergeTest.seed(source, target);
        List<String> before = keys(target);
        AtomicReference<Pruner> pruner = new AtomicReference<>();
        List<String> told = Collections.synchronizedList(new ArrayList<>());
        pruner.set(new Pruner(source, target, Selection.ALL, false, CopierTest.FAST, Progress.NONE, (o, dry) -> {
            told.add(o.key());
            pruner.get().cancel();
        }));
        Pruner.Summary s = pruner.get().run();
        assertThat(s.interrupted()).isTrue();
        assertThat(s.deleted()).isEqualTo(1);
        assertThat(keys(target)).hasSize(before.size() - 1).doesNotContain(told.get(0));
    }

    @Test
    void anAbsentSourceDeletesNothingAndAnAbsentTargetHasNothingToPrune() {
        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        LocalObjectStore target = new LocalObjectStore(dir.resolve("dst"));
        ListingMergeTest.seed(source, target);
        List<String> before = keys(target);
        LocalObjectStore absent = new LocalObjectStore(dir.resolve("gone"));
        assertThatThrownBy(() -> prune(absent, target, Selection.ALL, false, new ArrayList<>()))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(keys(target)).isEqualTo(before);
        assertThat(prune(source, absent, Selection.ALL, false, new ArrayList<>()).deleted()).isZero();
    }

    @Test
    void overlappingStoresAreRefusedBeforeAnythingIsDeleted() {
        LocalObjectStore outer = new LocalObjectStore(dir.resolve("src"));
        LocalObjectStore inner = new LocalObjectStore(dir.resolve("src/sub"));
        ListingMergeTest.seed(outer, inner);
        List<String> before = keys(outer);
        assertThatThrownBy(() -> prune(inner, outer, Selection.ALL, false, new ArrayList<>()))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT));
        assertThat(keys(outer)).isEqualTo(before);
    }

    @Test
    void prunesAnS3TargetWithinItsSelection() throws Exception {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("dst");
            try (ObjectStore target = Stores.openAdapter(s3.s3Uri("dst", ""), StoreOptions.DEFAULTS)) {
                LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
                ListingMergeTest.seed(ListingMergeTest.S3_KEYS, source, target);
                Selection selection = ListingMergeTest.SELECTIONS.get(1); // under a/, media/, not media/keep/
                List<String> sourceKeys = keys(source);
                List<String> before = keys(target);
                List<String> told = new ArrayList<>();
                Pruner.Summary s = prune(source, target, selection, false, told);
                assertThat(told).isNotEmpty().containsExactlyElementsOf(extraneous(before, sourceKeys, selection));
                assertThat(s.deleted()).isEqualTo(told.size());
                assertThat(keys(target)).containsExactlyElementsOf(afterPruning(before, sourceKeys, selection))
                        .contains("media/keep/3", "z");
            }
        }
    }
}
