package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.transfer.Progress;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-made hostile bundles, with manifests and SHA256SUMS that match them (an attacker can write
 * those too): absolute paths, '..', symbolic and hard links are refused with a clear error, and
 * nothing is written outside the target (nor, where the manifest already shows it, at all).
 */
class HostileArchiveTest {
    @TempDir
    Path dir;

    /** One tar entry of the hostile part and what the manifest claims about it. */
    record Item(String tarName, byte type, String link, String manifestPath, byte[] data) {
        static Item file(String name, String manifestPath) {
            return new Item(name, TarConstants.LF_NORMAL, null, manifestPath, "evil\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private ObjectStore craft(String name, List<Item> items) throws Exception {
        return craft(name, items, lines -> lines);
    }

    /** A bundle of {@code items} whose manifest lines (header first) {@code edit} may change; SHA256SUMS matches the result. */
    ObjectStore craft(String name, List<Item> items, UnaryOperator<List<String>> edit) throws Exception {
        Path bundleDir = Files.createDirectories(dir.resolve(name).resolve("data"));
        ByteArrayOutputStream part = new ByteArrayOutputStream();
        List<String> entries = new ArrayList<>();
        String partName = BundleLayout.partName("s1", 1);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(ZstdCompressorOutputStream.builder().setOutputStream(part).get())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Item i : items) {
                TarArchiveEntry e = new TarArchiveEntry(i.tarName(), i.type(), true);
                if (i.link() != null) {
                    e.setLinkName(i.link());
                } else {
                    e.setSize(i.data().length);
                }
                tar.putArchiveEntry(e);
                if (i.link() == null) {
                    tar.write(i.data());
                }
                tar.closeArchiveEntry();
                byte[] data = i.link() == null ? i.data() : new byte[0];
                entries.add(Manifest.line(new Manifest.Entry(partName, i.manifestPath(), i.manifestPath().substring(3), data.length,
                        Digests.hex(Digests.sha256().digest(data)), null, null)));
            }
        }
        byte[] partBytes = part.toByteArray();
        Files.write(bundleDir.resolve(partName.substring(5)), partBytes);
        String partSha = Digests.hex(Digests.sha256().digest(partBytes));
        Manifest.Header header = new Manifest.Header(Manifest.FORMAT, 1, Instant.now().toString(), "hostile",
                List.of(new Manifest.Source("s1", "file:///nowhere/", Manifest.Source.OBJECTS, items.size(), 5, null)),
                List.of(new Manifest.Part(partName, "s1", partBytes.length, partSha, items.size(), false)));
        List<String> lines = new ArrayList<>();
        lines.add(Manifest.line(header));
        lines.addAll(entries);
        String manifest = String.join("\n", edit.apply(lines)) + "\n";
        Path root = dir.resolve(name);
        Files.writeString(root.resolve(BundleLayout.MANIFEST), manifest);
        Files.writeString(root.resolve(BundleLayout.SUMS), Digests.hex(Digests.sha256().digest(manifest.getBytes(StandardCharsets.UTF_8)))
                + "  manifest.jsonl\n" + partSha + "  " + partName + "\n");
        return Stores.open(root.toUri().toString(), StoreOptions.DEFAULTS);
    }

    private void assertRefused(String name, List<Item> items, String mentions, boolean nothingWritten) throws Exception {
        assertRefused(name, items, mentions, nothingWritten, lines -> lines);
    }

    private void assertRefused(String name, List<Item> items, String mentions, boolean nothingWritten, UnaryOperator<List<String>> edit)
            throws Exception {
        Path target = dir.resolve("targets").resolve(name).resolve("t");
        try (ObjectStore bundle = craft(name, items, edit); ObjectStore store = Stores.open(target.toUri().toString(), StoreOptions.DEFAULTS)) {
            assertThatThrownBy(() -> BundleReader.open(bundle).restore(Map.of("s1", new RestoreTarget.Objects(store)), RestoreOptions.defaults(), Progress.NONE))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining("refusing").hasMessageContaining(mentions);
        }
        try (var walk = Files.walk(dir)) {
            assertThat(walk.filter(p -> p.getFileName().toString().startsWith("evil") || p.getFileName().toString().equals("passwd")))
                    .as("nothing written outside the target").isEmpty();
        }
        if (nothingWritten) {
            assertThat(target).doesNotExist();
        }
        // verify checks what restore checks: what restore refuses is never "intact".
        try (ObjectStore bundle = Stores.open(dir.resolve(name).toUri().toString(), StoreOptions.DEFAULTS)) {
            BundleCheck check = BundleReader.open(bundle).verify(Progress.NONE);
            assertThat(check.intact()).as("verify of a bundle restore refuses").isFalse();
            assertThat(check.damage()).anySatisfy(d -> assertThat(d.detail()).contains(mentions));
        }
    }

    @Test
    void aFifoIsRefusedByRestoreAndVerify() throws Exception {
        assertRefused("fifo", List.of(new Item("s1/pipe", TarConstants.LF_FIFO, null, "s1/pipe", new byte[0])), "FIFO", true);
    }

