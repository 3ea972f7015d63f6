package dev.migrator.bundle;

import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Opens the objects of a listing ahead of the (single, sequential) archive writer, {@code readers} at a
 * time, and hands them out in listing order. Objects up to {@link #BUFFERED} bytes are read whole in
 * the background (and hashed there, {@link Whole}), so many small objects cost one round trip of latency in parallel
 * rather than one each in sequence; larger ones are handed out as streams that a reader thread reads ahead and hashes
 * ({@link ReadAhead}). Memory: at most {@code 2 * readers} batches of buffered objects, each at most
 * {@link #BATCH_BYTES} and one object of at most {@link #BUFFERED} or the read-ahead of one large object
 * ({@link ReadAhead#QUEUED} chunks of {@link ReadAhead#CHUNK}).
 *
 * <p>Batches: a reader takes consecutive objects in one task, so a thread is woken once per batch, not per
 * object (on a local folder of small files, the wake-ups were about as costly as the reads). The batch
 * size adapts: it doubles while the archive finds its next object already read, and halves when it has to
 * wait, so a store with latency (where the parallel reads are the point) keeps one object per task.
 */
final class Prefetcher implements AutoCloseable {
    static final int BUFFERED = 1 << 20;
    /** Listed bytes a batch takes at most, beyond its first object. */
    static final long BATCH_BYTES = 256 * 1024;
    static final int MAX_BATCH = 64;

    private final ObjectStore store;
    private final Iterator<Wanted> listing;
    private final ExecutorService pool;
    private final Deque<CompletableFuture<Fetched>> window = new ArrayDeque<>();
    /** Batches not yet handed out in whole (a batch counts until its last object is taken). */
    private final Deque<CompletableFuture<Fetched>> batchEnds = new ArrayDeque<>();
    private final int depth;
    private int batch = 1;

    /**
     * One object: its full info and a stream over its bytes (the caller closes it); null when it vanished.
     * {@code whole}: for an object read whole that had exactly its info's size, those bytes and their hashes, or null.
     */
    record Fetched(ObjectInfo listed, ObjectInfo info, InputStream stream, Manifest.Version version, Whole whole) {
        Fetched(ObjectInfo listed, ObjectInfo info, InputStream stream) {
            this(listed, info, stream, null, null);
        }

        Fetched(ObjectInfo listed, ObjectInfo info, InputStream stream, Manifest.Version version) {
            this(listed, info, stream, version, null);
        }
    }

    /**
     * An object's bytes read whole (the first {@code length} of {@code bytes}), with their SHA-256 and (when {@code md5} was asked for) MD5, both hex, computed on the
     * reader thread: the archive thread then only copies the bytes (hashing was a large share of its time on small
     * files). Only made when exactly the object's size was read and the stream had ended, so these bytes are exactly
     * the entry's; the stream beside it yields the same bytes.
     */
    record Whole(byte[] bytes, int length, String sha256, String md5) {
    }

    /** Reader threads' digests, reused (digest() resets them): a lookup per object costs more than a small one's hashing. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Digests::sha256);
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(Digests::md5);

    /**
     * What to read: a key's current object ({@code version} null), or one entry of its history
     * ({@link ObjectStore#listVersions}) with its place in that history.
     */
    record Wanted(ObjectInfo listed, ObjectVersion version, Manifest.Version place) {
        static Wanted current(ObjectInfo listed) {
            return new Wanted(listed, null, null);
        }
    }

    Prefetcher(ObjectStore store, Iterator<Wanted> listing, int readers) {
        this.store = store;
        this.listing = listing;
        this.depth = 2 * readers;
        this.pool = Executors.newFixedThreadPool(readers, r -> {
            Thread t = new Thread(r, "bundle-read");
            t.setDaemon(true);
            return t;
        });
    }

    boolean hasNext() {
        fill();
        return !window.isEmpty();
    }

    /** The next object in listing order; {@code info} is null if it was deleted after it was listed. */
    Fetched next() {
        fill();
        CompletableFuture<Fetched> head = window.removeFirst();
        batch = head.isDone() ? Math.min(MAX_BATCH, batch * 2) : Math.max(1, batch / 2);
        if (head == batchEnds.peekFirst()) {
            batchEnds.removeFirst();
        }
        try {
            return head.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted while reading the source", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new MigratorException(ErrorCode.FAILED, e.getCause().getMessage(), e.getCause());
        }
    }

    private void fill() {
        while (batchEnds.size() < depth && listing.hasNext()) {
            List<Wanted> wanted = new ArrayList<>();
            List<CompletableFuture<Fetched>> results = new ArrayList<>();
            long bytes = 0;
            do {
                Wanted w = listing.next();
                wanted.add(w);
                results.add(new CompletableFuture<>());
                bytes += Math.max(0, w.listed().size());
            } while (wanted.size() < batch && bytes < BATCH_BYTES && listing.hasNext());
            window.addAll(results);
            batchEnds.addLast(results.get(results.size() - 1));
            try {
                pool.execute(() -> {
                    for (int i = 0; i < wanted.size(); i++) {
                        Wanted w = wanted.get(i);
                        try {
                            Fetched f = w.version() == null ? fetch(w.listed()) : fetchVersion(w);
                            ReadAhead ahead = null;
                            if (f.info() != null && f.whole() == null && f.info().size() > BUFFERED) {
                                ahead = new ReadAhead(f.stream(), f.info().size());
                                f = new Fetched(f.listed(), f.info(), ahead, f.version(), null);
                            }
                            if (!results.get(i).complete(f) && f.stream() != null) {
                                f.stream().close(); // cancelled by close(): nobody will read it
                                if (ahead != null) {
                                    ahead.fill(); // closed already: only closes the source
                                }
                            } else if (ahead != null) {
                                // A large object is last in its batch (BATCH_BYTES), so reading it here delays no other.
                                ahead.fill();
                            }
                        } catch (Throwable e) {
                            results.get(i).completeExceptionally(e);
                        }
                    }
                });
            } catch (RejectedExecutionException e) {
                results.forEach(r -> r.completeExceptionally(e)); // closed
            }
        }
    }

    private Fetched fetch(ObjectInfo listed) throws IOException {
        ObjectStore.Opened opened;
        try {
            // A listing that loaded the metadata (ObjectInfo's contract: null when not loaded) already holds
            // everything the entry needs: a second stat per object is what kept a local folder's create at
            // twice tar's system calls. The entry's size is still checked against the bytes read.
            opened = listed.metadata() != null ? new ObjectStore.Opened(listed, store.open(listed.key(), 0, -1))
                    : store.openWithInfo(listed.key());
        } catch (MigratorException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return new Fetched(listed, null, null);
            }
            throw e;
        }
        if (opened.info().size() > BUFFERED) {
            return new Fetched(listed, opened.info(), opened.stream());
        }
        try (InputStream in = opened.stream()) {
            Read r = read(in, opened.info().size());
            return new Fetched(listed, opened.info(), r.stream(), null, whole(r, opened.info()));
        } catch (IOException e) {
            throw MigratorException.retryable("reading '" + listed.key() + "' from " + store.displayUri() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads an object of about {@code size} (at most {@link #BUFFERED}) bytes whole: into one array of its size and
     * one byte more, so that the usual case takes two reads and no copy; a longer one is read on, so that the archive
     * still sees every byte and reports the size change.
     */
    static InputStream readSmall(InputStream in, long size) throws IOException {
        Read r = read(in, size);
        return new ByteArrayInputStream(r.bytes(), 0, r.length());
    }

    /** What {@link #readSmall} read: the first {@code length} bytes of {@code bytes}, and then the stream had ended. */
    private record Read(byte[] bytes, int length) {
        InputStream stream() {
            return new ByteArrayInputStream(bytes, 0, length);
        }
    }

    private static Read read(InputStream in, long size) throws IOException {
        byte[] first = new byte[(int) size + 1];
        int n = in.readNBytes(first, 0, first.length);
        if (n < first.length) {
            return new Read(first, n);
        }
        byte[] rest = in.readAllBytes();
        byte[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return new Read(all, all.length);
    }

    /**
     * The hashes of what {@link #read} read, when it is exactly {@code info}'s size (and so the stream had ended);
     * null otherwise: the archive then copies the stream, hashes it and reports the size change.
     */
    private static Whole whole(Read read, ObjectInfo info) {
        if (read.length() != info.size()) {
            return null;
        }
        MessageDigest sha = SHA256.get();
        sha.update(read.bytes(), 0, read.length());
        String md5 = null;
        if (info.checksums() != null && info.checksums().md5() != null) {
            MessageDigest m = MD5.get();
            m.update(read.bytes(), 0, read.length());
            md5 = Digests.hex(m.digest());
        }
        return new Whole(read.bytes(), read.length(), Digests.hex(sha.digest()), md5);
    }

    /** One entry of a history: a delete marker has no bytes; a version is read by its id, as it was written. */
    private Fetched fetchVersion(Wanted wanted) throws IOException {
        ObjectVersion v = wanted.version();
        if (v.deleteMarker()) {
            return new Fetched(v.info(), v.info(), InputStream.nullInputStream(), wanted.place());
        }
        ObjectInfo info;
        InputStream stream;
        try {
            info = store.statVersion(v.key(), v.versionId()).orElse(null);
            if (info == null) {
                return new Fetched(v.info(), null, null, wanted.place());
            }
            stream = store.openVersion(v.key(), v.versionId(), 0, -1);
        } catch (MigratorException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return new Fetched(v.info(), null, null, wanted.place());
            }
            throw e;
        }
        if (info.size() > BUFFERED) {
            return new Fetched(v.info(), info, stream, wanted.place());
        }
        try (InputStream in = stream) {
            Read r = read(in, info.size());
            return new Fetched(v.info(), info, r.stream(), wanted.place(), whole(r, info));
        } catch (IOException e) {
            throw MigratorException.retryable("reading version " + v.versionId() + " of '" + v.key() + "' from " + store.displayUri()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        for (CompletableFuture<Fetched> f : window) {
            if (f.isDone() && !f.isCancelled()) {
                try {
                    Fetched fetched = f.get();
                    if (fetched.stream() != null) {
                        fetched.stream().close();
                    }
                } catch (Exception ignored) {
                    // abandoning
                }
            } else {
                f.cancel(true);
            }
        }
    }
}
