package dev.migrator.plan.steps;

import dev.migrator.provider.Archive;
import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.Keys;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.transfer.Selection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Stream;

/**
 * A source whose listings leave out the objects that must be restored before they can be read ({@code archived: skip}),
 * remembering which of the selection it left out so the step can report them as not moved. Copy and verify both see
 * it, so a left-out object is neither copied nor reported missing at the target.
 */
final class ArchivedLeftOut extends ForwardingObjectStore {
    private final Archive archive;
    private final Selection selection;
    private final Set<String> leftOut = new ConcurrentSkipListSet<>(Keys.ORDER);

    private ArchivedLeftOut(ObjectStore store, Archive archive, Selection selection) {
        super(store);
        this.archive = archive;
        this.selection = selection;
    }

    /** {@code store} with its archived objects left out, or {@code store} itself when it has no archive classes. */
    static ObjectStore around(ObjectStore store, Selection selection) {
        Optional<Archive> archive = store.archive();
        return archive.isEmpty() ? store : new ArchivedLeftOut(store, archive.get(), selection);
    }

    /** The selected keys left out so far, in key order. */
    static List<String> leftOut(ObjectStore store) {
        return ObjectStore.find(store, ArchivedLeftOut.class).map(a -> List.copyOf(a.leftOut)).orElse(List.of());
    }

    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) {
        Stream<ObjectInfo> readable = archive.listWithClasses(prefix).filter(l -> {
            if (!l.archived(archive.family())) {
                return true;
            }
            if (selection.contains(l.info().key())) {
                leftOut.add(l.info().key());
            }
            return false;
        }).map(Archive.Listed::info);
        return startAfter == null ? readable : readable.dropWhile(o -> Keys.ORDER.compare(o.key(), startAfter) <= 0);
    }
}
