package dev.migrator.provider;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Turns a server's version listing, which comes grouped by key but not necessarily oldest first (S3 lists a
 * key's newest version first), into the order {@link ObjectStore#listVersions} promises: one key's entries are
 * gathered, put in order by the adapter's {@code history}, and passed on. Memory holds one key's entries.
 */
public final class VersionListing {
    private VersionListing() {
    }

    /**
     * The entries of {@code listed}, grouped by {@code keyOf} (consecutive entries with the same key), each group
     * turned into that key's history, oldest first, by {@code history}. The returned stream closes {@code onClose}.
     */
    public static <T> Stream<ObjectVersion> perKey(Iterator<T> listed, Function<T, String> keyOf,
            Function<List<T>, List<ObjectVersion>> history, Runnable onClose) {
        Iterator<ObjectVersion> out = new Iterator<>() {
            private Iterator<ObjectVersion> group = java.util.Collections.emptyIterator();
            private T pending;

            @Override
            public boolean hasNext() {
                while (!group.hasNext()) {
                    if (pending == null && !listed.hasNext()) {
                        return false;
                    }
                    List<T> entries = new ArrayList<>();
                    T first = pending != null ? pending : listed.next();
                    pending = null;
                    entries.add(first);
                    String key = keyOf.apply(first);
                    while (listed.hasNext()) {
                        T next = listed.next();
                        if (!keyOf.apply(next).equals(key)) {
                            pending = next;
                            break;
                        }
                        entries.add(next);
                    }
                    group = history.apply(entries).iterator();
                }
                return true;
            }

            @Override
            public ObjectVersion next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return group.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(out, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(onClose);
    }
}
