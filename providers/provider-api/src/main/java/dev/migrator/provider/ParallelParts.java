package dev.migrator.provider;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The parts of one object uploaded in parallel while its source is read once, in order (S3 multipart parts,
 * Azure blocks). The contract:
 *
 * <ul>
 *   <li>the source is read sequentially into one buffer per part, of exactly that part's length; at most
 *       {@code inFlight} buffers exist at a time, so the memory one upload holds is at most
 *       {@code inFlight × partSize}. A buffer is reused for a later part once its part is done (reused, or
 *       {@link Parts#send} returned), so an upload allocates at most {@code inFlight} full-size buffers plus one for
 *       a shorter last part, however many parts it has;</li>
 *   <li>while a part's buffer fills, each run of bytes just read is offered to {@link Parts#read}, in order, while
 *       it is still in the CPU's cache (hash it there, instead of passing over the whole buffer again);</li>
 *   <li>each part is then offered to {@link Parts#reuse} on the reading thread, in part order (answer a result if
 *       the store already holds those bytes); a part without one is handed to {@link Parts#send} on the pool, and
 *       its buffer is released when that returns. Neither may keep the buffer after returning;</li>
 *   <li>the first failure (reading the source, a source of another size than declared, or any part) wins: no
 *       further part is read or started, {@link #failed()} turns true so parts that are retrying stop at their
 *       next attempt, every part already started is waited for (so whoever cleans up after the failure finds no
 *       part still being written), and that first failure is thrown;</li>
 *   <li>on success the results come back in part order.</li>
 * </ul>
 *
 * <p>One instance serves one upload.
 */
public final class ParallelParts {
    private final ExecutorService pool;
    private final int inFlight;
    private final String what;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Full-size buffers of parts that are done, for the next parts to fill; never more than {@code inFlight}. */
    private final ConcurrentLinkedDeque<byte[]> free = new ConcurrentLinkedDeque<>();
    /** Full-size buffers this upload allocated, for the tests of the bound. */
    private final AtomicInteger allocated = new AtomicInteger();

    /**
     * The most bytes one read asks the source for: small enough that they are still in the CPU's cache when
     * {@link Parts#read} hashes them, large enough that a read costs nothing next to it.
     */
    static final int READ_CHUNK = 256 * 1024;

    /**
     * @param pool     where parts are sent; it must run {@code inFlight} tasks at once for them to overlap
     * @param inFlight parts read and not yet sent, at most (at least 1)
     * @param what     what the upload is doing, e.g. {@code writing 's3://b/key'}, for interruption messages
     */
    public ParallelParts(ExecutorService pool, int inFlight, String what) {
        if (inFlight < 1) {
            throw new IllegalArgumentException("inFlight must be at least 1, got " + inFlight);
        }
        this.pool = pool;
        this.inFlight = inFlight;
        this.what = what;
    }

    /** What an adapter does with the parts of its upload. */
    public interface Parts<R> {
        /**
         * Bytes {@code [off, off + len)} of part {@code index}'s buffer were just read from the source; called on
         * the reading thread, in order, each byte once, before {@link #reuse} of that part. Does nothing by default.
         */
        default void read(int index, byte[] bytes, int off, int len) {
        }

        /**
         * Part {@code index} (from 0) was read into {@code bytes}; called on the reading thread, in order. Returns
         * the part's result if it need not be sent (the store already holds these bytes), else null.
         */
        R reuse(int index, byte[] bytes);

        /** Sends part {@code index} (on a pool thread) and returns its result; throws to fail the upload. */
        R send(int index, byte[] bytes);

        /** The failure to throw when the source yields {@code yielded} bytes instead of its declared size. */
        RuntimeException sizeMismatch(long yielded);
    }

    /** Whether some part failed: a part that is about to try again should give up instead. */
    public boolean failed() {
        return failure.get() != null;
    }

    /**
     * Reads {@code size} bytes from {@code in} in parts of {@code partSize} (the last one shorter) and uploads
     * them as the class describes.
     *
     * @throws IOException          reading the source failed (the adapter says which object)
     * @throws MigratorException    {@link ErrorCode#INTERRUPTED} when the thread was interrupted, else the first
     *                              failure of a part or {@link Parts#sizeMismatch}
     */
    public <R> List<R> upload(InputStream in, long size, long partSize, Parts<R> parts) throws IOException {
        if (partSize < 1 || partSize > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("part size must be from 1 byte to 2 GiB, got " + partSize);
        }
        free.clear();
        int count = (int) Math.max(0, (size + partSize - 1) / partSize);
        Semaphore buffers = new Semaphore(inFlight);
        List<Future<R>> futures = new ArrayList<>(count);
        try {
            for (int i = 0; i < count && !failed(); i++) {
                buffers.acquire();
                if (failed()) {
                    buffers.release();
                    break;
                }
                int index = i;
                int length = (int) Math.min(partSize, size - i * partSize);
                R reused;
                byte[] buf = buffer(length, partSize);
                try {
                    fill(in, buf, index, i * partSize, parts);
                    reused = parts.reuse(index, buf);
                } catch (IOException | RuntimeException | Error e) {
                    done(buf, partSize, buffers);
                    throw e;
                }
                if (reused != null) {
                    done(buf, partSize, buffers);
                    futures.add(CompletableFuture.completedFuture(reused));
                    continue;
                }
                futures.add(pool.submit(() -> {
                    try {
                        if (failed()) {
                            throw new MigratorException(ErrorCode.FAILED, what + ": part " + (index + 1)
                                    + " not sent because another part failed");
                        }
                        return parts.send(index, buf);
                    } catch (RuntimeException | Error e) {
                        failure.compareAndSet(null, e);
                        throw e;
                    } finally {
                        done(buf, partSize, buffers);
                    }
                }));
            }
            if (!failed() && in.read() != -1) {
                throw parts.sizeMismatch(size + 1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, e);
            awaitQuietly(futures);
            throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted while " + what, e);
        } catch (IOException | RuntimeException | Error e) {
            failure.compareAndSet(null, e);
            awaitQuietly(futures);
            throw e;
        }

        List<R> results = new ArrayList<>(count);
        for (Future<R> f : futures) {
            try {
                results.add(f.get());
            } catch (ExecutionException e) {
                awaitQuietly(futures);
                // The first failure is the cause; later parts may only have stopped because of it.
                Throwable first = failure.get() != null ? failure.get() : e.getCause();
                if (first instanceof RuntimeException r) {
                    throw r;
                }
                if (first instanceof Error err) {
                    throw err;
                }
                throw new MigratorException(ErrorCode.FAILED, what + ": " + first.getMessage(), first);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, e);
                throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted while " + what, e);
            }
        }
        return results;
    }

    /** A buffer of {@code length} bytes for the next part: a free full-size one, else a new one. */
    private byte[] buffer(int length, long partSize) {
        if (length == partSize) {
            byte[] b = free.poll();
            if (b != null) {
                return b;
            }
            allocated.incrementAndGet();
        }
        return new byte[length];
    }

    /** The part in {@code buf} is done: its buffer goes back for a later part, and another part may be read. */
    private void done(byte[] buf, long partSize, Semaphore buffers) {
        if (buf.length == partSize) {
            free.push(buf);
        }
        buffers.release();
    }

    /** Full-size part buffers allocated by the last upload: at most {@code inFlight}. */
    int buffersAllocated() {
        return allocated.get();
    }

    /**
     * Fills {@code buf} with part {@code index} (which starts at byte {@code start} of the source), offering each
     * run of bytes to {@link Parts#read} as it arrives; a source that ends early fails with {@link Parts#sizeMismatch}.
     */
    private static void fill(InputStream in, byte[] buf, int index, long start, Parts<?> parts) throws IOException {
        int off = 0;
        while (off < buf.length) {
            int n = in.read(buf, off, Math.min(READ_CHUNK, buf.length - off));
            if (n < 0) {
                throw parts.sizeMismatch(start + off);
            }
            parts.read(index, buf, off, n);
            off += n;
        }
    }

    /** Waits for parts already running (they stop at their next attempt), so no part is still being written. */
    private static void awaitQuietly(List<? extends Future<?>> futures) {
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException | RuntimeException e) {
                // Already recorded as the failure, or a consequence of it.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
