package dev.migrator.bundle;

import dev.migrator.provider.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A large object's stream, read ahead by a reader thread ({@link #fill}) that also computes the SHA-256 of its first
 * {@code size} bytes, so that the archive thread only copies them. Why: on the profile of a folder with large files the
 * archive thread spent its time in the file's {@code read} and in SHA-256 while the reader threads were idle.
 *
 * <p>Contract: {@link #read} yields exactly the source's bytes, in order, then end of stream (or the source's
 * failure); {@link #sha256()} is the SHA-256 of the first {@code size} bytes once they have all been read through this
 * stream, else null (the object was shorter, and the archive reports that). At most {@link #QUEUED} chunks of
 * {@link #CHUNK} bytes wait. {@link #close} (by the archive) or an interrupt of the filling thread (the prefetcher's
 * close) stops the reading.
 */
final class ReadAhead extends InputStream {
    static final int CHUNK = 256 * 1024;
    static final int QUEUED = 4;
    private static final Chunk END = new Chunk(new byte[0], 0, null);

    private final long size;
    private final InputStream source;
    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED);
    /** Arrays the archive has copied out, reused by the filler: a new array per chunk grew the heap (peak RSS). */
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(QUEUED + 2);
    private volatile boolean closed;
    private volatile String sha256;
    private Chunk current;
    private int pos;
    private long consumed;
    private IOException failure;

    /** {@code failure}: set on the last chunk when the source failed (thrown to the reader in order). */
    private record Chunk(byte[] bytes, int length, IOException failure) {
    }

    /** Over {@code source}, which {@link #fill} reads (and closes); {@code size}: the object's, whose bytes are hashed. */
    ReadAhead(InputStream source, long size) {
        this.source = source;
        this.size = size;
    }

    /**
     * Runs on a reader thread: reads {@code source} to its end (closing it) into the queue, hashing the first
     * {@code size} bytes. Returns when the source ended, failed, or this stream was closed.
     */
    void fill() {
        MessageDigest sha = Digests.sha256();
        long hashed = 0;
        try (InputStream in = source) {
            while (!closed) {
                byte[] reused = free.poll();
                byte[] b = reused == null ? new byte[CHUNK] : reused;
                int n = in.readNBytes(b, 0, b.length);
                if (n > 0) {
                    int take = (int) Math.min(n, size - hashed);
                    if (take > 0) {
                        sha.update(b, 0, take);
                        hashed += take;
                        if (hashed == size) {
                            sha256 = Digests.hex(sha.digest()); // before the chunk is handed over: the archive sees it with it
                        }
                    }
                    queue.put(new Chunk(b, n, null));
                }
                if (n < b.length) {
                    break;
                }
            }
            if (size == 0) {
                sha256 = Digests.hex(sha.digest());
            }
            queue.put(END);
        } catch (IOException e) {
            putQuietly(new Chunk(new byte[0], 0, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            putQuietly(new Chunk(new byte[0], 0, new InterruptedIOException("reading ahead was stopped")));
        } catch (RuntimeException e) {
            putQuietly(new Chunk(new byte[0], 0, new IOException(e.getMessage(), e)));
        }
    }

    private void putQuietly(Chunk c) {
        // The archive waits for a chunk unless it closed this stream; never block a stopping reader for long.
        if (!queue.offer(c)) {
            queue.clear();
            queue.offer(c);
        }
    }

    /** The SHA-256 (hex) of the first {@code size} bytes, once all of them were read from this stream; else null. */
    String sha256() {
        return consumed >= size ? sha256 : null;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || pos == current.length) {
            if (current == END) {
                return -1;
            }
            if (failure != null) {
                throw failure;
            }
            if (current != null && current.length > 0) {
                free.offer(current.bytes); // copied out whole: the filler may refill it
            }
            current = null; // offered once only, even if the take below is interrupted
            try {
                current = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading");
            }
            pos = 0;
            if (current.failure != null) {
                failure = current.failure;
                current = null;
                throw failure;
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current.bytes, pos, b, off, n);
        pos += n;
        consumed += n;
        return n;
    }

    /** Stops the reading ahead; the filling thread leaves at its next chunk. */
    @Override
    public void close() {
        closed = true;
        queue.clear(); // frees a filler blocked on a full queue
    }
}
