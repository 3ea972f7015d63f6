package dev.migrator.transfer;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * The one merge of a source's and a target's listings that copy, verify and prune share: the keys of a
 * {@link Selection} on either side, as {@link Pair}s in {@link Keys#ORDER}, each key once, with the object
 * each side has under it (or null). Lazy and in constant memory: each side reads one entry ahead of the
 * pair being handed out, and nothing of a listing is kept.
 *
 * <p>What is listed: only the keys the selection can contain. Each include prefix (or, without includes,
 * the prefix that every key in {@code [from, to)} shares) is listed in key order, so a plan's shard
 * {@code under media/} does not read the rest of the bucket; a side starts listing at the range's start
 * ({@link ObjectStore#list(String, String)}, so a shard of a bucket's last keys does not page through the
 * first ones on stores that can start there) and stops at the range's end.
 *
 * <p>The merge relies on each store listing in {@link Keys#ORDER}; a store that does not fails the merge
 * loudly instead of making a missing object look present or vice versa. Not thread-safe; close it to close
 * the listings.
 */
public final class ListingMerge implements Iterator<ListingMerge.Pair>, AutoCloseable {
    /** One key of the selection: what the source and the target have under it; never both null. */
    public record Pair(ObjectInfo source, ObjectInfo target) {
        public String key() {
            return source != null ? source.key() : target.key();
        }
    }

    private final Side source;
    private final Side target;

    private ListingMerge(Side source, Side target) {
        this.source = source;
        this.target = target;
    }

    /** Both stores must exist: a source or target that is not there ({@link ErrorCode#NOT_FOUND}) is an error. */
    public static ListingMerge of(ObjectStore source, ObjectStore target, Selection selection) {
        return open(source, target, selection, false);
    }

    /**
     * Like {@link #of}, for writing into the target: a target that does not exist yet (a local directory a
     * copy will create) lists as empty. The source must exist: an absent source is never "no objects".
     */
    public static ListingMerge intoTarget(ObjectStore source, ObjectStore target, Selection selection) {
        return open(source, target, selection, true);
    }

    private static ListingMerge open(ObjectStore source, ObjectStore target, Selection selection, boolean targetMayBeAbsent) {
        List<String> prefixes = prefixes(selection);
        Side s = new Side(source, selection, prefixes, false);
        try {
            return new ListingMerge(s, new Side(target, selection, prefixes, targetMayBeAbsent));
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public boolean hasNext() {
        return source.current != null || target.current != null;
    }

    @Override
    public Pair next() {
        ObjectInfo a = source.current;
        ObjectInfo b = target.current;
        if (a == null && b == null) {
            throw new NoSuchElementException();
        }
        int c = a == null ? 1 : b == null ? -1 : Keys.ORDER.compare(a.key(), b.key());
        if (c <= 0) {
            source.advance();
        }
        if (c >= 0) {
            target.advance();
        }
        return new Pair(c <= 0 ? a : null, c >= 0 ? b : null);
    }

    /**
     * Whether the source has no more keys in the selection: a caller that acts only on source keys (a copy)
     * can stop here instead of reading the rest of the target's listing.
     */
    public boolean sourceDone() {
        return source.current == null;
    }

    @Override
    public void close() {
        try {
            source.close();
        } finally {
            target.close();
        }
    }

    /**
     * The prefixes to list, in key order, none a prefix of another (so their listings, one after the other,
     * are in key order too, and no key comes twice). Every key the selection contains starts with one of them.
     */
    static List<String> prefixes(Selection selection) {
        String range = commonPrefix(selection.from(), selection.to());
        List<String> wanted = new ArrayList<>();
        if (selection.include().isEmpty()) {
            wanted.add(range);
        }
        for (String include : selection.include()) {
            // Keys under the include and in the range start with the longer of the two; if neither is a prefix
            // of the other, no key is both.
            if (include.startsWith(range)) {
                wanted.add(include);
            } else if (range.startsWith(include)) {
                wanted.add(range);
            }
        }
        wanted.sort(Keys.ORDER);
        List<String> out = new ArrayList<>();
        for (String p : wanted) {
            // Sorted, a prefix comes before every key it covers, and whatever lies between them starts with it too.
            if (!out.isEmpty() && p.startsWith(out.get(out.size() - 1))) {
                continue;
            }
            // All of p's keys are >= p: none is in range when p is at or past the end.
            if (selection.pastEnd(p)) {
                break;
            }
            // Below from and not a prefix of it: p and all of its keys sort before from.
            if (selection.from() != null && Keys.ORDER.compare(p, selection.from()) < 0 && !selection.from().startsWith(p)) {
                continue;
            }
            out.add(p);
        }
        return out;
    }

    /**
     * The longest prefix every key in {@code [from, to)} starts with: the two bounds' common prefix (a key that
     * left it earlier would sort below {@code from} or at or above {@code to}), cut so it never ends inside a
     * surrogate pair. Empty when either bound is open.
     */
    static String commonPrefix(String from, String to) {
        if (from == null || to == null) {
            return "";
        }
        int n = 0;
        int max = Math.min(from.length(), to.length());
        while (n < max && from.charAt(n) == to.charAt(n)) {
            n++;
        }
        if (n > 0 && Character.isHighSurrogate(from.charAt(n - 1))) {
            n--;
        }
        return from.substring(0, n);
    }

    /**
     * Where a listing of {@code prefix} may start for a range from {@code from} (inclusive): after {@code from}
     * without its last character, a key just below it ({@code list} starts after a key, exclusive); the few keys
     * between the two are dropped by the selection. Null (from the start) when {@code from} does not lie past
     * the prefix's first key.
     */
    static String startAfter(String prefix, String from) {
        if (from == null || from.isEmpty() || Keys.ORDER.compare(from, prefix) <= 0) {
            return null;
        }
        // By code point, so that a surrogate pair is never cut in half (it would not encode to UTF-8).
        String before = from.substring(0, from.offsetByCodePoints(from.length(), -1));
        return before.isEmpty() ? null : before;
    }

    /** One store's keys in the selection, listed prefix after prefix, one entry read ahead. */
    private static final class Side implements AutoCloseable {
        private final ObjectStore store;
        private final Selection selection;
        private final Iterator<String> prefixes;
        private final boolean mayBeAbsent;
        private Stream<ObjectInfo> stream;
        private Iterator<ObjectInfo> it;
        private ObjectInfo current;
        private String previousKey;

        Side(ObjectStore store, Selection selection, List<String> prefixes, boolean mayBeAbsent) {
            this.store = store;
            this.selection = selection;
            this.prefixes = prefixes.iterator();
            this.mayBeAbsent = mayBeAbsent;
            try {
                advance();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        void advance() {
            current = null;
            while (true) {
                if (it == null) {
                    if (!prefixes.hasNext() || !openNext()) {
                        close();
                        return;
                    }
                    continue;
                }
                if (!it.hasNext()) {
                    closeStream();
                    continue;
                }
                ObjectInfo o = it.next();
                String key = o.key();
                if (previousKey != null && Keys.ORDER.compare(previousKey, key) >= 0) {
                    throw new MigratorException(ErrorCode.FAILED, store.displayUri() + " listed '" + key + "' after '"
                            + previousKey + "': keys must come in UTF-8 byte order (a bug in its adapter)");
                }
                previousKey = key;
                if (selection.pastEnd(key)) {
                    close(); // later keys, and later prefixes, are all past the end too
                    return;
                }
                if (selection.contains(key)) {
                    current = o;
                    return;
                }
            }
        }

        /** Lists the next prefix; false when the store does not exist and may be absent (then it lists as empty). */
        private boolean openNext() {
            String prefix = prefixes.next();
            try {
                stream = store.list(prefix, startAfter(prefix, selection.from()));
                it = stream.iterator();
                it.hasNext(); // a lazy listing may only find out here that its store is not there
                return true;
            } catch (MigratorException e) {
                closeStream();
                if (mayBeAbsent && e.code() == ErrorCode.NOT_FOUND) {
                    return false;
                }
                throw e;
            }
        }

        private void closeStream() {
            Stream<ObjectInfo> s = stream;
            stream = null;
            it = null;
            if (s != null) {
                s.close();
            }
        }

        @Override
        public void close() {
            current = null;
            closeStream();
            while (prefixes.hasNext()) {
                prefixes.next(); // nothing more to list
            }
        }
    }
}
