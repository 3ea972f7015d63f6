package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Content;
import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.local.LocalObjectStore;
import dev.migrator.testkit.ObjectStoreContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopierTest {
    static final Retry FAST = new Retry(5, Duration.ofMillis(1), Duration.ofMillis(5));
    static final ObjectMetadata META = new ObjectMetadata("image/jpeg", null, "max-age=3600",
            "inline", Map.of("uploader", "alice"));

    @TempDir
    Path dir;
    LocalObjectStore source;
    LocalObjectStore target;

    @BeforeEach
    void seed() {
        source = new LocalObjectStore(dir.resolve("src"));
        target = new LocalObjectStore(dir.resolve("dst"));
        for (String key : ObjectStoreContract.AWKWARD_KEYS) {
            source.put(key, Content.of(("data of " + key).getBytes(StandardCharsets.UTF_8)), META);
        }
        source.put("big.bin", Content.of(new byte[3 * 1024 * 1024]), ObjectMetadata.EMPTY);
        source.put("empty", Content.of(new byte[0]), ObjectMetadata.EMPTY);
    }

    CopyOptions options(boolean overwrite, boolean dryRun) {
        return new CopyOptions(4, overwrite, dryRun, dir.resolve("state/journal"), FAST);
    }

    CopySummary copy(ObjectStore from, ObjectStore to, CopyOptions o) {
        return new Copier(from, to, o, Progress.NONE).run();
    }

    VerifyReport verify() {
        return new Verifier(source, target, 4, FAST, Progress.NONE).run();
    }

    static byte[] bytesOf(ObjectStore store, String key) {
        try (var in = store.open(key, 0, -1)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    int sourceCount() {
        return ObjectStoreContract.AWKWARD_KEYS.size() + 2;
    }

    @Test
    void copiesEverythingVerifiedAndSkipsItOnTheSecondRun() {
        CopySummary first = copy(source, target, options(false, false));
        assertThat(first.ok()).isTrue();
        assertThat(first.copied()).isEqualTo(sourceCount());
        assertThat(first.copiedBytes()).isGreaterThan(3 * 1024 * 1024);
        assertThat(verify().identical()).isTrue();
        assertThat(dir.resolve("state/journal")).as("journal removed after a complete run").doesNotExist();

        CopySummary second = copy(source, target, options(false, false));
        assertThat(second.copied()).isZero();
        assertThat(second.skipped()).isEqualTo(sourceCount());
    }

    @Test
    void neverOverwritesADifferentObjectUnlessTold() {
        target.put("big.bin", Content.of("precious".getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
        CopySummary summary = copy(source, target, options(false, false));
        assertThat(summary.failed()).isEqualTo(1);
        assertThat(summary.failures()).singleElement().satisfies(f -> {
            assertThat(f.key()).isEqualTo("big.bin");
            assertThat(f.code()).isEqualTo("CONFLICT");
            assertThat(f.message()).contains("--overwrite");
        });
        assertThat(target.stat("big.bin").orElseThrow().size()).isEqualTo(8);

        CopySummary forced = copy(source, target, options(true, false));
        assertThat(forced.ok()).isTrue();
        assertThat(verify().identical()).isTrue();
    }

    @Test
    void metadataDifferenceIsAConflictToo() {
        target.put("empty", Content.of(new byte[0]), META);
        CopySummary summary = copy(source, target, options(false, false));
        assertThat(summary.failures()).singleElement().satisfies(f -> assertThat(f.message()).contains("content-type"));
    }

    @Test
    void dryRunWritesNothing() {
        CopySummary summary = copy(source, target, options(false, true));
        assertThat(summary.dryRun()).isTrue();
        assertThat(summary.copied()).isEqualTo(sourceCount());
        assertThat(dir.resolve("dst")).doesNotExist();
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @Test
    void survivesRetryableFaultsWithEveryByteVerified() {
        FlakyStore flakySource = new FlakyStore(source);
        FlakyStore flakyTarget = new FlakyStore(target);
        flakySource.statFailures.set(3);
        flakySource.readDeaths.set(4);
        flakySource.corruptReads.set(2);
        flakySource.listDeathAfter.set(5);
        flakySource.listWithoutMetadata = true;
        flakyTarget.putFailures.set(3);
        flakyTarget.statFailures.set(2);

        CopySummary summary = copy(flakySource, flakyTarget, options(false, false));
        assertThat(summary.failures()).isEmpty();
        assertThat(summary.copied()).isEqualTo(sourceCount());
        assertThat(summary.retries()).isGreaterThanOrEqualTo(flakySource.injected.get() + flakyTarget.injected.get() - 2);
        assertThat(flakySource.injected.get() + flakyTarget.injected.get()).isGreaterThanOrEqualTo(10);
        assertThat(verify().identical()).isTrue();
    }

    @Test
    void aSourceThatKeepsCorruptingFailsThatObjectOnly() {
        FlakyStore flakySource = new FlakyStore(source);
        flakySource.corruptReads.set(1000);
        CopySummary summary = copy(flakySource, target, options(false, false));
        // Every object is read through the corrupting stream; none may be stored as verified.
        assertThat(summary.copied()).isEqualTo(1); // the empty object has no byte to flip
        assertThat(summary.failed()).isEqualTo(sourceCount() - 1);
        assertThat(summary.failures()).allSatisfy(f -> assertThat(f.code()).isEqualTo("INTEGRITY"));
    }

    @Test
    void resumesFromTheJournalWithoutCopyingFinishedObjectsAgain() throws Exception {
        // A first run that finished some objects, then "crashed": its journal is left behind.
        Path journalFile = dir.resolve("state/journal");
        try (Journal journal = Journal.open(journalFile); Stream<ObjectInfo> all = source.list("")) {
            all.limit(5).forEach(o -> {
                target.put(o.key(), Content.of(bytesOf(source, o.key())), o.metadata());
                journal.markDone(o, target.stat(o.key()).orElseThrow().checksums().md5());
            });
        }
        assertThat(Files.readAllLines(journalFile)).hasSize(6);
        FlakyStore countingTarget = new FlakyStore(target);
        CopySummary summary = copy(source, countingTarget, options(false, false));
        assertThat(summary.skipped()).isEqualTo(5);
        assertThat(summary.copied()).isEqualTo(sourceCount() - 5);
        assertThat(verify().identical()).isTrue();
    }

    @Test
    void aJournaledObjectMissingFromTheTargetIsCopiedAgain() {
        Path journalFile = dir.resolve("state/journal");
        try (Journal journal = Journal.open(journalFile); Stream<ObjectInfo> all = source.list("")) {
            all.forEach(o -> journal.markDone(o, o.checksums().md5()));
        }
        CopySummary summary = copy(source, target, options(false, false));
        assertThat(summary.copied()).isEqualTo(sourceCount());
        assertThat(verify().identical()).isTrue();
    }

    @Test
    void aStateLocationThatIsAFileIsAClearError() throws Exception {
        Path file = Files.writeString(dir.resolve("state-file"), "not a directory");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Journal.open(file.resolve("copy-1/journal")))
                .isInstanceOfSatisfying(dev.migrator.provider.MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(dev.migrator.provider.ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("state-file").containsIgnoringCase("not a directory").contains("--state");
                });
    }

    @Test
    void journalIgnoresATornLastLine() throws Exception {
        Path journalFile = dir.resolve("j");
        ObjectInfo o = source.stat("empty").orElseThrow();
        try (Journal journal = Journal.open(journalFile)) {
            journal.markDone(o, Fidelity.EMPTY_MD5);
        }
        Files.writeString(journalFile, "d41d8cd98f00b204e9800998ecf8427e\t0\tmd5:d4", java.nio.file.StandardOpenOption.APPEND);
        try (Journal journal = Journal.open(journalFile)) {
            assertThat(journal.resumedCount()).isEqualTo(1);
            assertThat(journal.isDone(o)).isTrue();
        }
    }

    @Test
    void aKeyRangeCopiesAndVerifiesOnlyItsKeysAndStopsListingAtItsEnd() {
        LocalObjectStore letters = new LocalObjectStore(dir.resolve("letters"));
        for (char c = 'a'; c <= 'z'; c++) {
            letters.put(c + ".txt", Content.of(("letter " + c).getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
        }
        CountingList counted = new CountingList(letters);
        Selection shard = Selection.ALL.range("c", "f");
        CopySummary copied = new Copier(counted, target, new CopyOptions(2, false, false, null, FAST, shard), Progress.NONE).run();

        assertThat(copied.ok()).isTrue();
        try (Stream<ObjectInfo> listed = target.list("")) {
            assertThat(listed.map(ObjectInfo::key)).containsExactly("c.txt", "d.txt", "e.txt");
        }
        // a..f (f.txt shows the range is over) plus at most the readers' look-ahead: never the rest of the alphabet.
        assertThat(counted.listed).isBetween(6, 8);

        counted.listed = 0;
        VerifyReport same = new Verifier(counted, target, 2, FAST, Progress.NONE, shard).run();
        assertThat(same.identical()).as(same.toString()).isTrue();
        assertThat(same.compared()).isEqualTo(3);
        assertThat(counted.listed).isBetween(6, 8);
    }

    @Test
    void bitRotAtALocalTargetIsFoundByVerifyAndRepairedOnlyWithOverwrite() throws Exception {
        assertThat(copy(source, target, options(false, false)).ok()).isTrue();
        // Flip one byte of the copy and put its mtime back: same size, same mtime, other bytes.
        Path file = dir.resolve("dst/big.bin");
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(file);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), 1_000_000);
        }
        Files.setLastModifiedTime(file, mtime);

        VerifyReport report = verify();
        assertThat(report.differences()).singleElement().satisfies(d -> {
            assertThat(d.key()).isEqualTo("big.bin");
            assertThat(d.kind()).isEqualTo(Difference.Kind.CONTENT);
        });

        CopySummary refused = copy(source, target, options(false, false));
        assertThat(refused.failures()).singleElement().satisfies(f -> {
            assertThat(f.key()).isEqualTo("big.bin");
            assertThat(f.code()).isEqualTo("CONFLICT");
        });
        assertThat(bytesOf(target, "big.bin")[1_000_000]).isEqualTo((byte) 1);

        CopySummary repaired = copy(source, target, options(true, false));
        assertThat(repaired.ok()).isTrue();
        assertThat(repaired.copied()).isEqualTo(1);
        assertThat(bytesOf(target, "big.bin")).isEqualTo(new byte[3 * 1024 * 1024]);
        assertThat(verify().identical()).isTrue();
    }

    @Test
    void aSymlinkInTheTargetIsNeverWrittenThrough() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.createDirectories(dir.resolve("dst"));
        Files.createSymbolicLink(dir.resolve("dst/link"), elsewhere);
        LocalObjectStore from = new LocalObjectStore(dir.resolve("from"));
        from.put("link/x.txt", Content.of("x".getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
        from.put("other.txt", Content.of("o".getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);

        // By default the target's listing already stops at the link, naming it.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> copy(from, target, options(false, false)))
                .isInstanceOfSatisfying(dev.migrator.provider.MigratorException.class,
                        e -> assertThat(e.getMessage()).contains("symbolic link 'link'").contains("?links=skip"));
        // With links skipped in the listing, the write itself refuses the link.
        LocalObjectStore skipping = new LocalObjectStore(dir.resolve("dst"), LocalObjectStore.Links.SKIP);
        CopySummary summary = copy(from, skipping, options(true, false));
        assertThat(summary.copied()).isEqualTo(1);
        assertThat(summary.failures()).singleElement().satisfies(f -> {
            assertThat(f.key()).isEqualTo("link/x.txt");
            assertThat(f.code()).isEqualTo("CONFLICT");
            assertThat(f.message()).contains("symbolic link").contains(elsewhere.toString());
        });
        try (Stream<Path> outside = Files.list(elsewhere)) {
            assertThat(outside).isEmpty();
        }
    }

    @Test
    void aSymlinkedAliasOfTheSourceIsRefusedAsTargetByCopyAndVerify() throws Exception {
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), dir.resolve("src"));
        for (LocalObjectStore aliasTarget : java.util.List.of(new LocalObjectStore(alias), new LocalObjectStore(alias.resolve("sub")))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> copy(source, aliasTarget, options(false, false)))
                    .isInstanceOfSatisfying(dev.migrator.provider.MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(dev.migrator.provider.ErrorCode.BAD_INPUT);
                        assertThat(e.getMessage()).contains("source").contains(aliasTarget.displayUri());
                    });
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Verifier(source, aliasTarget, 2, FAST, Progress.NONE).run())
                    .isInstanceOfSatisfying(dev.migrator.provider.MigratorException.class,
                            e -> assertThat(e.code()).isEqualTo(dev.migrator.provider.ErrorCode.BAD_INPUT));
        }
        try (Stream<Path> files = Files.walk(dir.resolve("src"))) {
            assertThat(files.filter(p -> p.toString().contains("sub"))).as("nothing written into the source").isEmpty();
        }
        // A source inside the target is refused the same way.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> copy(source, new LocalObjectStore(dir), options(false, true)))
                .hasMessageContaining("overlap");
    }

    @Test
    void theSameCopyStartedTwiceOnOneStateDirectoryIsRefusedWhileTheFirstRuns() throws Exception {
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        FlakyStore slowSource = new FlakyStore(source) {
            @Override
            public java.io.InputStream open(String key, long offset, long length) {
                reading.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.open(key, offset, length);
            }
        };
        java.util.concurrent.CompletableFuture<CopySummary> first =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> copy(slowSource, target, options(false, false)));
        assertThat(reading.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> copy(source, target, options(false, false)))
                .isInstanceOfSatisfying(dev.migrator.provider.MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(dev.migrator.provider.ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("in use by another run")
                            .contains("pid " + ProcessHandle.current().pid())
                            .contains("copy " + source.displayUri() + " " + target.displayUri());
                });
        release.countDown();
        CopySummary done = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(done.ok()).isTrue();
        assertThat(done.copied()).isEqualTo(sourceCount());
        // Released at the end: the next run may go.
        assertThat(copy(source, target, options(false, false)).skipped()).isEqualTo(sourceCount());
    }

    /** Counts the listing entries a reader consumes; everything else goes to the real store. */
    static final class CountingList extends ForwardingObjectStore {
        final ObjectStore store;
        int listed;

        CountingList(ObjectStore store) {
            super(store);
            this.store = store;
        }

        @Override
        public Stream<ObjectInfo> list(String prefix, String startAfter) {
            // Counted as the reader pulls them (a peek() would also count what a sorted() source buffers).
            Stream<ObjectInfo> all = store.list(prefix, startAfter);
            java.util.Iterator<ObjectInfo> it = all.iterator();
            java.util.Iterator<ObjectInfo> counting = new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public ObjectInfo next() {
                    listed++;
                    return it.next();
                }
            };
            return java.util.stream.StreamSupport.stream(java.util.Spliterators.spliteratorUnknownSize(counting,
                    java.util.Spliterator.ORDERED), false).onClose(all::close);
        }
    }
}
