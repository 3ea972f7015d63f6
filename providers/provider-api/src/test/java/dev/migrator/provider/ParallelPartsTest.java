package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelPartsTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    /**
     * Counts the buffers alive (read, and neither reused nor sent yet) and the most there ever were, and the sends
     * running.
     */
    static class Recorder implements ParallelParts.Parts<String> {
        final AtomicInteger alive = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final AtomicInteger sending = new AtomicInteger();
        final List<Integer> sent = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> lengths = Collections.synchronizedList(new ArrayList<>());
        volatile int failAt = -1;
        volatile int reuse = -1;

        @Override
        public String reuse(int index, byte[] bytes) {
            most.accumulateAndGet(alive.incrementAndGet(), Math::max);
            lengths.add(bytes.length);
            if (index == reuse) {
                alive.decrementAndGet();
                return "kept-" + index;
            }
            return null;
        }

        @Override
        public String send(int index, byte[] bytes) {
            sending.incrementAndGet();
            try {
                Thread.sleep(20 + (index % 3) * 10L); // out of order on purpose
                if (index == failAt) {
                    throw new MigratorException(ErrorCode.FAILED, "part " + index + " broke");
                }
                sent.add(index);
                return "sent-" + index;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                alive.decrementAndGet();
                sending.decrementAndGet();
            }
        }

        @Override
        public RuntimeException sizeMismatch(long yielded) {
            return new MigratorException(ErrorCode.INTEGRITY, "yielded " + yielded);
        }
    }

    @Test
    void resultsComeInPartOrderWithAtMostInFlightBuffers() throws IOException {
        Recorder r = new Recorder();
        r.reuse = 2;
        List<String> out = new ParallelParts(pool, 3, "test").upload(new ByteArrayInputStream(bytes(1050)), 1050, 100, r);
        assertThat(out).hasSize(11).startsWith("sent-0", "sent-1", "kept-2", "sent-3").endsWith("sent-10");
        assertThat(r.sent).as("a reused part is not sent").doesNotContain(2).hasSize(10);
        assertThat(r.lengths).as("exact part lengths, the last one shorter").startsWith(100, 100).endsWith(50);
        assertThat(r.most.get()).as("buffers alive at once").isBetween(2, 3);
    }

    @Test
    void theFirstFailureStopsTheRestAndIsThrown() {
        Recorder r = new Recorder();
        r.failAt = 1;
        ParallelParts parts = new ParallelParts(pool, 2, "test");
        assertThatThrownBy(() -> parts.upload(new ByteArrayInputStream(bytes(2000)), 2000, 100, r))
                .isInstanceOf(MigratorException.class).hasMessage("part 1 broke");
        assertThat(parts.failed()).isTrue();
        assertThat(r.sending.get()).as("every started part was waited for").isZero();
        assertThat(r.sent.size()).as("parts far past the failure were never read or sent").isLessThan(5);
    }

    @Test
    void aSourceOfAnotherSizeFails() {
        Recorder shortOne = new Recorder();
        assertThatThrownBy(() -> new ParallelParts(pool, 2, "test")
                .upload(new ByteArrayInputStream(bytes(250)), 300, 100, shortOne)).hasMessage("yielded 250");
        Recorder longOne = new Recorder();
        assertThatThrownBy(() -> new ParallelParts(pool, 2, "test")
                .upload(new ByteArrayInputStream(bytes(301)), 300, 100, longOne)).hasMessage("yielded 301");
        assertThat(shortOne.sending.get() + longOne.sending.get()).as("no part still being sent").isZero();
    }

    @Test
    void aSourceReadFailureIsThrownAsItIs() {
        InputStream broken = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (++n > 150) {
                    throw new IOException("disk gone");
                }
                return 0;
            }
        };
        assertThatThrownBy(() -> new ParallelParts(pool, 2, "test").upload(broken, 300, 100, new Recorder()))
                .isInstanceOf(IOException.class).hasMessage("disk gone");
    }

    @Test
    void anInterruptedUploadSaysSo() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> new ParallelParts(pool, 1, "writing x")
                    .upload(new ByteArrayInputStream(bytes(300)), 300, 100, new Recorder())).isInstanceOf(MigratorException.class)
                    .hasMessage("interrupted while writing x")
                    .extracting(e -> ((MigratorException) e).code()).isEqualTo(ErrorCode.INTERRUPTED);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void buffersAreReusedAtMostInFlightOfThemAndNoPartSeesAnothersBytes() throws IOException {
        byte[] source = new byte[3050];
        new java.util.Random(7).nextBytes(source);
        List<String> damaged = Collections.synchronizedList(new ArrayList<>());
        Recorder r = new Recorder() {
            @Override
            public String send(int index, byte[] bytes) {
                String out = super.send(index, bytes); // sleeps: the reader fills other buffers meanwhile
                // Checked after the sleep: a buffer handed to another part too early would hold its bytes by now.
                if (!java.util.Arrays.equals(bytes, java.util.Arrays.copyOfRange(source, index * 100,
                        Math.min(source.length, index * 100 + 100)))) {
                    damaged.add("part " + index);
                }
                return out;
            }
        };
        ParallelParts parts = new ParallelParts(pool, 3, "test");
        List<String> out = parts.upload(new ByteArrayInputStream(source), source.length, 100, r);
        assertThat(out).hasSize(31);
        assertThat(damaged).as("parts whose buffer changed while they were sent").isEmpty();
        assertThat(parts.buffersAllocated()).as("full-size buffers for 30 full parts").isBetween(1, 3);
        assertThat(r.lengths).as("exact part lengths, the last one shorter").endsWith(50);
    }

    @Test
    void everyByteIsOfferedToReadOnceInOrderBeforeItsPartIsOffered() throws IOException {
        int size = 2 * ParallelParts.READ_CHUNK + 12345;
        byte[] source = bytes(size);
        // A source that yields at most 7,000 bytes a read, as a socket does.
        InputStream trickle = new java.io.FilterInputStream(new ByteArrayInputStream(source)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 7000));
            }
        };
        java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        int partSize = ParallelParts.READ_CHUNK + 1000;
        List<String> out = new ParallelParts(pool, 2, "test").upload(trickle, size, partSize, new Recorder() {
            int runs;

            @Override
            public void read(int index, byte[] bytes, int off, int len) {
                assertThat(len).isBetween(1, 7000);
                seen.write(bytes, off, len);
                if (runs++ == 0 || !order.get(order.size() - 1).equals("read " + index)) {
                    order.add("read " + index);
                }
            }

            @Override
            public String reuse(int index, byte[] bytes) {
                order.add("reuse " + index);
                return super.reuse(index, bytes);
            }
        });
        assertThat(out).hasSize(3);
        assertThat(seen.toByteArray()).as("the bytes offered to read, in order").isEqualTo(source);
        assertThat(order).containsExactly("read 0", "reuse 0", "read 1", "reuse 1", "read 2", "reuse 2");
    }

    @Test
    void readRunsAreAtMostOneChunk() throws IOException {
        int size = 3 * ParallelParts.READ_CHUNK;
        AtomicInteger longest = new AtomicInteger();
        new ParallelParts(pool, 1, "test").upload(new ByteArrayInputStream(bytes(size)), size, size, new Recorder() {
            @Override
            public void read(int index, byte[] bytes, int off, int len) {
                longest.accumulateAndGet(len, Math::max);
            }
        });
        assertThat(longest.get()).as("bytes hashed while still in cache").isEqualTo(ParallelParts.READ_CHUNK);
    }
}
