package dev.migrator.transfer;

import dev.migrator.provider.ErrorCode;
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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The durable record of objects a copy has finished and verified, so that the same command after a
 * crash or {@code kill -9} skips them. Append-only text, one line per object:
 * {@code md5 TAB size TAB source-version TAB url-encoded-key}. Lines are fsynced in groups every
 * {@value #SYNC_MILLIS} ms (a crash loses at most that much, and those objects are then found
 * identical at the target and skipped, not copied again). A torn last line is ignored on load.
 */
public final class Journal implements AutoCloseable {
    static final String HEADER = "migrator-copy-journal v1";
    static final long SYNC_MILLIS = 250;

    private final Path file;
    private final Map<String, String> done = new HashMap<>();
    /**
     * A plain stream, not a {@code FileChannel}: an interrupt (Ctrl-C cancelling the workers that call
     * {@link #markDone}, or the syncer being stopped) would close a channel and lose the journal's tail.
     */
    private final FileOutputStream out;
    private final Writer writer;
    private final ScheduledExecutorService syncer;
    private boolean dirty;

    private Journal(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.getParent());
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        if (!fresh) {
            load();
        }
        out = new FileOutputStream(file.toFile(), true);
        writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        if (fresh) {
            writer.write(HEADER + "\n");
        } else {
            writer.write("\n"); // terminate a torn last line, if any; empty lines are ignored
        }
        syncer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "journal-sync");
            t.setDaemon(true);
            return t;
        });
        syncer.scheduleWithFixedDelay(this::syncQuietly, SYNC_MILLIS, SYNC_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Opens (creating if needed) the journal at {@code file}, loading what an earlier run finished. */
    public static Journal open(Path file) {
        try {
            return new Journal(file);
        } catch (java.nio.file.FileSystemException e) {
            // Permission denied, or a path component that is a file: the --state location is unusable.
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileAlreadyExistsException ? "it is a file, not a directory"
                    : e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            throw new MigratorException(ErrorCode.BAD_INPUT, "cannot write the copy journal " + file + ": " + e.getFile()
                    + ": " + why + " (use --state DIR to put it in a writable directory)", e);
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot open the copy journal " + file + ": " + e
                    + " (use --state DIR to put it elsewhere)", e);
        }
    }

    private void load() throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (!HEADER.equals(header)) {
                throw new IOException("not a migrator copy journal (first line is not '" + HEADER + "')");
            }
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split("\t", -1);
                if (f.length != 4) {
                    continue; // empty or torn by a crash
                }
                try {
                    done.put(URLDecoder.decode(f[3], StandardCharsets.UTF_8), f[0] + "\t" + f[1] + "\t" + f[2]);
                } catch (IllegalArgumentException torn) {
                    // a torn percent escape: the entry is incomplete, so the object is simply checked again
                }
            }
        }
    }

    /** How many finished objects an earlier run recorded. */
    public synchronized int resumedCount() {
        return done.size();
    }

    /** Whether {@code source} was finished and verified by an earlier run, unchanged since. */
    public synchronized boolean isDone(ObjectInfo source) {
        String entry = done.get(source.key());
        return entry != null && entry.endsWith("\t" + source.size() + "\t" + version(source));
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
