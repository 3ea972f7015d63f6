package dev.migrator.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.transfer.Progress;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source that changes between its listing and the read of an object: a small object (read whole and hashed on a
 * reader thread), a large one (read ahead and hashed on a reader thread) and one larger than a part (in pieces, hashed
 * by the archive) are reported alike, and the manifest's SHA-256 is of the bytes in the archive in every case.
 */
class BundleSourceChangesTest {
    @TempDir
    Path dir;

    private static final int SMALL = 10_000;
    /** Read ahead by a reader thread, which hashes it (ReadAhead). */
    private static final int LARGE = Prefetcher.BUFFERED + 10_000;
    /** Larger than a part: in pieces, each hashed by the archive. */
    private static final int PIECES = 2 * 1024 * 1024 + 10_000;
    private static final int[] SIZES = {SMALL, LARGE, PIECES};

    ObjectStore local(String name) {
        return Stores.openAdapter(dir.resolve(name).toUri().toString(), StoreOptions.DEFAULTS);
    }

    BundleOptions options() {
        return new BundleOptions(2 * 1024 * 1024, 2, 4, 3, 2, dir.resolve("state"), BundleFailureTest.FAST);
    }

    /** a, b, c of {@code size} random bytes each. */
    private static Map<String, byte[]> seed(ObjectStore store, int size) {
        Map<String, byte[]> all = new HashMap<>();
        Random random = new Random(size);
        for (String key : new String[] {"a", "b", "c"}) {
            byte[] b = new byte[size];
            random.nextBytes(b);
            store.put(key, Content.of(b), ObjectMetadata.EMPTY);
            all.put(key, b);
        }
        return all;
    }

    /** The source as the writer sees it: each listed object goes through {@code onListed} as the listing hands it out. */
    private static ObjectStore listing(ObjectStore real, UnaryOperator<ObjectInfo> onListed) {
        return new ForwardingObjectStore(real) {
            @Override
            public Stream<ObjectInfo> list(String prefix, String startAfter) {
                return delegate.list(prefix, startAfter).map(onListed);
            }
        };
    }

    private BundleRef create(ObjectStore source, ObjectStore target) {
        return new BundleWriter(target, options(), Progress.NONE).create(java.util.List.of(new BundleSource.Objects(source)));
    }

    @Test
    void anObjectDeletedAfterItWasListedIsCountedAsVanishedWhateverItsSize() throws Exception {
        for (int size : SIZES) {
            try (ObjectStore real = local("src-" + size); ObjectStore target = local("bundle-" + size)) {
                Map<String, byte[]> seeded = seed(real, size);
                ObjectStore source = listing(real, o -> {
                    if (o.key().equals("b")) {
                        real.delete("b"); // listed, then gone before a reader opens it
                    }
                    return o;
                });
                BundleRef ref = create(source, target);
                assertThat(ref.vanished()).as("size " + size).isEqualTo(1);
                assertThat(ref.entries()).isEqualTo(2);
                assertThat(BundleReader.open(target).verify(Progress.NONE).intact()).isTrue();
                Map<String, String> sha = manifestSha256(target);
                assertThat(sha).containsOnlyKeys("a", "c");
                assertThat(sha.get("a")).isEqualTo(Digests.hex(MessageDigest.getInstance("SHA-256").digest(seeded.get("a"))));
                assertThat(sha.get("c")).isEqualTo(Digests.hex(MessageDigest.getInstance("SHA-256").digest(seeded.get("c"))));
            }
        }
    }

    @Test
    void anObjectThatGrewOrShrankAfterItWasListedFailsTheCreateWhateverItsSize() {
        for (int size : SIZES) {
            for (int change : new int[] {+1, -1}) {
                try (ObjectStore real = local("src-" + size + change); ObjectStore target = local("bundle-" + size + change)) {
                    seed(real, size);
                    ObjectStore source = listing(real, o -> {
                        if (o.key().equals("b")) {
                            real.put("b", Content.of(new byte[size + change]), ObjectMetadata.EMPTY); // rewritten after the listing
                        }
                        return o;
                    });
                    assertThatThrownBy(() -> create(source, target)).as("size " + size + ", change " + change)
                            .isInstanceOf(MigratorException.class)
                            .hasMessageContaining("'b'")
                            .hasMessageContaining(change > 0 ? "grew while it was read" : "changed size while it was read");
                }
            }
        }
    }

    @Test
    void anObjectWhoseBytesDoNotMatchTheSourcesMd5FailsTheCreateAndAMatchingOnePasses() {
        for (int size : SIZES) {
            try (ObjectStore real = local("src-" + size); ObjectStore target = local("bundle-" + size);
                 ObjectStore other = local("other-" + size)) {
                Map<String, byte[]> seeded = seed(real, size);
                // The listing reports MD5s (as S3 does): the right one for a and c, a wrong one for b.
                ObjectStore lying = listing(real, o -> withMd5(o,
                        o.key().equals("b") ? "something else".getBytes(StandardCharsets.UTF_8) : seeded.get(o.key())));
                assertThatThrownBy(() -> create(lying, target)).as("size " + size)
                        .isInstanceOf(MigratorException.class)
                        .satisfies(e -> assertThat(((MigratorException) e).code()).isEqualTo(ErrorCode.INTEGRITY))
                        .hasMessageContaining("'b': the bytes read do not match the MD5 the source reports");
                ObjectStore honest = listing(real, o -> withMd5(o, seeded.get(o.key())));
                assertThat(create(honest, other).entries()).isEqualTo(3);
            }
        }
    }

    private static ObjectInfo withMd5(ObjectInfo o, byte[] of) {
        return new ObjectInfo(o.key(), o.size(), o.lastModified(), o.etag(), Checksums.md5(Digests.hex(Digests.md5().digest(of))),
                o.metadata());
    }

    /** key -> SHA-256 of every object in the bundle's manifest (of the whole object, for one in pieces). */
    private static Map<String, String> manifestSha256(ObjectStore bundle) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (InputStream in = bundle.open(BundleLayout.MANIFEST, 0, -1);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            r.readLine(); // the header
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (String line; (line = r.readLine()) != null; ) {
                var node = json.readTree(line);
                if (node.hasNonNull("objectSha256")) {
                    out.put(node.get("key").asText(), node.get("objectSha256").asText()); // the last piece of a large object
                } else if (!node.hasNonNull("piece")) {
                    out.put(node.get("key").asText(), node.get("sha256").asText());
                }
            }
        }
        return out;
    }
}
