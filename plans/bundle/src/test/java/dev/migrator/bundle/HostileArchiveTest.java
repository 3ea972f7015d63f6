package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Providers;
import dev.migrator.provider.StoreOptions;
import dev.migrator.transfer.Progress;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        String manifest = Manifest.line(header) + "\n" + String.join("\n", entries) + "\n";
        Path root = dir.resolve(name);
        Files.writeString(root.resolve(BundleLayout.MANIFEST), manifest);
        Files.writeString(root.resolve(BundleLayout.SUMS), Digests.hex(Digests.sha256().digest(manifest.getBytes(StandardCharsets.UTF_8)))
                + "  manifest.jsonl\n" + partSha + "  " + partName + "\n");
        return Providers.objectStore(root.toUri().toString(), StoreOptions.DEFAULTS);
    }

    private void assertRefused(String name, List<Item> items, String mentions, boolean nothingWritten) throws Exception {
        Path target = dir.resolve("targets").resolve(name).resolve("t");
        try (ObjectStore bundle = craft(name, items); ObjectStore store = Providers.objectStore(target.toUri().toString(), StoreOptions.DEFAULTS)) {
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
}