    @Test
    void anEntryOfAPartTheHeaderDoesNotListIsAnErrorInRestoreAndVerify() throws Exception {
        // The manifest lists a second part's entry, but the header lists only one part: restore used to skip it silently.
        String lost = Manifest.line(new Manifest.Entry(BundleLayout.partName("s1", 2), "s1/lost.txt", "lost.txt", 5,
                Digests.hex(Digests.sha256().digest("lost\n".getBytes(StandardCharsets.UTF_8))), null, null));
        assertRefused("unlisted-part", List.of(Item.file("s1/evil-kept.txt", "s1/evil-kept.txt")), BundleLayout.partName("s1", 2), true,
                lines -> {
                    List<String> more = new ArrayList<>(lines);
                    more.add(lost);
                    return more;
                });
    }

    @Test
    void dotDotInTheManifestIsRefusedBeforeAnythingIsWritten() throws Exception {
        assertRefused("dotdot", List.of(Item.file("s1/fine.txt", "s1/fine.txt"), Item.file("s1/../../evil.txt", "s1/../../evil.txt")),
                "s1/../../evil.txt", true);
    }

    @Test
    void anAbsoluteNameInTheArchiveIsRefused() throws Exception {
        assertRefused("absolute", List.of(Item.file("/tmp/evil-abs.txt", "s1/ok.txt")), "/tmp/evil-abs.txt", true);
    }

    @Test
    void aDotDotNameInTheArchiveAloneIsRefused() throws Exception {
        assertRefused("archive-dotdot", List.of(Item.file("s1/../../../evil-up.txt", "s1/ok.txt")), "evil-up.txt", true);
    }

    @Test
    void aSymbolicLinkIsRefused() throws Exception {
        assertRefused("symlink", List.of(new Item("s1/link", TarConstants.LF_SYMLINK, "/etc/passwd", "s1/link", null),
                Item.file("s1/link/evil.txt", "s1/link/evil.txt")), "symbolic link", true);
    }

    @Test
    void aHardLinkIsRefused() throws Exception {
        assertRefused("hardlink", List.of(new Item("s1/hard", TarConstants.LF_LINK, "/etc/passwd", "s1/hard", null)), "hard link", true);
    }

    // ------------------------------------------------------------ decompression bombs and staging (issue 9 #4, #8)

    static final int BOMB = 50 << 20;

