package dev.migrator.bundle;

import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Test data: awkward keys, every kind of metadata, empty, text, random and multi-MiB objects. */
final class Seed {
    private Seed() {
    }

    /** Writes the objects into {@code store} and returns them by key. */
    static Map<String, byte[]> objects(ObjectStore store) {
        Random random = new Random(42);
        Map<String, byte[]> all = new LinkedHashMap<>();
        put(store, all, "index.html", "<h1>hello</h1>\n".repeat(200).getBytes(StandardCharsets.UTF_8),
                new ObjectMetadata("text/html; charset=utf-8", null, "no-cache", null, Map.of("owner", "web")));
        put(store, all, "exports/users.json.gz", bytes(random, 70_000),
                new ObjectMetadata("application/json", "gzip", null, "attachment; filename=\"users.json\"", Map.of()));
        put(store, all, "media/café ☕/menu (final) v2+.png", bytes(random, 3000),
                new ObjectMetadata("image/png", null, null, null, Map.of("user-id", "7")));
        put(store, all, "odd/100%/a b+c", bytes(random, 10), ObjectMetadata.EMPTY);
        put(store, all, "odd/double//slash", bytes(random, 11), ObjectMetadata.EMPTY);
        put(store, all, "odd/trailing/", bytes(random, 12), ObjectMetadata.EMPTY);
        put(store, all, "empty.bin", new byte[0], new ObjectMetadata("application/x-empty", null, null, null, Map.of()));
        for (int i = 0; i < 40; i++) {
            put(store, all, String.format("avatars/user-%03d.jpg", i), bytes(random, 10 * 1024 + random.nextInt(4096)),
                    new ObjectMetadata("image/jpeg", null, "public, max-age=86400", null, Map.of("user-id", Integer.toString(i))));
        }
        put(store, all, "media/video/launch.mp4", bytes(random, 3 * 1024 * 1024 + 17),
                new ObjectMetadata("video/mp4", null, null, "inline", Map.of("duration", "93")));
        put(store, all, "media/video/teaser.mp4", bytes(random, 2 * 1024 * 1024 + 5),
                new ObjectMetadata("video/mp4", null, null, null, Map.of()));
        return all;
    }

    private static void put(ObjectStore store, Map<String, byte[]> all, String key, byte[] data, ObjectMetadata meta) {
        store.put(key, Content.of(data), meta);
        all.put(key, data);
    }

    static byte[] bytes(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }
}
