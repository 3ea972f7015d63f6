package dev.migrator.plan.model;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Overlap;
import dev.migrator.provider.Stores;
import dev.migrator.provider.Redaction;
import dev.migrator.provider.StoreOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Refuses a plan whose object store locations overlap where that destroys data: a move's source and target
 * (copying into one's own source, and {@code delete-extraneous} pruning a target that contains the source,
 * deletes it), any move's target and any move's source, a bundle's staging store and the move's source or
 * target, and a drill's scratch targets and any real source, target or staging (a drill empties its
 * scratch targets). Databases are not object stores and are not compared here.
 * <p>
 * {@link #refuse(Plan, boolean) refuse(plan, true)} opens the stores and compares their
 * {@link ObjectStore#location()} (symlinks, endpoints and prefixes resolved), as {@code run}, {@code drill}
 * and {@code plan} do; the parser and {@code plan --offline} compare the URIs lexically after normalising them.
 */
public final class PlanOverlaps {
    private PlanOverlaps() {
    }

    /** A location playing a role in the plan, e.g. "source 'media'", declared at {@code pos}. */
    private record Place(String role, String uri, Pos pos) {
    }

    /** Two places that must not overlap; {@code context} says why they meet, e.g. "move 'media'". */
    private record Pair(String context, Place a, Place b) {
    }

    /**
     * Throws {@code BAD_INPUT} naming the plan line, the move (or drill) and both locations at the first overlap.
     *
     * @param open whether to open the stores and compare their real locations (false: lexical, nothing touched)
     */
    public static void refuse(Plan plan, boolean open) {
        List<Pair> pairs = pairs(plan);
        if (pairs.isEmpty()) {
            return;
        }
        if (!open) {
            check(pairs, PlanOverlaps::lexical);
            return;
        }
        Map<String, ObjectStore> stores = new HashMap<>();
        try {
            check(pairs, uri -> {
                try {
                    return stores.computeIfAbsent(uri, u -> Stores.openAdapter(u, StoreOptions.DEFAULTS)).location();
                } catch (MigratorException e) {
                    // Not openable here (e.g. a drill's scratch store without credentials on this machine): nothing can
                    // be written there either; compare its URI, and leave the open error to the step that uses it.
                    return lexical(uri);
                }
            });
        } finally {
            stores.values().forEach(ObjectStore::close);
        }
    }

    private static void check(List<Pair> pairs, Function<String, String> locate) {
        for (Pair p : pairs) {
            String x = locate.apply(p.a().uri());
            String y = locate.apply(p.b().uri());
            if (!Overlap.overlaps(x, y)) {
                continue;
            }
            String a = p.a().role() + " (" + Redaction.uri(p.a().uri()) + ")";
            String b = p.b().role() + " (" + Redaction.uri(p.b().uri()) + ")";
            String how = slashed(x).equals(slashed(y)) ? a + " and " + b + " are the same location (" + x + ")"
                    : x.length() > y.length() ? a + " lies inside " + b + " (" + x + " in " + y + ")"
                    : b + " lies inside " + a + " (" + y + " in " + x + ")";
            throw p.a().pos().error(p.context() + ": " + how + "; nothing may be written or deleted in a location the plan "
                    + "also reads from: use locations that do not contain each other");
        }
    }

    private static List<Pair> pairs(Plan plan) {
        List<Pair> pairs = new ArrayList<>();
        Map<String, Place> sources = new LinkedHashMap<>();
        Map<String, Place> targets = new LinkedHashMap<>();
        List<Place> stagings = new ArrayList<>();
        for (Move m : plan.moves()) {
            Location from = plan.location(m.from());
            Location to = plan.location(m.to());
            if (from.database()) {
                continue;
            }
            Place source = new Place("source '" + from.name() + "'", from.uri(), m.pos());
            Place target = new Place("target '" + to.name() + "'", to.uri(), m.pos());
            String move = "move '" + m.name() + "'";
            pairs.add(new Pair(move, source, target));
            if (m.staging() != null) {
                Place staging = new Place("staging", m.staging(), m.pos());
                pairs.add(new Pair(move, staging, source));
                pairs.add(new Pair(move, staging, target));
                stagings.add(staging);
            }
            sources.putIfAbsent(from.name(), source);
            targets.putIfAbsent(to.name(), target);
        }
        // Across moves: one move's target must not hold another move's source (its copies and prunes would reach it).
        for (Place t : targets.values()) {
            for (Place s : sources.values()) {
                pairs.add(new Pair("the plan", t, s));
            }
        }
        if (plan.drill() != null) {
            plan.drill().targets().forEach((name, uri) -> {
                if (plan.location(name).database()) {
                    return;
                }
                Place scratch = new Place("drill target '" + name + "'", uri, plan.drill().pos());
                List<Place> real = new ArrayList<>(targets.values());
                real.addAll(sources.values());
                real.addAll(stagings);
                Location declared = plan.location(name);
                real.add(new Place("target '" + name + "'", declared.uri(), declared.pos()));
                for (Place r : real) {
                    pairs.add(new Pair("drill", scratch, r));
                }
            });
        }
        return pairs;
    }

    /**
     * A URI normalised for comparison without opening it: no credentials or query, a lower-case scheme and
     * host, an S3-style {@code endpoint=} host in front of the bucket (the same bucket name at another
     * endpoint is another place), a local path made absolute and normalised, and a trailing {@code /}.
     */
    public static String lexical(String uri) {
        URI u = Stores.uri(uri);
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("file")) {
            try {
                return slashed(Path.of(u.getPath() == null ? "/" : u.getPath()).toAbsolutePath().normalize().toUri().toString());
            } catch (RuntimeException e) {
                throw MigratorException.badInput("'" + Redaction.uri(uri) + "' is not a local path");
            }
        }
        String endpoint = "";
        if (u.getRawQuery() != null) {
            for (String kv : u.getRawQuery().split("&")) {
                if (kv.startsWith("endpoint=")) {
                    try {
                        URI e = URI.create(java.net.URLDecoder.decode(kv.substring(9), java.nio.charset.StandardCharsets.UTF_8));
                        endpoint = (e.getHost() == null ? e.toString() : e.getHost() + ":" + e.getPort())
                                .toLowerCase(Locale.ROOT) + "/";
                    } catch (IllegalArgumentException ignored) {
                        endpoint = kv.substring(9) + "/";
                    }
                }
            }
        }
        String host = u.getHost() != null ? u.getHost().toLowerCase(Locale.ROOT)
                : u.getRawAuthority() == null ? "" : u.getRawAuthority().replaceFirst("^.*@", "");
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        return slashed(scheme + "://" + endpoint + host + (path.startsWith("/") || path.isEmpty() ? path : "/" + path));
    }

    private static String slashed(String s) {
        return s.endsWith("/") ? s : s + "/";
    }
}
