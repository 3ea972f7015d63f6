package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.local.LocalObjectStore;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** copy and verify against local folders an operator damaged or aliased. */
class CopyCommandTest {
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
        for (int i = 0; i < 5; i++) {
            store.put("docs/" + i + ".txt", Content.of(("document " + i).getBytes()), ObjectMetadata.EMPTY);
        }
    }

    @Test
    void bitRotWithTheMtimeRestoredIsFoundByVerifyRefusedByCopyAndRepairedByOverwrite() throws Exception {
        assertThat(CliRun.of("copy", src.toString(), dst.toString(), "--state", state).exit()).isZero();
        Path file = dst.resolve("docs/3.txt");
        FileTime mtime = Files.getLastModifiedTime(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'D'}), 0);
        }
        Files.setLastModifiedTime(file, mtime);

        CliRun verify = CliRun.of("verify", src.toString(), dst.toString(), "-q");
        assertThat(verify.exit()).as(verify.all()).isEqualTo(3);
        assertThat(verify.out()).contains("CONTENT docs/3.txt");

        CliRun copy = CliRun.of("copy", src.toString(), dst.toString(), "-q", "--state", state);
        assertThat(copy.exit()).as(copy.all()).isEqualTo(4);
        assertThat(copy.err()).contains("docs/3.txt").contains("--overwrite");
        assertThat(file).hasContent("Document 3");

        CliRun overwrite = CliRun.of("copy", src.toString(), dst.toString(), "-q", "--overwrite", "--state", state);
        assertThat(overwrite.exit()).as(overwrite.all()).isZero();
        assertThat(overwrite.out()).contains("Copied 1 object");
        assertThat(file).hasContent("document 3");
        assertThat(CliRun.of("verify", src.toString(), dst.toString(), "-q").exit()).isZero();
    }

    @Test
    void aSymlinkedAliasOfTheSourceIsRefusedAsTarget() throws Exception {
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), src);
        for (String target : new String[] {alias.toString(), alias.resolve("docs/inner").toString()}) {
            CliRun copy = CliRun.of("copy", src.toString(), target, "--state", state);
            assertThat(copy.exit()).as(copy.all()).isEqualTo(2);
            assertThat(copy.err()).contains("source").contains("target").doesNotContain("Exception").doesNotContain("\tat ");
        }
        assertThat(src.resolve("docs/inner")).doesNotExist();
        CliRun verify = CliRun.of("verify", src.toString(), alias.toString());
        assertThat(verify.exit()).as(verify.all()).isEqualTo(2);
        assertThat(verify.err()).contains("same location");
    }

    @Test
    void aSymlinkInTheSourceStopsTheCopyUntilTheOperatorChooses() throws Exception {
        Path outside = Files.writeString(dir.resolve("outside.txt"), "linked");
        Files.createSymbolicLink(src.resolve("docs/link.txt"), outside);

        CliRun refused = CliRun.of("copy", src.toString(), dst.toString(), "-q", "--state", state);
        assertThat(refused.exit()).as(refused.all()).isEqualTo(2);
        assertThat(refused.err()).contains("symbolic link 'docs/link.txt'").contains("?links=skip").contains("?links=follow")
                .doesNotContain("Exception");

        CliRun skipped = CliRun.of("copy", src.toUri() + "?links=skip", dst.toString(), "-q", "--state", state);
        assertThat(skipped.exit()).as(skipped.all()).isZero();
        assertThat(skipped.err()).contains("skipped symbolic link 'docs/link.txt'");
        assertThat(dst.resolve("docs/link.txt")).doesNotExist();
        // verify says so too, rather than "identical" without a word
        CliRun verify = CliRun.of("verify", src.toUri() + "?links=skip", dst.toString(), "-q");
        assertThat(verify.exit()).isZero();
        assertThat(verify.err()).contains("skipped symbolic link 'docs/link.txt'");

        CliRun followed = CliRun.of("copy", src.toUri() + "?links=follow", dst.toString(), "-q", "--state", state);
        assertThat(followed.exit()).as(followed.all()).isZero();
        assertThat(dst.resolve("docs/link.txt")).hasContent("linked");
        assertThat(Files.isSymbolicLink(dst.resolve("docs/link.txt"))).isFalse();
    }
}
