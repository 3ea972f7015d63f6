package dev.migrator.transfer;

import dev.migrator.provider.Keys;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ObjectVersion;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * One key's version history, oldest first, as {@link ObjectStore#listVersions} gives it, with only the entries that
 * change the key's state: a delete marker with no content before it (the first entry, or one after another marker)
 * deletes nothing, and stores differ on whether they keep it (S3 does, GCS has no such thing), so it is dropped.
 *
 * @param key     the key
 * @param entries its effective versions and delete markers, oldest first
 */
// --- bver: public (with perKey and of) so that bundles write and restore histories by the same rule
public record History(String key, List<ObjectVersion> entries) {
    public History { // --- bver: public
        List<ObjectVersion> effective = new ArrayList<>();
        for (ObjectVersion v : entries) {
            boolean live = !effective.isEmpty() && !effective.get(effective.size() - 1).deleteMarker();
            if (!v.deleteMarker() || live) {
                effective.add(v);
            }
        }
        entries = List.copyOf(effective);
    }

    /** The histories of {@code versions} (one store's listing), key by key, in memory for one key at a time. */
    public static Iterator<History> perKey(Stream<ObjectVersion> versions, Selection selection) { // --- bver: public
        Iterator<ObjectVersion> it = versions.filter(v -> selection.contains(v.key())).iterator();
        return new Iterator<>() {
            private ObjectVersion pending;

            @Override
            public boolean hasNext() {
                return pending != null || it.hasNext();
            }

            @Override
            public History next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ObjectVersion first = pending != null ? pending : it.next();
                pending = null;
                List<ObjectVersion> entries = new ArrayList<>(List.of(first));
                while (it.hasNext()) {
                    ObjectVersion v = it.next();
                    if (!v.key().equals(first.key())) {
                        pending = v;
                        break;
                    }
                    entries.add(v);
                }
                return new History(first.key(), entries);
            }
        };
    }

    /** The current history of one key in {@code store}. */
    public static History of(ObjectStore store, String key) { // --- bver: public
        try (Stream<ObjectVersion> versions = store.listVersions(key)) {
            return new History(key, versions.filter(v -> v.key().equals(key)).toList());
        }
    }

    /** A source's and a target's histories of the same key; either is null when that store has no such key. */
    record Pair(History source, History target) {
        String key() {
            return source != null ? source.key() : target.key();
        }
    }

    /** Merges two stores' per-key histories by key ({@link Keys#ORDER}). */
    static Iterator<Pair> merge(Iterator<History> source, Iterator<History> target) {
        return new Iterator<>() {
            private History s = source.hasNext() ? source.next() : null;
            private History t = target.hasNext() ? target.next() : null;

            @Override
            public boolean hasNext() {
                return s != null || t != null;
            }

            @Override
            public Pair next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int c = s == null ? 1 : t == null ? -1 : Keys.ORDER.compare(s.key(), t.key());
                Pair p = new Pair(c <= 0 ? s : null, c >= 0 ? t : null);
                if (c <= 0) {
                    s = source.hasNext() ? source.next() : null;
                }
                if (c >= 0) {
                    t = target.hasNext() ? target.next() : null;
                }
                return p;
            }
        };
    }
}
