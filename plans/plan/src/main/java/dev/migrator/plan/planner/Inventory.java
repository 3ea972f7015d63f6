package dev.migrator.plan.planner;

import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Move;
import dev.migrator.provider.Archive;
import dev.migrator.provider.Database;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.StoreOptions;
import dev.migrator.transfer.Selection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.Random;
import java.util.stream.Stream;

/**
 * What a move has to carry: objects and bytes, and a sample of keys to cut key-range shards at.
 * Measuring streams the listing with a fixed-size reservoir sample, so memory does not grow with the
 * number of objects.
 *
 * @param objects   objects (0 for a database)
 * @param bytes     bytes
 * @param sample    up to {@link #SAMPLE} keys in key order, spread over the listing
 * @param measured  whether this was measured (false: declared in the plan)
 * @param classes   objects and bytes per storage class as the listing reports it ({@code STANDARD} for the default
 *                  class), in name order; empty when not measured or the store has no classes
 */
public record Inventory(long objects, long bytes, List<String> sample, boolean measured, Map<String, PerClass> classes) {
    public static final int SAMPLE = 1024;

    /** Objects and bytes of one storage class; {@code archived}: they must be restored before they can be read. */
    public record PerClass(long objects, long bytes, boolean archived) {
    }

    public Inventory {
        classes = classes == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(classes));
    }

    /** Without classes (declared sizes, databases). */
    public Inventory(long objects, long bytes, List<String> sample, boolean measured) {
        this(objects, bytes, sample, measured, Map.of());
    }

    /** Objects that must be restored before they can be read. */
    public long archivedObjects() {
        return classes.values().stream().filter(PerClass::archived).mapToLong(PerClass::objects).sum();
    }

    /** Bytes of {@link #archivedObjects()}. */
    public long archivedBytes() {
        return classes.values().stream().filter(PerClass::archived).mapToLong(PerClass::bytes).sum();
    }

    /** The archived classes, by name. */
    public Map<String, PerClass> archivedClasses() {
        Map<String, PerClass> out = new TreeMap<>();
        classes.forEach((k, v) -> {
            if (v.archived()) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Where the sizes come from: measured, or the plan's declarations ({@code --offline}). */
    public interface Source {
        Inventory of(Location source, Move move);
    }

    /** Sizes declared in the plan; a source that declares none is bad input naming it. */
    public static final Source DECLARED = (loc, move) -> {
        if (loc.bytes() == null) {
            throw loc.pos().error("source '" + loc.name() + "' declares no size; add 'size:' (and 'objects:' for a bucket) "
                    + "or plan without --offline to measure it");
        }
        return new Inventory(loc.objects() == null ? 0 : loc.objects(), loc.bytes(), List.of(), false);
    };

    /** Lists each source (databases: their catalog). */
    public static final Source MEASURED = (loc, move) -> {
        if (loc.database()) {
            try (Database db = Stores.database(loc.uri())) {
                return new Inventory(0, db.inventory().bytes(), List.of(), true);
            }
        }
        try (ObjectStore store = Stores.open(loc.uri(), StoreOptions.DEFAULTS)) {
            // --- pver begin: a versioned move carries versions, not only the latest objects
            if (move.versions().versioned()) {
                return measureVersions(store, new Selection(move.include(), move.exclude(), null, null), move);
            }
            // --- pver end
            return measure(store, new Selection(move.include(), move.exclude(), null, null));
        }
    };

    // --- pver begin
    /**
     * The versions a versioned move copies, in one streamed listing: with {@code versions: all} every version and
     * delete marker (a marker is an object of 0 bytes: one request), with {@code versions-at} each key's version at
     * that time. The sample holds distinct keys, so shards cut between keys, never inside one key's history.
     */
    static Inventory measureVersions(ObjectStore store, Selection selection, Move move) {
        if (!store.capabilities().versions()) {
            throw move.pos().error("move '" + move.name() + "': source '" + move.from() + "' (" + dev.migrator.provider.Redaction
                    .uri(store.displayUri()) + ") does not keep object versions; remove 'versions'/'versions-at' from the move");
        }
        long objects = 0;
        long bytes = 0;
        long keys = 0;
        String last = null;
        String[] reservoir = new String[SAMPLE];
        Random random = new Random(42);
        String prefix = selection.include().size() == 1 ? selection.include().get(0) : "";
        Move.Versions v = move.versions();
        try (Stream<ObjectInfo> listing = v.all()
                ? store.listVersions(prefix).map(dev.migrator.provider.ObjectVersion::info) // a delete marker's size is 0
                : dev.migrator.transfer.PointInTime.of(store, v.at()).list(prefix)) {
            for (var it = listing.iterator(); it.hasNext(); ) {
                ObjectInfo o = it.next();
                if (!selection.contains(o.key())) {
                    continue;
                }
                objects++;
                bytes += o.size();
                if (o.key().equals(last)) {
                    continue;
                }
                last = o.key();
                if (keys < SAMPLE) {
                    reservoir[(int) keys] = o.key();
                } else {
                    long r = (long) (random.nextDouble() * (keys + 1));
                    if (r < SAMPLE) {
                        reservoir[(int) r] = o.key();
                    }
                }
                keys++;
            }
        } catch (MigratorException e) {
            if (e.code() != dev.migrator.provider.ErrorCode.NOT_FOUND) {
                throw e;
            }
        }
        List<String> sample = new ArrayList<>(java.util.Arrays.asList(reservoir).subList(0, (int) Math.min(keys, SAMPLE)));
        sample.sort(Keys.ORDER);
        return new Inventory(objects, bytes, sample, true, Map.of());
    }
    // --- pver end

    /**
     * Counts the selected objects of {@code store} in one streamed listing, per storage class where the store's
     * listing reports classes ({@link ObjectStore#archive()}).
     */
    public static Inventory measure(ObjectStore store, Selection selection) {
        long objects = 0;
        long bytes = 0;
        String[] reservoir = new String[SAMPLE];
        Random random = new Random(42); // the same listing gives the same shards
        List<String> prefixes = selection.include().size() == 1 ? selection.include() : List.of("");
        Optional<Archive> archive = store.archive();
        Map<String, long[]> perClass = new HashMap<>();
        Map<String, Boolean> archivedClass = new HashMap<>();
        try (Stream<Archive.Listed> listing = archive.isPresent() ? archive.get().listWithClasses(prefixes.get(0))
                : store.list(prefixes.get(0)).map(o -> new Archive.Listed(o, null))) {
            for (var it = listing.iterator(); it.hasNext(); ) {
                Archive.Listed l = it.next();
                ObjectInfo o = l.info();
                if (!selection.contains(o.key())) {
                    continue;
                }
                if (archive.isPresent()) {
                    String cls = l.storageClass() == null ? "STANDARD" : l.storageClass();
                    long[] c = perClass.computeIfAbsent(cls, k -> new long[2]);
                    c[0]++;
                    c[1] += o.size();
                    archivedClass.computeIfAbsent(cls, k -> l.archived(archive.get().family()));
                }
                if (objects < SAMPLE) {
                    reservoir[(int) objects] = o.key();
                } else {
                    long r = (long) (random.nextDouble() * (objects + 1));
                    if (r < SAMPLE) {
                        reservoir[(int) r] = o.key();
                    }
                }
                objects++;
                bytes += o.size();
            }
        } catch (MigratorException e) {
            if (e.code() != dev.migrator.provider.ErrorCode.NOT_FOUND) {
                throw e;
            }
        }
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < Math.min(objects, SAMPLE); i++) {
            sample.add(reservoir[i]);
        }
        sample.sort(Keys.ORDER);
        Map<String, PerClass> classes = new TreeMap<>();
        perClass.forEach((cls, c) -> classes.put(cls, new PerClass(c[0], c[1], archivedClass.get(cls))));
        return new Inventory(objects, bytes, sample, true, classes);
    }

    /** Shard boundaries: {@code shards - 1} sample keys cutting the listing into parts of about equal count. */
    public List<String> cuts(int shards) {
        List<String> cuts = new ArrayList<>();
        for (int i = 1; i < shards && !sample.isEmpty(); i++) {
            String k = sample.get((int) ((long) i * sample.size() / shards));
            if (cuts.isEmpty() || !cuts.get(cuts.size() - 1).equals(k)) {
                cuts.add(k);
            }
        }
        return cuts;
    }
}
