package dev.migrator.testkit;

import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

/** A store's version history in a form a test can compare whole: what the version tests assert on. */
public final class Histories {
    private Histories() {
    }

    /**
     * The history under {@code prefix} as {@code key=content} and {@code key deleted} lines, in the store's version
     * order (oldest first per key); a version of more than 1,000 bytes is shown as {@code key=N bytes}.
     */
    public static List<String> lines(ObjectStore store, String prefix) {
        try (Stream<ObjectVersion> versions = store.listVersions(prefix)) {
            return versions.map(v -> v.deleteMarker() ? v.key() + " deleted" : v.key() + "=" + read(store, v)).toList();
        }
    }

    private static String read(ObjectStore store, ObjectVersion v) {
        try (InputStream in = store.openVersion(v.key(), v.versionId(), 0, -1)) {
            byte[] b = in.readAllBytes();
            return b.length > 1000 ? b.length + " bytes" : new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
