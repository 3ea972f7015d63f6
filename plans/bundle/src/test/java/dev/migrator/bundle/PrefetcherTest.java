package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrefetcherTest {
    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** A stream that returns at most 7 bytes per read, as a file or a socket may. */
    private static InputStream trickle(byte[] b) {
        return new FilterInputStream(new ByteArrayInputStream(b)) {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                return super.read(buf, off, Math.min(len, 7));
            }
        };
    }

    @Test
    void anObjectOfItsListedSizeIsReadWhole() throws IOException {
        byte[] b = bytes(10_240);
        assertThat(Prefetcher.readSmall(trickle(b), b.length).readAllBytes()).isEqualTo(b);
        assertThat(Prefetcher.readSmall(trickle(new byte[0]), 0).readAllBytes()).isEmpty();
    }

    @Test
    void anObjectThatShrankOrGrewIsHandedOnWithTheBytesItHasSoTheArchiveSeesTheChange() throws IOException {
        byte[] b = bytes(3_000);
        assertThat(Prefetcher.readSmall(trickle(b), 5_000).readAllBytes()).isEqualTo(b);
        assertThat(Prefetcher.readSmall(trickle(b), 1_000).readAllBytes()).isEqualTo(b);
        assertThat(Prefetcher.readSmall(trickle(b), 2_999).readAllBytes()).isEqualTo(b);
    }
}
