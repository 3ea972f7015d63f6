package dev.migrator.provider;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Predicate;

/**
 * Recursive delete of local trees (state, staging and dump directories), confined to the tree: a
 * symbolic link is removed as a link and never followed, so nothing outside {@code root} is deleted
 * even when a link inside it points elsewhere; a {@code root} that is itself a link loses only the link.
 * A failure to remove one file does not stop the rest; the first is rethrown at the end.
 */
public final class FileTrees {
    private FileTrees() {
    }

    /** Deletes {@code root} and everything under it; nothing if it does not exist. */
    public static void delete(Path root) throws IOException {
        deleteUnder(root, p -> false, true);
    }

    /**
     * Deletes everything under {@code root} except the paths {@code keep} accepts (and the directories
     * holding them); {@code root} itself stays. Nothing if it does not exist.
     */
    public static void deleteContents(Path root, Predicate<Path> keep) throws IOException {
        deleteUnder(root, keep, false);
    }

    /** {@link #delete} for temporary files: whatever cannot be removed is left. Returns whether all went. */
    public static boolean deleteQuietly(Path root) {
        try {
            delete(root);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteUnder(Path root, Predicate<Path> keep, boolean withRoot) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path top = root; // the walk resolves every path against it, so keep sees them the way the caller built them
        IOException[] first = new IOException[1];
        // walkFileTree without FOLLOW_LINKS reports a link (to a directory or not) as a file: it is not entered.
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                remove(file, file.equals(top) ? !withRoot : keep.test(file)); // a root that is a link
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                remember(e);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                if (e != null) {
                    remember(e);
                }
                if (dir.equals(top) ? withRoot : !keep.test(dir) && isEmpty(dir)) {
                    remove(dir, false);
                }
                return FileVisitResult.CONTINUE;
            }

            private boolean isEmpty(Path dir) {
                try (var entries = Files.list(dir)) {
                    return entries.findAny().isEmpty();
                } catch (IOException e) {
                    remember(e);
                    return false;
                }
            }

            private void remove(Path p, boolean kept) {
                if (kept) {
                    return;
                }
                if (!p.startsWith(top)) { // cannot happen without following a link; the rule, stated where it is applied
                    remember(new IOException("refusing to delete " + p + ": outside " + top));
                    return;
                }
                try {
                    Files.delete(p);
                } catch (NoSuchFileException gone) {
                    // removed meanwhile
                } catch (IOException e) {
                    remember(e);
                }
            }

            private void remember(IOException e) {
                if (first[0] == null) {
                    first[0] = e;
                }
            }
        });
        if (first[0] != null) {
            throw first[0];
        }
    }
}
