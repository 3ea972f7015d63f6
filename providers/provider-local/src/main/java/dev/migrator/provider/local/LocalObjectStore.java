package dev.migrator.provider.local;

import dev.migrator.provider.BatchSync;
import dev.migrator.provider.Capabilities;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * An object store over a local directory ({@code file:///abs/dir}). Keys map to paths as described in
 * {@link LocalLayout}; metadata lives in {@code user.migrator.*} extended attributes.
 * Writes go to a temporary file in the same directory, are fsynced, then renamed into place; the temporary files
 * of writers that were killed are swept from a directory when the store first writes into it ({@link TempFiles}).
 * A caller that writes many objects may defer those fsyncs to one {@code syncfs} at the end ({@link BatchSync}).
 *
 * <p>No MD5 is reported from a cache: a stamp of size and mtime is defeated by a same-size change whose
 * mtime is restored (bit rot, {@code touch -r}), and setting an attribute or renaming changes the ctime, so
 * no stamp can be bound to something a writer cannot restore. Comparisons therefore hash the bytes, which is
 * cheap on a local disk. {@link #put} still reports the MD5 of the bytes it has just written.
 *
 * <p>No write follows a symbolic link: the root is resolved once, when the store is opened, and every
 * directory below it that a write passes through must be a real directory. What a listing does when it meets
 * a link is the {@link Links} option.
 */
public final class LocalObjectStore implements ObjectStore, BatchSync {
    private static final String ATTR = "migrator.";
    private static final String ATTR_META = ATTR + "meta.";
    private static final String ATTR_NAME = ATTR + "name";
    private static final String ATTR_TAG = ATTR + "tag.";
    private static final int COPY_BUFFER = 256 * 1024;
    /** Skipped links named one by one on stderr; beyond that only their count. */
    private static final int NAMED_SKIPS = 10;

    /** What a listing does with a symbolic link ({@code ?links=} in the URI). */
    public enum Links {
        /** The default: the listing fails, naming the link and these options. */
        REFUSE,
        /** Links are left out, each reported on stderr (the first few by name, then a count). */
        SKIP,
        /** Links are read as what they point to: a file as an object, a directory as a folder. Reads only. */
        FOLLOW
    }

    private final Path root;
    private final String displayUri;
    private final Links links;
    /** Sweeps what killed runs left in the directories this store writes into (see {@link TempFiles}). */
    private final TempFiles temps = new TempFiles();
    /** Open deferrals ({@link BatchSync}): while above zero, puts skip their fsyncs and {@link #syncDeferred} syncs the file system. */
    private final AtomicInteger deferring = new AtomicInteger();
    /**
     * Folders {@link #createInPlace} made or found to be real directories under the root: checked once each per deferral,
     * not once per object (a folder replaced by a link while the deferral is open is not seen).
     */
    private final Set<Path> checkedDirs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** coreutils' {@code sync -f DIR} is syncfs(2), which the JDK does not offer; where it is missing, puts stay durable one by one. */
    private static final Path SYNC = Path.of("/bin/sync");

    public LocalObjectStore(Path root) {
        this(root, Links.REFUSE);
    }

    public LocalObjectStore(Path root, Links links) {
        Path given = root.toAbsolutePath().normalize();
        // Always with the trailing slash, whether or not the directory exists yet: the URI names this
        // store in journals, so it must not change once the first write creates the directory.
        String uri = given.toUri().toString();
        this.displayUri = uri.endsWith("/") ? uri : uri + "/";
        if (Files.exists(given) && !Files.isDirectory(given)) {
            throw MigratorException.badInput(given + " is not a directory: a file:// URI names a directory");
        }
        // Resolved once: a link in the path the user gave is their choice; links met below it are not.
        this.root = realAsFarAsItExists(given);
        this.links = links;
    }

    public Path root() {
        return root;
    }

    @Override
    public String displayUri() {
        return displayUri;
    }

    /**
     * The root with symlinks resolved, as far as it exists (the rest, not yet created, appended), so that a
     * symlinked alias of a directory is recognised as the same place.
     */
    @Override
    public String location() {
        String uri = realAsFarAsItExists(root).toUri().toString();
        return uri.endsWith("/") ? uri : uri + "/";
    }

    /** {@code path} with symlinks resolved as far as it exists, the part not yet created appended. */
    private static Path realAsFarAsItExists(Path path) {
        Path existing = path;
        Path rest = Path.of("");
        while (existing != null && !Files.exists(existing)) {
            rest = existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        try {
            return existing.toRealPath().resolve(rest).normalize();
        } catch (IOException e) {
            return path;
        }
    }

    /** The path an object's bytes live at. */
    Path pathOf(String key) {
        Keys.requireValid(key);
        Path p = root;
        for (String segment : LocalLayout.segments(key)) {
            String name = LocalLayout.encode(segment);
            FileNameEncoding.requireNameable(key, name);
            p = p.resolve(name);
        }
        return p;
    }

    /** Takes a finished file by renaming it; no checksums (see the class comment); seeks listings. */
    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    private static final Capabilities CAPABILITIES = new Capabilities(false, true, Set.of(), true,
            dev.migrator.provider.StorageClasses.Family.ANY, true).withConditionalCreate();

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        return list(prefix, null);
    }

    /** Seeks: a folder whose keys all sort at or before {@code startAfter} is not read at all. */
    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) {
        if (!Files.isDirectory(root)) {
            throw MigratorException.notFound("directory " + root + " does not exist");
        }
        Walk it = new Walk(prefix, startAfter);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(it::report);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Path p = pathOf(key);
        try {
            BasicFileAttributes attrs = links == Links.FOLLOW ? Files.readAttributes(p, BasicFileAttributes.class)
                    : Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(info(key, p, attrs));
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("stat", key, e);
        }
    }

    private ObjectInfo info(String key, Path p, BasicFileAttributes attrs) throws IOException {
        Map<String, String> a = Xattrs.read(p, ATTR);
        TreeMap<String, String> user = new TreeMap<>();
        TreeMap<String, String> tags = new TreeMap<>();
        a.forEach((k, v) -> {
            if (k.startsWith("meta.")) {
                user.put(k.substring("meta.".length()), v);
            } else if (k.startsWith("tag.")) {
                tags.put(k.substring("tag.".length()), v);
            }
        });
        String expires = a.get("expires");
        ObjectMetadata meta = new ObjectMetadata(a.get("content-type"), a.get("content-encoding"),
                a.get("cache-control"), a.get("content-disposition"), user, a.get("content-language"),
                expires == null ? null : dev.migrator.provider.Instants.parse(expires), a.get("storage-class"), tags);
        // No checksum: see the class comment (an older version's user.migrator.md5 stamp is ignored).
        return new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toInstant(), null, Checksums.NONE, meta);
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        Path p = pathOf(key);
        try {
            if (Files.isDirectory(p)) {
                throw MigratorException.notFound("no object '" + key + "' in " + displayUri);
            }
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
            if (offset > 0) {
                ch.position(offset);
            }
            InputStream in = Channels.newInputStream(ch);
            return length < 0 ? in : new BoundedInputStream(in, length);
        } catch (NoSuchFileException | NotDirectoryException | FileNotFoundException e) {
            throw MigratorException.notFound("no object '" + key + "' in " + displayUri);
        } catch (IOException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
        Path target = pathOf(key);
        Path dir = target.getParent();
        Path temp = null;
        try {
            createParents(key, dir);
            temps.sweepOnce(dir);
            if (Files.isSymbolicLink(target)) {
                throw throughLink("write", key, target);
            }
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw conflictWithPrefix(key);
            }
            Path movable = content.movableFile();
            if (movable != null) {
                ObjectInfo taken = take(key, movable, content.size(), content.known().md5(), target, dir, metadata);
                if (taken != null) {
                    return taken;
                }
            }
            temp = TempFiles.newTemp(dir);
            MessageDigest md5 = Digests.md5();
            long written;
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
                 InputStream in = content.open()) {
                OutputStream out = new DigestOutputStream(Channels.newOutputStream(ch), md5);
                written = in.transferTo(out);
                out.flush();
                if (deferring.get() == 0) {
                    ch.force(true);
                }
            }
            if (written != content.size()) {
                throw new MigratorException(ErrorCode.INTEGRITY, "object '" + key + "': expected " + content.size()
                        + " bytes from the source but read " + written, null, true);
            }
            ObjectInfo stored = install(key, temp, Digests.hex(md5.digest()), target, dir, metadata);
            temp = null;
            return stored;
        } catch (DirectoryNotEmptyException e) {
            throw conflictWithPrefix(key);
        } catch (IOException e) {
            throw failure("write", key, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: a leftover temp file is never listed, and another process sweeps it
                }
            }
        }
    }

    /**
     * Create-only: the object is written and fsynced under a temporary name, given its metadata, then linked to its
     * final name with link(2), which fails if the name exists (a rename would replace it; O_EXCL on the final name
     * would show readers a partly written object). The temporary name is then removed.
     */
    @Override
    public Optional<ObjectInfo> createIfAbsent(String key, Content content, ObjectMetadata metadata) {
        Path target = pathOf(key);
        Path dir = target.getParent();
        Path temp = null;
        try {
            createParents(key, dir);
            if (Files.isSymbolicLink(target)) {
                throw throughLink("write", key, target);
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            temp = TempFiles.newTemp(dir);
            MessageDigest md5 = Digests.md5();
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
                 InputStream in = content.open()) {
                OutputStream out = new DigestOutputStream(Channels.newOutputStream(ch), md5);
                if (in.transferTo(out) != content.size()) {
                    throw new MigratorException(ErrorCode.INTEGRITY, "object '" + key + "': the content is not "
                            + content.size() + " bytes", null, true);
                }
                out.flush();
                ch.force(true);
            }
            writeMetadata(temp, metadata);
            if (LocalLayout.needsStoredName(target.getFileName().toString())) {
                List<String> segments = LocalLayout.segments(key);
                Xattrs.write(temp, ATTR_NAME, segments.get(segments.size() - 1));
            }
            BasicFileAttributes attrs = Files.readAttributes(temp, BasicFileAttributes.class);
            try {
                Files.createLink(target, temp);
            } catch (FileAlreadyExistsException lost) {
                return Optional.empty();
            }
            fsyncDirectory(dir);
            return Optional.of(new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toInstant(), null,
                    Checksums.md5(Digests.hex(md5.digest())), metadata));
        } catch (IOException e) {
            throw failure("write", key, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a leftover temp file is never listed, and another process sweeps it
                }
            }
        }
    }

    /**
     * Takes a caller's finished file (see {@link Content#movableFile()}) by renaming it into place: it
     * is fsynced, read once for its MD5 unless the caller knows it ({@code knownMd5}, from hashing the bytes as it
     * wrote them), then installed like a temporary file of our own. Returns null, leaving the file alone, when it
     * is on another file system (the caller copies instead).
     */
    private ObjectInfo take(String key, Path file, long size, String knownMd5, Path target, Path dir, ObjectMetadata metadata)
            throws IOException {
        if (!Files.getFileStore(file).equals(Files.getFileStore(dir))) {
            return null;
        }
        MessageDigest md5 = knownMd5 == null ? Digests.md5() : null;
        long read = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (md5 == null) {
                read = ch.size();
            } else {
                InputStream in = Channels.newInputStream(ch);
                byte[] buf = new byte[COPY_BUFFER];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md5.update(buf, 0, n);
                    read += n;
                }
            }
            if (deferring.get() == 0) {
                ch.force(true);
            }
        }
        if (read != size) {
            throw new MigratorException(ErrorCode.INTEGRITY, "object '" + key + "': expected " + size
                    + " bytes in " + file + " but " + (md5 == null ? "it holds " : "read ") + read, null, true);
        }
        try {
            return install(key, file, md5 == null ? knownMd5 : Digests.hex(md5.digest()), target, dir, metadata);
        } catch (AtomicMoveNotSupportedException e) {
            return null;
        }
    }

    /**
     * Gives a complete, fsynced file in {@code dir} the object's metadata, and renames
     * it atomically to {@code target}, then syncs the directory so that the rename is durable too.
     */
    private ObjectInfo install(String key, Path file, String md5Hex, Path target, Path dir, ObjectMetadata metadata) throws IOException {
        writeMetadata(file, metadata);
        String lastSegment = LocalLayout.segments(key).get(LocalLayout.segments(key).size() - 1);
        if (LocalLayout.needsStoredName(target.getFileName().toString())) {
            Xattrs.write(file, ATTR_NAME, lastSegment);
        }
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (deferring.get() == 0) {
            fsyncDirectory(dir);
        }
        return new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toInstant(), null, Checksums.md5(md5Hex), metadata);
    }

    private MigratorException conflictWithPrefix(String key) {
        return new MigratorException(ErrorCode.CONFLICT, "object '" + key + "' cannot be stored in " + displayUri
                + ": other objects use '" + key + "/' as a folder, and a local disk cannot hold both"
                + " (copy to an object store or a bundle instead)");
    }

    /**
     * Creates the directories for {@code key}, recording the real segment on hashed names. Each one must
     * be a real directory: a symbolic link there would take the write outside the root.
     */
    private void createParents(String key, Path dir) throws IOException {
        List<String> segments = LocalLayout.segments(key);
        Path p = root;
        Files.createDirectories(root);
        if (Files.isSymbolicLink(root)) {
            throw throughLink("write", key, root); // made a link since the store was opened
        }
        for (int i = 0; i < segments.size() - 1; i++) {
            p = p.resolve(LocalLayout.encode(segments.get(i)));
            try {
                Files.createDirectory(p);
                if (LocalLayout.needsStoredName(p.getFileName().toString())) {
                    Xattrs.write(p, ATTR_NAME, segments.get(i));
                }
            } catch (FileAlreadyExistsException e) {
                // another thread or an earlier object made it, or it is something else: checked below
            }
            BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attrs.isSymbolicLink()) {
                throw throughLink("write", key, p);
            }
            if (!attrs.isDirectory()) {
                String folder = String.join("/", segments.subList(0, i + 1));
                throw new MigratorException(ErrorCode.CONFLICT, "object '" + key + "' cannot be stored in " + displayUri
                        + ": object '" + folder + "' exists and a local disk cannot also use it as a folder"
                        + " (copy to an object store or a bundle instead)");
            }
        }
        assert p.equals(dir);
    }

    /** The first directory between the root and {@code p} (exclusive) that is a symbolic link, or null. */
    private Path linkAbove(Path p) throws IOException {
        Path q = root;
        for (Path name : root.relativize(p.getParent())) {
            q = q.resolve(name);
            try {
                if (Files.readAttributes(q, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isSymbolicLink()) {
                    return q;
                }
            } catch (NoSuchFileException | NotDirectoryException e) {
                return null; // nothing there, so nothing beyond it either
            }
        }
        return null;
    }

    /** Refuses a write that would go through the symbolic link {@code link}, naming the key and where it points. */
    private MigratorException throughLink(String action, String key, Path link) {
        String to;
        try {
            to = Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            to = "?";
        }
        return new MigratorException(ErrorCode.CONFLICT, "refusing to " + action + " object '" + key + "' in " + displayUri
                + ": " + link + " is a symbolic link (to " + to + "), and migrator never writes through a link, which"
                + " could reach outside the target; remove the link or use another target directory");
    }

    private static void writeMetadata(Path p, ObjectMetadata m) throws IOException {
        if (m == null) {
            return;
        }
        setIfPresent(p, "content-type", m.contentType());
        setIfPresent(p, "content-encoding", m.contentEncoding());
        setIfPresent(p, "cache-control", m.cacheControl());
        setIfPresent(p, "content-disposition", m.contentDisposition());
        for (Map.Entry<String, String> e : m.userMetadata().entrySet()) {
            Xattrs.write(p, ATTR_META + e.getKey(), e.getValue());
        }
        setIfPresent(p, "content-language", m.contentLanguage());
        setIfPresent(p, "expires", m.expires() == null ? null : m.expires().toString());
        // The class is kept as the source spelled it (Family.ANY), so a copy onward maps it from its provider.
        setIfPresent(p, "storage-class", m.storageClass());
        for (Map.Entry<String, String> e : m.tags().entrySet()) {
            Xattrs.write(p, ATTR_TAG + e.getKey(), e.getValue());
        }
    }

    private static void setIfPresent(Path p, String name, String value) throws IOException {
        if (value != null) {
            Xattrs.write(p, ATTR + name, value);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every platform can open a directory; the file itself is already synced
        }
    }

    /** Deferring needs {@code sync -f} (Linux, coreutils 8.24 or later). */
    @Override
    public boolean deferSync() {
        if (!System.getProperty("os.name", "").startsWith("Linux") || !Files.isExecutable(SYNC)) {
            return false;
        }
        deferring.incrementAndGet();
        return true;
    }

    /** One syncfs(2) of the root's file system: every file, folder and rename written so far. */
    @Override
    public void syncDeferred() {
        try {
            Path dir = Files.isDirectory(root) ? root : root.getParent();
            if (dir == null) {
                return;
            }
            Process p = new ProcessBuilder(SYNC.toString(), "-f", dir.toString()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new MigratorException(ErrorCode.FAILED, "'sync -f " + dir + "' did not finish within 10 minutes; the objects"
                        + " written to " + displayUri + " are not known to be on disk; run the same command again", null);
            }
            if (p.exitValue() != 0) {
                throw new MigratorException(ErrorCode.FAILED, "cannot make the objects written to " + displayUri + " durable: 'sync -f "
                        + dir + "' exited " + p.exitValue() + (said.isEmpty() ? "" : " (" + said + ")") + "; run the same command again", null);
            }
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot make the objects written to " + displayUri + " durable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted while syncing " + displayUri, e);
        } finally {
            if (deferring.decrementAndGet() == 0) {
                checkedDirs.clear(); // the next deferral checks its folders again: they may have changed meanwhile
            }
        }
    }

    /**
     * O_CREAT|O_EXCL|O_NOFOLLOW on the final name, the bytes, the metadata: about four calls per object where put makes
     * a dozen. The name is taken by anything (an object, a folder, a link) means empty; the caller looks at what is
     * there. A key whose file name needs its stored name (an attribute) goes through {@link #createIfAbsent}, so that
     * no object is ever listed under a name it cannot be read back by. A caller's movable file on this file system is
     * linked into place (link(2), which also refuses a taken name); the caller removes its own name for it.
     */
    @Override
    public Optional<ObjectInfo> createInPlace(String key, Content content, ObjectMetadata metadata) {
        if (deferring.get() == 0) {
            throw new IllegalStateException("createInPlace needs an open deferral (deferSync)");
        }
        Path target = pathOf(key);
        if (LocalLayout.needsStoredName(target.getFileName().toString())) {
            return createIfAbsent(key, content, metadata);
        }
        Path dir = target.getParent();
        try {
            if (!checkedDirs.contains(dir)) {
                createParents(key, dir);
                temps.sweepOnce(dir);
                checkedDirs.add(dir);
            }
            Path movable = content.movableFile();
            if (movable != null && Files.getFileStore(movable).equals(Files.getFileStore(dir))) {
                long size = Files.size(movable);
                if (size != content.size()) {
                    throw new MigratorException(ErrorCode.INTEGRITY, "object '" + key + "': expected " + content.size()
                            + " bytes in " + movable + " but it holds " + size, null, true);
                }
                writeMetadata(movable, metadata);
                try {
                    Files.createLink(target, movable);
                } catch (FileAlreadyExistsException taken) {
                    return Optional.empty();
                }
                return Optional.of(new ObjectInfo(key, size, null, null, Checksums.NONE, metadata));
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            } catch (FileAlreadyExistsException taken) {
                return Optional.empty();
            }
            boolean whole = false;
            try (ch; InputStream in = content.open()) {
                long written = in.transferTo(Channels.newOutputStream(ch));
                if (written != content.size()) {
                    throw new MigratorException(ErrorCode.INTEGRITY, "object '" + key + "': expected " + content.size()
                            + " bytes from the source but read " + written, null, true);
                }
                writeMetadata(target, metadata);
                whole = true;
                return Optional.of(new ObjectInfo(key, written, null, null, Checksums.NONE, metadata));
            } finally {
                if (!whole) {
                    // The name is ours (O_EXCL): what a failed write left there must not stay behind as an object.
                    try {
                        Files.deleteIfExists(target);
                    } catch (IOException ignored) {
                        // the caller's marker still covers it: the next run replaces it
                    }
                }
            }
        } catch (IOException e) {
            throw failure("write", key, e);
        }
    }

    @Override
    public void delete(String key) {
        Path p = pathOf(key);
        try {
            Path link = linkAbove(p);
            if (link != null) {
                throw throughLink("delete", key, link);
            }
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(p);
                removeEmptyParents(p.getParent());
            }
        } catch (IOException e) {
            throw failure("delete", key, e);
        }
    }

    /** Object stores have no folders: drop the ones a delete left empty, up to the root. */
    private void removeEmptyParents(Path dir) {
        for (Path d = dir; d != null && !d.equals(root) && d.startsWith(root); d = d.getParent()) {
            try {
                Files.delete(d);
            } catch (IOException e) {
                return;
            }
        }
    }

    private MigratorException failure(String action, String key, IOException e) {
        if (e instanceof AccessDeniedException denied) {
            return new MigratorException(ErrorCode.AUTH, "permission denied to " + action + " '" + key + "' in " + displayUri
                    + " (" + denied.getFile() + "): check the directory's owner and mode", e);
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null && fse.getReason().contains("No space left")) {
            return new MigratorException(ErrorCode.FAILED, "no space left on the device of " + root + " while writing '" + key + "'", e);
        }
        if (e.getMessage() != null && e.getMessage().contains("extended attributes")) {
            return new MigratorException(ErrorCode.BAD_INPUT, "cannot keep object metadata for '" + key + "' in " + displayUri
                    + ": " + e.getMessage() + " (use a file system with user_xattr, e.g. ext4 or xfs)", e);
        }
        return new MigratorException(ErrorCode.FAILED, "cannot " + action + " '" + key + "' in " + displayUri + ": " + e, e);
    }

    @Override
    public void close() {
        // nothing held open
    }

    /**
     * Depth-first walk yielding keys in {@link Keys#ORDER}: siblings are sorted by their segment, with
     * a {@code /} appended for directories, which is exactly the order of the full keys. Symbolic links
     * are refused, skipped or followed as {@link #links} says.
     */
    private final class Walk implements Iterator<ObjectInfo> {
        private final String prefix;
        private final String startAfter;
        private final Deque<Iterator<Entry>> stack = new ArrayDeque<>();
        /** With {@link Links#FOLLOW}: the real directories being walked, to stop a link loop. */
        private final Deque<Path> walking = new ArrayDeque<>();
        private ObjectInfo next;
        private long skippedLinks;
        private boolean reported;

        Walk(String prefix, String startAfter) {
            this.prefix = prefix == null ? "" : prefix;
            this.startAfter = startAfter;
            walking.push(root);
            stack.push(entries(root, "").iterator());
        }

        @Override
        public boolean hasNext() {
            while (next == null && !stack.isEmpty()) {
                Iterator<Entry> top = stack.peek();
                if (!top.hasNext()) {
                    stack.pop();
                    walking.pop();
                    continue;
                }
                Entry e = top.next();
                if (e.directory) {
                    String dirKey = e.key + "/";
                    if ((dirKey.startsWith(prefix) || prefix.startsWith(dirKey)) && !whollyBeforeStart(dirKey)) {
                        descend(e, dirKey);
                    }
                } else if (e.key.startsWith(prefix) && (startAfter == null || Keys.ORDER.compare(e.key, startAfter) > 0)) {
                    try {
                        // The attributes read when the folder was listed: a second stat per file is half of what tar does in all.
                        next = info(e.key, e.path, e.attrs);
                    } catch (NoSuchFileException gone) {
                        // deleted while listing
                    } catch (IOException ex) {
                        throw failure("list", e.key, ex);
                    }
                }
            }
            if (next == null) {
                report();
            }
            return next != null;
        }

        /**
         * Whether every key under {@code dirKey} sorts at or before {@code startAfter}: the folder sorts below it
         * and is not a prefix of it, so its keys leave {@code startAfter} at a smaller byte.
         */
        private boolean whollyBeforeStart(String dirKey) {
            return startAfter != null && !startAfter.startsWith(dirKey) && Keys.ORDER.compare(dirKey, startAfter) < 0;
        }

        private void descend(Entry e, String dirKey) {
            Path real = e.path;
            if (links == Links.FOLLOW) {
                try {
                    real = e.path.toRealPath();
                } catch (IOException ex) {
                    throw failure("list", dirKey, ex);
                }
                if (walking.contains(real)) {
                    throw MigratorException.badInput(displayUri + ": following the symbolic links to '" + dirKey + "' ("
                            + real + ") leads back into a folder being listed (a link loop); remove the link or use"
                            + " ?links=skip");
                }
            }
            walking.push(real);
            stack.push(entries(e.path, dirKey).iterator());
        }

        /** With {@link Links#SKIP}: the total once the listing is over, when some were not named. */
        void report() {
            if (!reported && skippedLinks > NAMED_SKIPS) {
                reported = true;
                System.err.println("warning: " + displayUri + ": skipped " + skippedLinks + " symbolic links in all (links=skip)");
            }
        }

        @Override
        public ObjectInfo next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ObjectInfo out = next;
            next = null;
            return out;
        }

        private List<Entry> entries(Path dir, String keyPrefix) {
            List<Entry> out = new ArrayList<>();
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                for (Path child : children) {
                    String name = child.getFileName().toString();
                    FileNameEncoding.requireDecoded(dir, name);
                    String segment = LocalLayout.needsStoredName(name) ? Xattrs.get(child, ATTR_NAME) : LocalLayout.decodeSimple(name);
                    if (segment == null) {
                        continue;
                    }
                    BasicFileAttributes attrs = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (attrs.isSymbolicLink()) {
                        attrs = link(child, keyPrefix + segment);
                        if (attrs == null) {
                            continue;
                        }
                    }
                    if (attrs.isDirectory() || attrs.isRegularFile()) {
                        out.add(new Entry(keyPrefix + segment, child, attrs.isDirectory(), attrs));
                    }
                }
            } catch (NoSuchFileException gone) {
                return out;
            } catch (IOException e) {
                throw failure("list", keyPrefix, e);
            }
            out.sort((a, b) -> Arrays.compareUnsigned(a.sortKey(), b.sortKey()));
            return out;
        }

        /**
         * A symbolic link met at {@code key}: refused (the default, so that nothing is left out without a word),
         * skipped with a warning, or the attributes of what it points to.
         */
        private BasicFileAttributes link(Path link, String key) throws IOException {
            String to = Files.readSymbolicLink(link).toString();
            switch (links) {
                case SKIP -> {
                    if (++skippedLinks <= NAMED_SKIPS) {
                        System.err.println("warning: " + displayUri + ": skipped symbolic link '" + key + "' (to " + to
                                + ") (links=skip)");
                    }
                    return null;
                }
                case FOLLOW -> {
                    try {
                        return Files.readAttributes(link, BasicFileAttributes.class);
                    } catch (NoSuchFileException dangling) {
                        throw MigratorException.badInput(displayUri + ": symbolic link '" + key + "' points to " + to
                                + ", which does not exist; remove the link or use ?links=skip");
                    }
                }
                default -> throw MigratorException.badInput(displayUri + " holds a symbolic link '" + key + "' (to " + to
                        + "), and migrator neither copies a link nor leaves one out unless told: add ?links=skip to the file://"
                        + " URI to leave links out (each one reported), or ?links=follow to read what they point to");
            }
        }
    }

    /** A listed child: {@code attrs} are its own, or with {@link Links#FOLLOW} those of what its link points to. */
    private record Entry(String key, Path path, boolean directory, BasicFileAttributes attrs) {
        byte[] sortKey() {
            return (directory ? key + "/" : key).getBytes(StandardCharsets.UTF_8);
        }
    }
}
