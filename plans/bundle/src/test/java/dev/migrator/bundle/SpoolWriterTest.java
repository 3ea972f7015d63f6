package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.migrator.provider.Digests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool file and the part's digests get exactly the bytes written, in order; a failed disk write is thrown. */
class SpoolWriterTest {
    @TempDir
    Path dir;

    @Test
    void theFileAndTheDigestsHoldExactlyTheBytesWrittenInOrder() throws IOException {
        byte[] all = new byte[SpoolWriter.CHUNK * (SpoolWriter.QUEUED + 3) + 12_345]; // more chunks than the queue holds
        new Random(3).nextBytes(all);
        MessageDigest sha = Digests.sha256();
        MessageDigest md5 = Digests.md5();
        Path file = dir.resolve("part");
        try (SpoolWriter out = new SpoolWriter(file, md5, sha)) {
            Random sizes = new Random(4);
            int off = 0;
            while (off < all.length) {
                if (sizes.nextInt(10) == 0) {
                    out.write(all[off++]); // single bytes among the arrays
                    continue;
                }
                int n = Math.min(all.length - off, sizes.nextInt(3 * SpoolWriter.CHUNK / 2));
                out.write(all, off, n);
                off += n;
                if (sizes.nextInt(5) == 0) {
                    out.flush();
                }
            }
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(all);
        assertThat(Digests.hex(sha.digest())).isEqualTo(Digests.hex(Digests.sha256().digest(all)));
        assertThat(Digests.hex(md5.digest())).isEqualTo(Digests.hex(Digests.md5().digest(all)));
    }

    @Test
    void aFailedDiskWriteIsThrownToTheWriter() throws IOException {
        Path full = Path.of("/dev/full"); // every write fails with ENOSPC, as on a full disk
        assumeTrue(Files.isWritable(full), "needs /dev/full");
        byte[] chunk = new byte[SpoolWriter.CHUNK];
        SpoolWriter out = new SpoolWriter(full, Digests.sha256());
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100; i++) {
                out.write(chunk);
            }
            out.close();
        }).isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
        out.abandon();
    }
}
