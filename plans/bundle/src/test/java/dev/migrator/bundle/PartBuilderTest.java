package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdInputStream;
import dev.migrator.provider.ObjectMetadata;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The part's tar headers and manifest lines as written, byte by byte. */
class PartBuilderTest {
    @TempDir
    Path dir;

    private PartBuilder.Finished write(List<Manifest.Entry> written, Instant lastModified, String... keys) throws Exception {
        try (PartBuilder part = new PartBuilder("data/s1-000001.tar.zst", "s1", dir.resolve("part"), dir.resolve("entries"),
                BundleOptions.defaults(null))) {
            for (String key : keys) {
                byte[] bytes = ("bytes of " + key).getBytes(StandardCharsets.UTF_8);
                written.add(part.add(key, bytes.length, lastModified, new ObjectMetadata("text/plain", null, null, null,
                        Map.of("note", "ünïcode \"quoted\"\n")), new ByteArrayInputStream(bytes), null, null, null));
            }
            return part.finish();
        }
    }

    private byte[] tar() throws Exception {
        try (InputStream in = new ZstdInputStream(Files.newInputStream(dir.resolve("part")))) {
            return in.readAllBytes();
        }
    }

    @Test
    void aPlainNameGetsAUstarHeaderAndNoPaxHeader() throws Exception {
        // Sub-second times are the common case (S3 and file systems keep milliseconds); the tar keeps whole seconds.
        Instant t = Instant.parse("2026-11-28T19:17:45.187Z");
        write(new ArrayList<>(), t, "media/a.txt");
        byte[] tar = tar();
        assertThat((char) tar[156]).as("type of the first header").isEqualTo('0');
        assertThat(new String(tar, 257, 5, StandardCharsets.US_ASCII)).isEqualTo("ustar");
        assertThat(new String(tar, 0, 14, StandardCharsets.US_ASCII)).isEqualTo("s1/media/a.txt");
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e = in.getNextEntry();
            assertThat(e.getModTime().toInstant()).isEqualTo(Instant.parse("2026-11-28T19:17:45Z"));
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("bytes of media/a.txt");
        }
    }

    @Test
    void aNameUstarCannotHoldStillGetsAPaxHeader() throws Exception {
        String longKey = "d/".repeat(60) + "file";
        write(new ArrayList<>(), Instant.parse("2026-11-28T19:17:45.187Z"), "café ☕/menu.png", longKey);
        byte[] tar = tar();
        assertThat((char) tar[156]).as("type of the first header").isEqualTo('x');
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            assertThat(in.getNextEntry().getName()).isEqualTo("s1/café ☕/menu.png");
            assertThat(in.getNextEntry().getName()).isEqualTo("s1/" + longKey);
        }
    }

    @Test
    void manifestLinesAreTheJsonOfEachEntryOnALine() throws Exception {
        List<Manifest.Entry> written = new ArrayList<>();
        PartBuilder.Finished f = write(written, Instant.parse("2026-11-28T19:17:45.187Z"), "a", "b/ü", "c");
        StringBuilder expected = new StringBuilder();
        for (Manifest.Entry e : written) {
            expected.append(Manifest.line(e)).append('\n');
        }
        assertThat(Files.readString(f.entriesFile(), StandardCharsets.UTF_8)).isEqualTo(expected.toString());
        assertThat(Manifest.parse(Files.readAllLines(f.entriesFile()).get(1), Manifest.Entry.class)).isEqualTo(written.get(1));
    }
}
