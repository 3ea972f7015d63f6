package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @TempDir
    Path dir;

    @Test
    void anObjectThatChangedSizeAfterItWasListedIsNotHashedAheadSoTheArchiveSeesTheChange() throws IOException {
        try (ObjectStore store = Stores.open(dir.toUri().toString(), StoreOptions.DEFAULTS)) {
            store.put("grew", Content.of(bytes(1000)), ObjectMetadata.EMPTY);
            store.put("shrank", Content.of(bytes(1000)), ObjectMetadata.EMPTY);
            List<ObjectInfo> listed;
            try (Stream<ObjectInfo> all = store.list("")) {
                listed = all.toList();
            }
            store.put("grew", Content.of(bytes(1001)), ObjectMetadata.EMPTY);
            store.put("shrank", Content.of(bytes(999)), ObjectMetadata.EMPTY);
            try (Prefetcher ahead = new Prefetcher(store, listed.stream().map(Prefetcher.Wanted::current).iterator(), 2)) {
                for (int n : new int[] {1001, 999}) {
                    Prefetcher.Fetched f = ahead.next();
                    assertThat(f.whole()).as(f.listed().key()).isNull();
                    assertThat(f.stream().readAllBytes()).isEqualTo(bytes(n));
                }
            }
        }
    }

    @Test
    void objectsComeInListingOrderWithTheirBytesWhateverTheBatches() throws IOException {
        // Many small objects (batched once the reader is ahead), larger ones among them, and one deleted after listing.
        try (ObjectStore store = Stores.open(dir.toUri().toString(), StoreOptions.DEFAULTS)) {
            Random random = new Random(7);
            for (int i = 0; i < 500; i++) {
                int size = i % 97 == 0 ? Prefetcher.BUFFERED + 1 + i : i % 13 == 0 ? 300_000 : random.nextInt(12_000);
                store.put(String.format("k%04d", i), Content.of(bytes(size)), ObjectMetadata.EMPTY);
            }
            List<ObjectInfo> listed;
            try (Stream<ObjectInfo> all = store.list("")) {
                listed = all.toList();
            }
            store.delete("k0250");
            Iterator<Prefetcher.Wanted> it = listed.stream().map(Prefetcher.Wanted::current).iterator();
            List<String> seen = new ArrayList<>();
            try (Prefetcher ahead = new Prefetcher(store, it, 4)) {
                while (ahead.hasNext()) {
                    Prefetcher.Fetched f = ahead.next();
                    seen.add(f.listed().key());
                    if (f.listed().key().equals("k0250")) {
                        assertThat(f.info()).as("deleted after it was listed").isNull();
                        continue;
                    }
                    byte[] expected = bytes((int) f.listed().size());
                    try (InputStream in = f.stream()) {
                        assertThat(in.readAllBytes()).as(f.listed().key()).isEqualTo(expected);
                    }
                    if (expected.length > Prefetcher.BUFFERED) {
                        assertThat(f.whole()).as("streamed, hashed by the archive").isNull();
                    } else {
                        // Read whole and hashed on the reader thread: the very bytes of the entry and their SHA-256.
                        assertThat(java.util.Arrays.copyOf(f.whole().bytes(), f.whole().length())).isEqualTo(expected);
                        assertThat(f.whole().sha256()).isEqualTo(dev.migrator.provider.Digests.hex(
                                dev.migrator.provider.Digests.sha256().digest(expected)));
                        assertThat(f.whole().md5()).as("the local listing has no MD5 to check").isNull();
                    }
                }
            }
            assertThat(seen).isEqualTo(listed.stream().map(ObjectInfo::key).toList());
        }
    }
}
