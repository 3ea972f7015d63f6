package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @TempDir
    Path tmp;

    private Path tree() throws IOException {
        Path root = tmp.resolve("state");
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("top.txt"), "x");
        Files.writeString(root.resolve("a/one"), "1");
        Files.writeString(root.resolve("a/b/c/deep"), "2");
        return root;
    }

    @Test
    void deletesTheWholeTree() throws IOException {
        Path root = tree();
        FileTrees.delete(root);
        assertThat(root).doesNotExist();
        assertThat(tmp).exists();
    }

    @Test
    void aMissingTreeIsNothingToDo() throws IOException {
        FileTrees.delete(tmp.resolve("none"));
        FileTrees.deleteContents(tmp.resolve("none"), p -> false);
        assertThat(FileTrees.deleteQuietly(tmp.resolve("none"))).isTrue();
    }

    @Test
    void linksInsideAreRemovedNeverFollowed() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("precious"));
        Files.writeString(outside.resolve("keep.txt"), "mine");
        Path outsideFile = Files.writeString(tmp.resolve("precious.txt"), "mine too");
        Path root = tree();
        Files.createSymbolicLink(root.resolve("a/dirlink"), outside);
        Files.createSymbolicLink(root.resolve("a/b/filelink"), outsideFile);
        Files.createSymbolicLink(root.resolve("dangling"), tmp.resolve("nowhere"));

        FileTrees.delete(root);

        assertThat(root).doesNotExist();
        assertThat(outside.resolve("keep.txt")).hasContent("mine");
        assertThat(outsideFile).hasContent("mine too");
    }

    @Test
    void aRootThatIsALinkLosesOnlyTheLink() throws IOException {
        Path real = tree();
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);

        FileTrees.deleteContents(link, p -> false); // the root stays: a link root is left alone
        assertThat(link).isSymbolicLink();
        assertThat(real.resolve("a/b/c/deep")).exists();

        FileTrees.delete(link);
        assertThat(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(real.resolve("a/b/c/deep")).hasContent("2");
        assertThat(real.resolve("top.txt")).hasContent("x");
    }

    @Test
    void deleteContentsKeepsTheRootAndWhatIsKept() throws IOException {
        Path root = tree();
        Path lock = Files.writeString(root.resolve("lock"), "pid 1");
        Files.writeString(root.resolve("a/b/held"), "h");

        FileTrees.deleteContents(root, p -> p.equals(root.resolve("lock")) || p.equals(root.resolve("a/b/held")));

        assertThat(lock).hasContent("pid 1");
        assertThat(root.resolve("a/b/held")).hasContent("h");
        assertThat(root.resolve("top.txt")).doesNotExist();
        assertThat(root.resolve("a/one")).doesNotExist();
        assertThat(root.resolve("a/b/c")).doesNotExist();
        try (var left = Files.walk(root)) {
            assertThat(left.map(root::relativize).map(Path::toString).sorted().toList())
                    .containsExactly("", "a", "a/b", "a/b/held", "lock");
        }
    }
}
