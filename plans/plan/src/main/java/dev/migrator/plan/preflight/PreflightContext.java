package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Move;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.provider.Database;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the checks of one preflight share: the plan, each store and database opened once, each database's
 * {@link Database.Facts} read once, each move's size measured at most once. Not thread-safe: checks run one
 * after another. Close it to close the stores.
 */
public final class PreflightContext implements AutoCloseable {
    /** A few quick tries: a flaky network still passes, a dead host answers in seconds, not minutes. */
    static final StoreOptions OPTIONS = new StoreOptions(StoreOptions.DEFAULT_PART_SIZE, 4,
            new Retry(3, Duration.ofMillis(100), Duration.ofSeconds(1)));

    private final Plan plan;
    private final Inventory.Source sizes;
    private final Clock clock;
    private final Map<String, Object> stores = new HashMap<>();
    private final Map<String, Object> facts = new HashMap<>();
    private final Map<String, Optional<Inventory>> inventories = new HashMap<>();

    /**
     * @param plan  the plan as it will run (a drill's with its scratch targets)
     * @param sizes where a move's size comes from when the free-space check needs it and the plan declares none
     * @param clock this machine's clock (a test may set another)
     */
    public PreflightContext(Plan plan, Inventory.Source sizes, Clock clock) {
        this.plan = plan;
        this.sizes = sizes;
        this.clock = clock;
    }

    public Plan plan() {
        return plan;
    }

    public Clock clock() {
        return clock;
    }

    /** Whether {@code l} is read (a source) rather than written (a target). */
    public boolean isSource(Location l) {
        return plan.moves().stream().anyMatch(m -> m.from().equals(l.name()));
    }

    /** The moves that read {@code l} or write it. */
    public List<Move> movesOf(Location l) {
        List<Move> out = new ArrayList<>();
        for (Move m : plan.moves()) {
            if (m.from().equals(l.name()) || m.to().equals(l.name())) {
                out.add(m);
            }
        }
        return out;
    }

    /** Locations in plan order, object stores or databases. */
    public List<Location> locations(boolean databases) {
        return plan.locations().values().stream().filter(l -> l.database() == databases)
                .filter(l -> !movesOf(l).isEmpty()).toList();
    }

    /** Object-store staging URIs of the moves (where bundles are written), by move name. */
    public Map<String, String> stagingStores() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Move m : plan.moves()) {
            if (m.staging() != null && m.via() == Move.Via.BUNDLE) {
                out.put(m.name(), m.staging());
            }
        }
        return out;
    }

    /** The store at {@code uri}, opened once (with a few quick retries); a URI that cannot be opened throws. */
    public ObjectStore store(String uri) {
        Object s = stores.computeIfAbsent(uri, u -> {
            try {
                return Stores.open(u, OPTIONS);
            } catch (MigratorException e) {
                return e;
            }
        });
        if (s instanceof MigratorException e) {
            throw e;
        }
        return (ObjectStore) s;
    }

    /** What {@code l}'s server says about itself, read once; the failure (rejected credentials, ...) is thrown each time. */
    public Database.Facts facts(Location l) {
        Object f = facts.computeIfAbsent(l.uri(), u -> {
            try (Database db = Stores.database(u)) {
                return db.facts();
            } catch (MigratorException e) {
                return e;
            }
        });
        if (f instanceof MigratorException e) {
            throw e;
        }
        return (Database.Facts) f;
    }

    /** {@link #facts} or empty when they cannot be read (the database-access check reports why). */
    public Optional<Database.Facts> factsIfReadable(Location l) {
        try {
            return Optional.of(facts(l));
        } catch (MigratorException e) {
            return Optional.empty();
        }
    }

    /** The bytes {@code m} carries: declared in the plan, else measured; empty when that fails (access reports why). */
    public Optional<Long> bytes(Move m) {
        Location from = plan.location(m.from());
        return from.bytes() != null ? Optional.of(from.bytes()) : inventory(m).map(Inventory::bytes);
    }

    /** What {@code m} carries, measured (or declared, offline) once; empty when that fails (access reports why). */
    public Optional<Inventory> inventory(Move m) {
        return inventories.computeIfAbsent(m.name(), n -> {
            try {
                return Optional.of(sizes.of(plan.location(m.from()), m));
            } catch (MigratorException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void close() {
        for (Object s : stores.values()) {
            if (s instanceof ObjectStore store) {
                try {
                    store.close();
                } catch (RuntimeException ignored) {
                    // closing is tidying up; what the checks found is already reported
                }
            }
        }
        stores.clear();
    }
}
