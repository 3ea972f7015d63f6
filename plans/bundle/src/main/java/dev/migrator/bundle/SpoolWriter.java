package dev.migrator.bundle;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The end of a part's output chain: updates the part's digests with the stored bytes and writes them to the spool
 * file on a thread of its own, so that the archive thread only tars and compresses. Why: on the profile of a local
 * folder, the spool file's {@code write} and the part's SHA-256 and MD5 were most of the archive thread's time, while
 * the second core waited.
 *
 * <p>Contract: bytes reach the file and the digests in the order they were written; after {@link #close()} returns
 * the file holds exactly the bytes written and the digests have seen exactly them (the thread is joined, so the
 * caller may read the digests). At most {@link #QUEUED} chunks of {@link #CHUNK} bytes wait, so memory stays bounded
 * and a slow disk slows the archive instead of filling the heap. A failure of the writing thread (disk full) is thrown
 * by the next {@code write} or by {@code close}. Not thread-safe: one writer thread.
 */
final class SpoolWriter extends OutputStream {
    static final int CHUNK = 1 << 20;
    static final int QUEUED = 4;
    private static final Chunk END = new Chunk(new byte[0], 0);

    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED);
    /** Arrays the writing thread is done with, reused so that a part does not allocate one per MiB. */
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(QUEUED + 2);
    private final Thread thread;
    private final OutputStream file;
    private final MessageDigest[] digests;
    private volatile IOException failure;
    private byte[] buffer = new byte[CHUNK];
    private int filled;
    private boolean closed;

    private record Chunk(byte[] bytes, int length) {
    }

    SpoolWriter(Path path, MessageDigest... digests) throws IOException {
        this.file = Files.newOutputStream(path);
        this.digests = digests;
        this.thread = new Thread(this::drain, "bundle-spool");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void write(int b) throws IOException {
        if (filled == buffer.length) {
            hand();
        }
        buffer[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (filled == buffer.length) {
                hand();
            }
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    /** Nothing to do: the bytes are stored once {@link #close()} returns; a flush mid-part needs no disk write. */
    @Override
    public void flush() throws IOException {
        throwIfFailed();
    }

    /** Hands the remaining bytes over, waits until the thread has written and hashed all of them, closes the file. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (filled > 0) {
                hand();
            }
            put(END);
            thread.join();
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing the spool file");
        }
        throwIfFailed();
    }

    /** For a part being abandoned: stops the thread without waiting for the bytes still queued. */
    void abandon() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void hand() throws IOException {
        throwIfFailed();
        try {
            put(new Chunk(buffer, filled));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing the spool file");
        }
        byte[] next = free.poll();
        buffer = next == null ? new byte[CHUNK] : next;
        filled = 0;
    }

    private void put(Chunk c) throws InterruptedException, IOException {
        queue.put(c);
    }

    private void throwIfFailed() throws IOException {
        IOException e = failure;
        if (e != null) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The writing thread: every chunk, in order, into the digests and the file; after a failure only drains the queue. */
    private void drain() {
        try (OutputStream out = file) {
            for (Chunk c; (c = queue.take()) != END; ) {
                if (failure == null) {
                    try {
                        for (MessageDigest d : digests) {
                            d.update(c.bytes, 0, c.length);
                        }
                        out.write(c.bytes, 0, c.length);
                    } catch (IOException e) {
                        failure = e; // the archive thread throws it at its next write; keep draining so it never blocks
                    }
                }
                free.offer(c.bytes);
            }
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        } catch (InterruptedException e) {
            if (failure == null) {
                failure = new InterruptedIOException("the spool file's writer was stopped");
            }
        }
    }
}
