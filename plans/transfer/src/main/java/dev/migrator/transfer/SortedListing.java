package dev.migrator.transfer;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * A store's listing consumed in key order, for merging with another listing: {@link #find} advances
 * to a key and says whether the store has it. Enforces the order the merge relies on: a store that
 * lists out of order fails loudly instead of making a missing object look present or vice versa.
 */
final class SortedListing implements AutoCloseable {
    private final ObjectStore store;
    private final Stream<ObjectInfo> stream;
    private final Iterator<ObjectInfo> it;
    private ObjectInfo current;

    private SortedListing(ObjectStore store, Stream<ObjectInfo> stream) {
        this.store = store;
        this.stream = stream;
        this.it = stream == null ? null : stream.iterator();
        advance();
    }

    static SortedListing of(ObjectStore store) {
        return new SortedListing(store, store.list(""));
    }

    /** Like {@link #of}, but a target that does not exist yet (a local directory) lists as empty. */
    static SortedListing ofTarget(ObjectStore target) {
        Stream<ObjectInfo> s = null;
        try {
            s = target.list("");
            return new SortedListing(target, s);
        } catch (MigratorException e) {
            if (s != null) {
                s.close();
            }
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            return new SortedListing(target, null);
        }
    }

    /** The next object in key order, or null at the end. */
    ObjectInfo next() {
        ObjectInfo out = current;
        if (out != null) {
            advance();
        }
        return out;
    }

    /** The object with {@code key}, or null; keys must be asked for in ascending order. */
    ObjectInfo find(String key) {
        while (current != null && Keys.ORDER.compare(current.key(), key) < 0) {
            advance();
        }
        if (current != null && current.key().equals(key)) {
            ObjectInfo found = current;
            advance();
            return found;
        }
        return null;
    }

    private void advance() {
        ObjectInfo previous = current;
        current = it != null && it.hasNext() ? it.next() : null;
        if (previous != null && current != null && Keys.ORDER.compare(previous.key(), current.key()) >= 0) {
            throw new MigratorException(ErrorCode.FAILED, store.displayUri() + " listed '" + current.key()
                    + "' after '" + previous.key() + "': keys must come in UTF-8 byte order (a bug in its adapter)");
        }
    }

    @Override
    public void close() {
        if (stream != null) {
            stream.close();
        }
    }
}
