package dev.migrator.transfer;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.IOException;
import java.io.Writer;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.Stream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The durable record of objects a copy has finished and verified, so that the same command after a
 * crash or {@code kill -9} skips them. Append-only text, one line per object:
 * {@code md5 TAB size TAB source-version TAB url-encoded-key}. Lines are fsynced in groups every
 * {@value #SYNC_MILLIS} ms (a crash loses at most that much, and those objects are then found
 * identical at the target and skipped, not copied again). A torn last line is ignored on load.
 *
 * <p><b>Memory stays flat on resume.</b> Objects finish out of order, so the lines of a run are only nearly
 * sorted. Opening a journal that holds lines sorts it on disk (runs of {@value #SORT_CHUNK} entries, merged
 * {@value #MERGE_FAN_IN} at a time, the latest line of a key winning) into a new file that replaces the old
 * one by an atomic rename; {@link #isDone} then reads that sorted part once, alongside the listing, which
 * comes in the same {@link Keys#ORDER}. Only one sort run is ever held in memory, whatever the object count.
 * A {@code kill -9} during the sort leaves the old journal in place and some {@code .sort-*} files, which the
 * next open removes. The lines this run appends land after the sorted part and are sorted by the next resume.
 */
public final class Journal implements AutoCloseable {
    static final String HEADER = "migrator-copy-journal v1";
    static final long SYNC_MILLIS = 250;
    /** Entries sorted in memory at once: about 10 MB of heap at typical key lengths. */
    static final int SORT_CHUNK = 40_000;
    /** Sorted runs merged at once (open files). */
    static final int MERGE_FAN_IN = 64;

    private final Path file;
    /** Distinct objects an earlier run recorded: the entries of the sorted part. */
    private final long resumed;
    /**
     * A plain stream, not a {@code FileChannel}: an interrupt (Ctrl-C cancelling the workers that call
     * {@link #markDone}, or the syncer being stopped) would close a channel and lose the journal's tail.
     */
    private final FileOutputStream out;
    private final Writer writer;
    private final ScheduledExecutorService syncer;
    private boolean dirty;
    /** Reads the sorted part for {@link #isDone}; null until first needed and after its end. */
    private BufferedReader sorted;
    private long sortedRead;
    private Entry head;
    private String lastAsked;

    /** One line: the decoded key and the rest ({@code md5 TAB size TAB version}). */
    private record Entry(String key, String rest, String line) {
    }

    private Journal(Path file, int chunk, int fanIn) throws IOException {
        this.file = file;
        Files.createDirectories(file.getParent());
        removeSortLeftovers();
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        resumed = fresh ? 0 : sort(chunk, fanIn);
        out = new FileOutputStream(file.toFile(), true);
        writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        if (fresh) {
            writer.write(HEADER + "\n");
        }
        syncer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "journal-sync");
            t.setDaemon(true);
            return t;
        });
        syncer.scheduleWithFixedDelay(this::syncQuietly, SYNC_MILLIS, SYNC_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Opens (creating if needed) the journal at {@code file}, sorting what an earlier run finished. */
    public static Journal open(Path file) {
        return open(file, SORT_CHUNK, MERGE_FAN_IN);
    }

    /** {@link #open(Path)} with other sort sizes, so tests reach the multi-pass merge with few entries. */
    static Journal open(Path file, int chunk, int fanIn) {
        try {
            return new Journal(file, chunk, fanIn);
        } catch (java.nio.file.FileSystemException e) {
            // Permission denied, or a path component that is a file: the --state location is unusable.
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileAlreadyExistsException ? "it is a file, not a directory"
                    : e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            throw new MigratorException(ErrorCode.BAD_INPUT, "cannot write the copy journal " + file + ": " + e.getFile()
                    + ": " + why + " (use --state DIR to put it in a writable directory)", e);
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot open the copy journal " + file + ": " + e.getMessage()
                    + " (use --state DIR to put it elsewhere)", e);
        }
    }

    private String sortPrefix() {
        return file.getFileName() + ".sort-";
    }

    private void removeSortLeftovers() throws IOException {
        try (Stream<Path> files = Files.list(file.getParent())) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().startsWith(sortPrefix())) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Parses a line; null for the header, an empty line or a line torn by a crash. */
    private static Entry parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 4) {
            return null;
        }
        try {
            return new Entry(URLDecoder.decode(f[3], StandardCharsets.UTF_8), f[0] + "\t" + f[1] + "\t" + f[2], line);
        } catch (IllegalArgumentException torn) {
            return null; // a torn percent escape: the entry is incomplete, so the object is simply checked again
        }
    }

    /**
     * Sorts the journal on disk (see the class comment) and replaces it with the sorted file; returns the
     * number of distinct keys. Each key's latest line wins: runs are numbered in file order, equal keys are
     * resolved towards the later run, and within a run the sort is stable.
     */
    private long sort(int chunk, int fanIn) throws IOException {
        List<Path> runs = new ArrayList<>();
        int seq = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (!HEADER.equals(header)) {
                throw new IOException("not a migrator copy journal (first line is not '" + HEADER + "')");
            }
            List<Entry> batch = new ArrayList<>();
            for (String line; ; ) {
                line = r.readLine();
                Entry e = line == null ? null : parse(line);
                if (e != null) {
                    batch.add(e);
                }
                if (batch.size() >= chunk || (line == null && !batch.isEmpty())) {
                    batch.sort(BY_KEY);
                    Path run = file.resolveSibling(sortPrefix() + seq++);
                    writeRun(run, dedup(batch.iterator()));
                    runs.add(run);
                    batch.clear();
                }
                if (line == null) {
                    break;
                }
            }
        }
        while (runs.size() > 1) {
            List<Path> next = new ArrayList<>();
            for (int i = 0; i < runs.size(); i += fanIn) {
                List<Path> group = runs.subList(i, Math.min(runs.size(), i + fanIn));
                Path merged = file.resolveSibling(sortPrefix() + seq++);
                merge(group, merged);
                for (Path p : group) {
                    Files.delete(p);
                }
                next.add(merged);
            }
            runs = next;
        }
        long count = 0;
        Path sortedFile = file.resolveSibling(sortPrefix() + "final");
        try (FileOutputStream fos = new FileOutputStream(sortedFile.toFile());
             Writer w = new BufferedWriter(new OutputStreamWriter(fos, StandardCharsets.UTF_8), 1 << 16)) {
            w.write(HEADER + "\n");
            if (!runs.isEmpty()) {
                try (BufferedReader r = Files.newBufferedReader(runs.get(0), StandardCharsets.UTF_8)) {
                    for (String line; (line = r.readLine()) != null; count++) {
                        w.write(line);
                        w.write('\n');
                    }
                }
                Files.delete(runs.get(0));
            }
            w.flush();
            fos.getFD().sync();
        }
        // The sorted file holds every entry of the old one: only now may it take its place.
        Files.move(sortedFile, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.getParent());
        return count;
    }

    private static final Comparator<Entry> BY_KEY = (a, b) -> Keys.ORDER.compare(a.key(), b.key());

    /** Of sorted entries, the last of each key (the latest written). */
    private static Iterator<Entry> dedup(Iterator<Entry> sorted) {
        return new Iterator<>() {
            Entry pending = sorted.hasNext() ? sorted.next() : null;

            @Override
            public boolean hasNext() {
                return pending != null;
            }

            @Override
            public Entry next() {
                Entry e = pending;
                pending = null;
                while (sorted.hasNext()) {
                    Entry n = sorted.next();
                    if (!n.key().equals(e.key())) {
                        pending = n;
                        break;
                    }
                    e = n;
                }
                return e;
            }
        };
    }

    private static void writeRun(Path run, Iterator<Entry> entries) throws IOException {
        try (Writer w = Files.newBufferedWriter(run, StandardCharsets.UTF_8)) {
            while (entries.hasNext()) {
                w.write(entries.next().line());
                w.write('\n');
            }
        }
    }

    /** Merges sorted, duplicate-free runs (in file order) into one; on equal keys the later run wins. */
    private static void merge(List<Path> group, Path into) throws IOException {
        record Head(Entry entry, int run) {
        }
        List<BufferedReader> readers = new ArrayList<>();
        try {
            PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> {
                int c = BY_KEY.compare(a.entry(), b.entry());
                return c != 0 ? c : Integer.compare(a.run(), b.run());
            });
            for (int i = 0; i < group.size(); i++) {
                BufferedReader r = Files.newBufferedReader(group.get(i), StandardCharsets.UTF_8);
                readers.add(r);
                Entry e = nextEntry(r);
                if (e != null) {
                    heads.add(new Head(e, i));
                }
            }
            Iterator<Entry> merged = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return !heads.isEmpty();
                }

                @Override
                public Entry next() {
                    Head h = heads.poll();
                    try {
                        Entry n = nextEntry(readers.get(h.run()));
                        if (n != null) {
                            heads.add(new Head(n, h.run()));
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    return h.entry();
                }
            };
            writeRun(into, dedup(merged));
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        } finally {
            for (BufferedReader r : readers) {
                r.close();
            }
        }
    }

    private static Entry nextEntry(BufferedReader r) throws IOException {
        for (String line; (line = r.readLine()) != null; ) {
            Entry e = parse(line);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    private static void syncDirectory(Path dir) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every file system syncs directories; the rename itself is atomic
        }
    }

    /** How many finished objects an earlier run recorded. */
    public long resumedCount() {
        return resumed;
    }

    /**
     * Whether {@code source} was finished and verified by an earlier run, unchanged since. Calls are meant to
     * come in {@link Keys#ORDER} of their keys (as a listing hands them out): then the earlier runs' entries are
     * read once, in step. A key before the previous one starts the reading over (correct, only slower).
     */
    public synchronized boolean isDone(ObjectInfo source) {
        if (resumed == 0) {
            return false;
        }
        String key = source.key();
        try {
            if (sorted == null || (lastAsked != null && Keys.ORDER.compare(key, lastAsked) < 0)) {
                restartSorted();
            }
            lastAsked = key;
            while (head != null && Keys.ORDER.compare(head.key(), key) < 0) {
                head = nextSorted();
            }
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot read the copy journal " + file + ": " + e.getMessage(), e);
        }
        return head != null && head.key().equals(key) && head.rest().endsWith("\t" + source.size() + "\t" + version(source));
    }

    private void restartSorted() throws IOException {
        closeSorted();
        sorted = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        sorted.readLine(); // the header
        sortedRead = 0;
        head = nextSorted();
    }

    /** The next entry of the sorted part; the lines this run appended after it are not read. */
    private Entry nextSorted() throws IOException {
        if (sortedRead >= resumed) {
            return null;
        }
        Entry e = nextEntry(sorted);
        sortedRead++;
        return e;
    }

    private void closeSorted() throws IOException {
        if (sorted != null) {
            sorted.close();
            sorted = null;
        }
    }

    /** Records that {@code source} is copied and verified; {@code md5} of its content, if known. */
    public synchronized void markDone(ObjectInfo source, String md5) {
        try {
            writer.write((md5 == null ? "-" : md5) + "\t" + source.size() + "\t" + version(source) + "\t"
                    + URLEncoder.encode(source.key(), StandardCharsets.UTF_8) + "\n");
            dirty = true;
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot write the copy journal " + file + ": " + e.getMessage(), e);
        }
    }

    /** What identifies this version of a source object without reading it. */
    private static String version(ObjectInfo o) {
        if (o.etag() != null) {
            return "etag:" + o.etag();
        }
        if (o.checksums().md5() != null) {
            return "md5:" + o.checksums().md5();
        }
        return o.lastModified() == null ? "-" : "mtime:" + o.lastModified().toEpochMilli();
    }

    public synchronized void sync() throws IOException {
        if (dirty) {
            writer.flush();
            out.getFD().sync();
            dirty = false;
        }
    }

    private void syncQuietly() {
        try {
            sync();
        } catch (IOException ignored) {
            // reported by the next markDone or close
        }
    }

    @Override
    public void close() {
        syncer.shutdown(); // not shutdownNow: a sync in progress finishes
        try {
            syncer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            synchronized (this) {
                sync();
                writer.close();
                closeSorted();
            }
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot write the copy journal " + file + ": " + e.getMessage(), e);
        }
    }

    /** Closes and removes the journal: the copy is complete and nothing needs resuming. */
    public void closeAndDelete() {
        close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // rare; a leftover journal only lets a later run trust this run's verified objects
        }
    }
}
