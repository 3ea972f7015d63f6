package dev.migrator.provider.local;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The local store's temporary upload files, and the sweep of those a killed run left behind.
 *
 * <p>A temporary file is named {@code .mig~tmp-<pid>@<host>-<uuid>}: the process writing it and the machine
 * it runs on ({@code host} is the host name plus the PID namespace, so two containers on one machine are two
 * hosts). A file is stale, and swept, when
 * <ul>
 *   <li>its writer ran on this host and that process is gone (it cannot be writing any more; a PID reused by
 *       another process only keeps the file a while longer), or</li>
 *   <li>it was last modified more than {@link #STALE_AFTER} ago, whoever wrote it: a live writer modifies its
 *       file as the bytes arrive and renames it a moment after the last one; this is the rule for files from
 *       another machine sharing the folder (NFS), whose processes cannot be looked up here, and for unnamed ones.</li>
 * </ul>
 * No lock is involved: a file lock is released for a whole process by closing any channel on the file (POSIX),
 * so the sweep checking one would break a writer in the same JVM, and locks on network file systems are unreliable.
 * Files of this process are never swept (another thread may be writing them).
 *
 * <p><b>Where</b>: lazily, once per directory per store, when the store is about to write into that directory.
 * A walk of the whole tree on open would read every directory of a huge target before the first write, and
 * would also write into a store opened only to be read (a source). The runs a kill interrupts are resumed by
 * running them again, which writes the interrupted objects into the same directories, so their leftovers go
 * at the first write there. Only the directory's own entries are looked at, regular files only (never through
 * a link), and that directory is one the store has just checked is a real directory under its root.
 */
final class TempFiles {
    static final Duration STALE_AFTER = Duration.ofHours(1);
    /**
     * How many swept directories a store remembers: writes come in key order, so a directory's writes are
     * close together, and one forgotten is only swept again (one read of its entries).
     */
    private static final int REMEMBERED = 4096;
    private static final long PID = ProcessHandle.current().pid();
    /** Null when the host cannot be named: then only the age of a file tells. */
    private static final String HOST = host();
    private static final String OURS = LocalLayout.TEMP + PID + "@" + (HOST == null ? "" : HOST) + "-";

    private final Set<Path> swept = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    }));

    /** A new temporary name in {@code dir}, unique across processes and hosts. */
    static Path newTemp(Path dir) {
        return dir.resolve(OURS + UUID.randomUUID());
    }

    /** The name a process {@code pid} of this host gives a temporary file (for tests that play another writer). */
    static String nameOf(long pid) {
        return LocalLayout.TEMP + pid + "@" + HOST + "-" + UUID.randomUUID();
    }

    /** Sweeps {@code dir} unless this store has done so already; best effort, never fails a write. */
    void sweepOnce(Path dir) {
        if (!swept.add(dir)) {
            return;
        }
        Instant staleBefore = Instant.now().minus(STALE_AFTER);
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, LocalLayout.TEMP + "*")) {
            for (Path temp : temps) {
                try {
                    BasicFileAttributes attrs = Files.readAttributes(temp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (attrs.isRegularFile() && stale(temp.getFileName().toString(), attrs.lastModifiedTime().toInstant(),
                            staleBefore, ownedByUs(temp))) {
                        Files.deleteIfExists(temp); // deletes the name in dir, never anything it could point to
                    }
                } catch (IOException e) {
                    // gone meanwhile (renamed into place by its writer, or swept by another process), or not ours to delete
                }
            }
        } catch (IOException e) {
            // the write that follows reports a directory it cannot use
        }
    }

    /**
     * Whether the temporary file {@code name}, last modified at {@code modified}, has no live writer (see the class
     * comment). Its writer's PID is looked up only for a file of our own user ({@code ours}): another user's
     * processes may be hidden from us ({@code /proc} mounted with {@code hidepid}) and so look gone.
     */
    static boolean stale(String name, Instant modified, Instant staleBefore, boolean ours) {
        if (name.startsWith(OURS)) {
            return false;
        }
        if (modified.isBefore(staleBefore)) {
            return true;
        }
        if (HOST == null || !ours) {
            return false; // no name to tell this machine's files from another's, or another user's file: its age tells
        }
        String rest = name.substring(LocalLayout.TEMP.length());
        int at = rest.indexOf('@');
        String suffix = "@" + HOST + "-";
        if (at <= 0 || !rest.startsWith(suffix, at)) {
            return false; // another host's, or not named by this scheme: only its age tells
        }
        long pid;
        try {
            pid = Long.parseLong(rest.substring(0, at));
        } catch (NumberFormatException e) {
            return false;
        }
        return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    private static boolean ownedByUs(Path file) {
        try {
            return Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * This machine's name and PID namespace, as far as they can be read, in characters safe in a file name.
     * The namespace tells two containers apart that share a host name and a volume but not their PIDs.
     */
    private static String host() {
        String name = null;
        try {
            name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        if (name == null || name.isEmpty()) {
            name = System.getenv().getOrDefault("HOSTNAME", System.getenv("COMPUTERNAME"));
        }
        if (name == null || name.isBlank()) {
            return null;
        }
        try {
            // "pid:[4026531836]"
            name += "~" + Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString().replaceAll("\\D", "");
        } catch (IOException | RuntimeException e) {
            // no PID namespaces here
        }
        String safe = name.replaceAll("[^A-Za-z0-9.~_]", "_");
        return safe.length() > 80 ? safe.substring(0, 80) : safe;
    }
}
