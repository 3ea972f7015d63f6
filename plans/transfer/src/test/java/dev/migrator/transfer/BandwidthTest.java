package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.provider.local.LocalObjectStore;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BandwidthTest {
    static final long LIMIT = 1024 * 1024;

    @TempDir
    Path dir;

    /**
     * A copy into a real S3 endpoint (S3Proxy) with its source read through a 1 MiB/s limit: 3 MiB flow at
     * 1 MiB/s within 10 %, the whole copy is no faster than the limit, and it still verifies.
     */
    @Test
    void aCopyMovesItsBytesAtTheLimitWithinTenPercent() {
        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        Random random = new Random(7);
        long total = 1000;
        source.put("w", Content.of(new byte[1000]), ObjectMetadata.EMPTY);
        total -= 1000;
        // One stream: the bytes flow without pauses between objects, so the measured rate is the limit's alone.
        byte[] bytes = new byte[3 * 1024 * 1024];
        random.nextBytes(bytes);
        source.put("one", Content.of(bytes), ObjectMetadata.EMPTY);
        total += bytes.length;
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("dst");
            try (ObjectStore target = Stores.open(s3.s3Uri("dst", ""), StoreOptions.DEFAULTS)) {
                // Warm up the client and the server first: the measurement is of the limit, not of start-up.
                new Copier(source, target, new CopyOptions(4, false, false, null, Retry.DEFAULT, new Selection(java.util.List.of("w"), java.util.List.of(), null, null)),
                        Progress.NONE).run();
                Bandwidth limit = new Bandwidth(LIMIT);
                Clocked limited = new Clocked(new BandwidthLimitedStore(source, limit, false));
                long start = System.nanoTime();
                CopySummary summary = new Copier(limited, target, new CopyOptions(4, false, false, null, Retry.DEFAULT,
                                new Selection(java.util.List.of("one"), java.util.List.of(), null, null)),
                        Progress.NONE).run();
                double seconds = (System.nanoTime() - start) / 1e9;
                assertThat(summary.failures()).isEmpty();
                assertThat(summary.copiedBytes()).isEqualTo(total);
                // The rate of the bytes flowing, from the first read to the last (the run's fixed costs, such
                // as the last PUT after the last read, are not the limit's): within 10 %.
                double flowing = limited.bytes.get() / ((limited.last.get() - limited.first.get()) / 1e9);
                double whole = total / seconds;
                System.out.printf("%d bytes in %.2f s: %.0f bytes/s flowing, %.0f bytes/s for the whole copy, against a limit of %d%n",
                        total, seconds, flowing, whole, LIMIT);
                assertThat(limited.bytes.get()).isEqualTo(total);
                assertThat(flowing).isBetween(LIMIT * 0.9, LIMIT * 1.1);
                assertThat(whole).isLessThan(LIMIT * 1.1);
                assertThat(new Verifier(source, target, 4, Retry.DEFAULT, Progress.NONE).run().identical()).isTrue();
            }
        }
    }

    /** Records when bytes were read from its streams, and how many. */
    static final class Clocked extends dev.migrator.provider.ForwardingObjectStore {
        final java.util.concurrent.atomic.AtomicLong first = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        final java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();

        Clocked(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public java.io.InputStream open(String key, long offset, long length) {
            return clocked(delegate.open(key, offset, length));
        }

        @Override
        public Opened openWithInfo(String key) {
            Opened o = delegate.openWithInfo(key);
            return new Opened(o.info(), clocked(o.stream()));
        }

        private java.io.InputStream clocked(java.io.InputStream in) {
            return new java.io.FilterInputStream(in) {
                @Override
                public int read(byte[] b, int off, int len) throws java.io.IOException {
                    long before = System.nanoTime();
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        first.accumulateAndGet(before, Math::min);
                        last.accumulateAndGet(System.nanoTime(), Math::max);
                        bytes.addAndGet(n);
                    }
                    return n;
                }
            };
        }
    }

    /** Writes count too when asked (a plan endpoint's bandwidth covers both directions). */
    @Test
    void writesThroughALimitedStorePassAtTheLimit() {
        Bandwidth limit = new Bandwidth(LIMIT);
        ObjectStore target = new BandwidthLimitedStore(new LocalObjectStore(dir.resolve("dst")), limit, true);
        byte[] bytes = new byte[2 * 1024 * 1024];
        long start = System.nanoTime();
        target.put("big", Content.of(bytes), ObjectMetadata.EMPTY);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(bytes.length / seconds).isBetween(LIMIT * 0.9, LIMIT * 1.1);
    }

    @Test
    void ratesParseAsSizesPerSecond() {
        assertThat(Bandwidth.parse("10M", "--bwlimit").bytesPerSecond()).isEqualTo(10L * 1024 * 1024);
        assertThat(Bandwidth.parse("1.5MiB/s", "--bwlimit").bytesPerSecond()).isEqualTo(1536L * 1024);
        assertThat(Bandwidth.parse("100MB/s", "bandwidth").bytesPerSecond()).isEqualTo(100_000_000L);
        assertThatThrownBy(() -> Bandwidth.parse("fast", "--bwlimit")).hasMessageStartingWith("--bwlimit 'fast' is not a rate");
        assertThatThrownBy(() -> Bandwidth.parse("0", "--bwlimit")).hasMessageContaining("not a rate");
    }

    @Test
    void aLimitedWriteKeepsWhatTheContentKnowsAndHearsThatTheStoreHashesParts() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
        dev.migrator.provider.Checksums known = dev.migrator.provider.Checksums.of(dev.migrator.provider.Capabilities.ChecksumKind.CRC32C, "0a1b2c3d");
        dev.migrator.provider.Checksums streamed = dev.migrator.provider.Checksums.md5("00112233445566778899aabbccddeeff");
        Content inner = new Content() {
            @Override
            public long size() {
                return 3;
            }

            @Override
            public java.io.InputStream open() {
                return new java.io.ByteArrayInputStream(new byte[] {1, 2, 3});
            }

            @Override
            public dev.migrator.provider.Checksums known() {
                return known;
            }

            @Override
            public dev.migrator.provider.Checksums streamed() {
                return streamed;
            }

            @Override
            public void storeHashesParts() {
                told.set(true);
            }
        };
        Content limited = new BandwidthLimitedStore.LimitedContent(inner, new Bandwidth(1L << 30));
        try (java.io.InputStream in = limited.open()) {
            assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
        }
        assertThat(limited.known()).isEqualTo(known);
        assertThat(limited.streamed()).isEqualTo(streamed);
        assertThat(limited.movableFile()).as("a rename would bypass the limit").isNull();
        limited.storeHashesParts();
        assertThat(told).isTrue();
    }
}