    /** Line {@code n} of the manifest with {@code from} replaced by {@code to}. */
    static UnaryOperator<List<String>> replace(int n, String from, String to) {
        return lines -> {
            List<String> out = new ArrayList<>(lines);
            assertThat(out.get(n)).contains(from);
            out.set(n, out.get(n).replace(from, to));
            return out;
        };
    }

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static List<Path> filesUnder(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (var walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("lock")).toList();
        }
    }

    @Test
    void anEntryThatExpandsBeyondItsDeclaredSizeIsNeverReadPastIt() throws Exception {
        // 50 MiB of zeros compress to a few KiB; the manifest says 1,000 bytes.
        ObjectStore bundle = craft("bomb", List.of(new Item("s1/bomb.bin", TarConstants.LF_NORMAL, null, "s1/bomb.bin", new byte[BOMB])),
                replace(1, "\"size\":" + BOMB, "\"size\":1000"));
        Path target = dir.resolve("bomb-target");
        Path state = dir.resolve("bomb-state");
        try (bundle; ObjectStore store = Stores.open(target.toUri().toString(), StoreOptions.DEFAULTS)) {
            long before = allocatedByThisThread();
            assertThatThrownBy(() -> BundleReader.open(bundle).restore(Map.of("s1", new RestoreTarget.Objects(store)),
                    new RestoreOptions(2, false, BundleFailureTest.FAST, state), Progress.NONE))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY))
                    .hasMessageContaining("'bomb.bin'").hasMessageContaining("damaged").hasMessageContaining(BOMB + " bytes where the manifest says 1000");
            long allocated = allocatedByThisThread() - before;
            assertThat(allocated).as("bytes allocated by the restore (the entry is never buffered)").isLessThan(16L << 20);
            assertThat(target).doesNotExist();
            assertThat(filesUnder(state)).as("nothing staged").isEmpty();

            BundleCheck check = BundleReader.open(bundle).verify(Progress.NONE);
            assertThat(check.intact()).isFalse();
            assertThat(check.damage()).anySatisfy(d -> {
                assertThat(d.what()).endsWith(": bomb.bin");
                assertThat(d.detail()).contains("damaged").contains("the manifest says 1000");
            });
            assertThat(check.bytes()).as("entry bytes verify expanded").isLessThanOrEqualTo(1000);
        }
    }

    @Test
    void aLargeEntryWithAWrongChecksumIsStagedInTheStateDirectoryAndRemoved() throws Exception {
        // The declared size is right, the SHA-256 is not: the entry must be staged (in the state directory) to be checked.
        ObjectStore bundle = craft("bad-sha", List.of(new Item("s1/big.bin", TarConstants.LF_NORMAL, null, "s1/big.bin", new byte[BOMB])),
                lines -> {
                    List<String> out = new ArrayList<>(lines);
                    String sha = Digests.hex(Digests.sha256().digest(new byte[BOMB]));
                    out.set(1, out.get(1).replace(sha, "0".repeat(64)));
                    return out;
                });
        Path target = dir.resolve("bad-sha-target");
        Path state = dir.resolve("bad-sha-state");
        try (bundle; ObjectStore store = Stores.open(target.toUri().toString(), StoreOptions.DEFAULTS)) {
            assertThatThrownBy(() -> BundleReader.open(bundle).restore(Map.of("s1", new RestoreTarget.Objects(store)),
                    new RestoreOptions(2, false, BundleFailureTest.FAST, state), Progress.NONE))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY))
                    .hasMessageContaining("'big.bin'").hasMessageContaining("damaged");
            assertThat(target).doesNotExist();
            assertThat(filesUnder(state)).as("staging emptied after the refusal").isEmpty();
        }
    }

    @Test
    void largeEntriesAreStagedInTheStateDirectoryWhichARestoreSweepsAndEmpties() throws Exception {
        byte[] big = new byte[5 << 20];
        new java.util.Random(3).nextBytes(big);
        ObjectStore bundle = craft("staged", List.of(new Item("s1/big.bin", TarConstants.LF_NORMAL, null, "s1/big.bin", big)));
        Path state = dir.resolve("staged-state");
        // What a restore killed with -9 left behind.
        Path leftover = Files.createDirectories(state.resolve("staging")).resolve("entry-killed.tmp");
        Files.write(leftover, new byte[1000]);
        try (bundle; ObjectStore real = Stores.openAdapter(dir.resolve("staged-target").toUri().toString(), StoreOptions.DEFAULTS)) {
            InjectingStore target = new InjectingStore(real, (k, n) -> null);
            RestoreSummary s = BundleReader.open(bundle).restore(Map.of("s1", new RestoreTarget.Objects(target)),
                    new RestoreOptions(2, false, BundleFailureTest.FAST, state), Progress.NONE);
            assertThat(s.restored()).isEqualTo(1);
            assertThat(target.staged).singleElement().satisfies(p -> assertThat(p.startsWith(state.resolve("staging"))).as(p.toString()).isTrue());
            assertThat(real.stat("big.bin")).hasValueSatisfying(o -> assertThat(o.size()).isEqualTo(big.length));
        }
        assertThat(leftover).as("swept").doesNotExist();
        assertThat(filesUnder(state)).isEmpty();
    }

    // ------------------------------------------------------------ malformed manifest fields (issue 9 #11)

    private void assertMalformed(String name, UnaryOperator<List<String>> edit, String... mentions) throws Exception {
        Path target = dir.resolve(name + "-target");
        try (ObjectStore bundle = craft(name, List.of(Item.file("s1/ok.txt", "s1/ok.txt")), edit);
             ObjectStore store = Stores.open(target.toUri().toString(), StoreOptions.DEFAULTS)) {
            assertThatThrownBy(() -> BundleReader.open(bundle).restore(Map.of("s1", new RestoreTarget.Objects(store)),
                    RestoreOptions.defaults(), Progress.NONE))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.getMessage()).contains(BundleLayout.MANIFEST).contains(mentions)
                                .doesNotContain("Exception").doesNotContain("jackson").doesNotContain("\n").doesNotContain("[Source:");
                    });
            assertThat(target).doesNotExist();
            BundleCheck check = BundleReader.open(bundle).verify(Progress.NONE);
            assertThat(check.intact()).isFalse();
            assertThat(check.damage()).anySatisfy(d -> assertThat(d.detail()).contains(mentions));
        }
    }

    @Test
    void aNegativeEntrySizeNamesTheLineAndField() throws Exception {
        assertMalformed("negative", replace(1, "\"size\":5", "\"size\":-5"), "line 2", "'size'", "-5");
    }

    @Test
    void anOutOfRangeEntrySizeNamesTheLineAndField() throws Exception {
        assertMalformed("huge", replace(1, "\"size\":5", "\"size\":99999999999999999999999"), "line 2", "'size'", "out of range");
    }

    @Test
    void aSizeThatIsNotANumberNamesTheLineAndField() throws Exception {
        assertMalformed("text", replace(1, "\"size\":5", "\"size\":\"five\""), "line 2", "'size'");
    }

    @Test
    void aNegativePartSizeInTheHeaderNamesTheField() throws Exception {
        try (ObjectStore bundle = craft("negative-part", List.of(Item.file("s1/ok.txt", "s1/ok.txt")), lines -> {
            List<String> out = new ArrayList<>(lines);
            out.set(0, out.get(0).replaceFirst("(\"parts\":\\[\\{[^}]*\"size\":)\\d+", "$1-7"));
            return out;
        })) {
            assertThatThrownBy(() -> BundleReader.open(bundle).inspect())
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining("line 1").hasMessageContaining("'parts[0].size'").hasMessageContaining("-7");
            assertThat(BundleReader.open(bundle).verify(Progress.NONE).damage())
                    .anySatisfy(d -> assertThat(d.detail()).contains("'parts[0].size'"));
        }
    }
}
