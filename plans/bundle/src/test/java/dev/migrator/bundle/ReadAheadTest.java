package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Digests;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A large object read ahead on another thread: the same bytes, the SHA-256 of exactly its size, failures passed on. */
class ReadAheadTest {
    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static ReadAhead started(InputStream source, long size) {
        ReadAhead ahead = new ReadAhead(source, size);
        Thread t = new Thread(ahead::fill, "test-fill");
        t.setDaemon(true);
        t.start();
        return ahead;
    }

    @Test
    void yieldsTheSourcesBytesInOrderAndTheirSha256() throws IOException {
        byte[] b = bytes(ReadAhead.CHUNK * (ReadAhead.QUEUED + 5) + 777);
        ReadAhead in = started(new ByteArrayInputStream(b), b.length);
        assertThat(in.sha256()).as("before the bytes were read").isNull();
        assertThat(in.readAllBytes()).isEqualTo(b);
        assertThat(in.sha256()).isEqualTo(Digests.hex(Digests.sha256().digest(b)));
    }

    @Test
    void aLongerSourceIsHandedOnWholeButHashedOnlyOverItsSize() throws IOException {
        byte[] b = bytes(3 * ReadAhead.CHUNK + 5);
        int size = 2 * ReadAhead.CHUNK + 3;
        ReadAhead in = started(new ByteArrayInputStream(b), size);
        byte[] first = in.readNBytes(size);
        assertThat(in.sha256()).isEqualTo(Digests.hex(Digests.sha256().digest(Arrays.copyOf(b, size))));
        assertThat(in.read()).as("the rest, so the archive sees it grew").isEqualTo(b[size] & 0xff);
        assertThat(first).isEqualTo(Arrays.copyOf(b, size));
    }

    @Test
    void aShorterSourceHasNoSha256() throws IOException {
        byte[] b = bytes(ReadAhead.CHUNK + 1);
        ReadAhead in = started(new ByteArrayInputStream(b), b.length + 1);
        assertThat(in.readAllBytes()).isEqualTo(b);
        assertThat(in.sha256()).isNull();
    }

    @Test
    void aFailureOfTheSourceIsThrownAfterTheBytesBeforeIt() throws IOException {
        byte[] b = bytes(ReadAhead.CHUNK);
        InputStream failing = new InputStream() {
            int left = b.length;

            @Override
            public int read() throws IOException {
                if (left == 0) {
                    throw new IOException("disk read error");
                }
                return b[b.length - left--] & 0xff;
            }
        };
        ReadAhead in = started(failing, 2L * b.length);
        assertThat(in.readNBytes(b.length)).isEqualTo(b);
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("disk read error");
    }

    @Test
    void closingStopsTheFillingThreadAndClosesTheSource() throws Exception {
        boolean[] sourceClosed = {false};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 1;
            }

            @Override
            public void close() {
                sourceClosed[0] = true;
            }
        };
        ReadAhead in = new ReadAhead(endless, Long.MAX_VALUE);
        Thread t = new Thread(in::fill, "test-fill");
        t.start();
        in.read(new byte[10]);
        in.close();
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(t.isAlive()).as("the filling thread left").isFalse();
        assertThat(sourceClosed[0]).isTrue();
    }
}
