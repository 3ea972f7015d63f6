package dev.migrator.plan.model;

import dev.migrator.provider.Sizes;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Stores;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Reads a plan file (docs/plan-format.md). Every mistake is a {@link MigratorException} with
 * {@code BAD_INPUT} whose message starts with {@code file:line:column:} and says what is expected there.
 * Scalars are read as text and interpreted here, so YAML's own typing never guesses (YAML 1.2 core).
 */
public final class PlanParser {
    /** Plan files are hand-written and small; a bigger file is a mistake (or hostile), refused before it is parsed. */
    static final int MAX_CHARS = 1 << 20;
    /** Deeper nesting than any plan needs; the composer recurses per level, so a deep file would overflow its stack. */
    static final int MAX_DEPTH = 64;
    private final String label;

    private PlanParser(String label) {
        this.label = label;
    }

    public static Plan parse(Path file) {
        String text;
        try {
            if (Files.isRegularFile(file) && Files.size(file) > MAX_CHARS) {
                throw MigratorException.badInput("plan file " + file + " is " + Files.size(file) + " bytes; a plan file is at most "
                        + MAX_CHARS + " bytes (is it the right file?)");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw MigratorException.badInput("plan file " + file + " does not exist");
        } catch (CharacterCodingException e) {
            throw MigratorException.badInput("plan file " + file + " is not UTF-8 text (is it the right file?)");
        } catch (IOException e) {
            throw MigratorException.badInput("cannot read plan file " + file + ": " + e.getMessage());
        }
        return parse(file, text);
    }

    public static Plan parse(Path file, String text) {
        return new PlanParser(file.toString()).read(file, text);
    }

    private Plan read(Path file, String text) {
        Node root = compose(text, "the plan is empty; expected a mapping with 'sources', 'targets' and 'moves'");
        Map<String, Node> top = mapping(root, "the plan", Set.of("version", "name", "deadline", "sources", "targets",
                "moves", "limits", "hooks", "drill"));
        Node version = top.get("version");
        if (version != null && !"1".equals(scalar(version, "the plan format version"))) {
            throw pos(version).error("plan format version must be 1");
        }
        String name = top.containsKey("name") ? scalar(top.get("name"), "the plan's name") : file.getFileName().toString();

        Instant deadlineAt = null;
        Duration deadlineIn = null;
        if (top.containsKey("deadline")) {
            Node d = top.get("deadline");
            String t = scalar(d, "a deadline");
            deadlineIn = Units.duration(t);
            if (deadlineIn == null) {
                try {
                    deadlineAt = Instant.parse(t);
                } catch (DateTimeParseException e) {
                    throw pos(d).error("deadline '" + shown(t) + "' is neither a duration (e.g. 6h, 1h30m) nor a UTC time "
                            + "(e.g. 2026-11-29T06:00:00Z)");
                }
            }
        }

        Map<String, Location> locations = new LinkedHashMap<>();
        Node sources = require(top, "sources", root, "a mapping of source names to URIs");
        readLocations(sources, "source", locations);
        Node targets = require(top, "targets", root, "a mapping of target names to URIs");
        readLocations(targets, "target", locations);
        Set<String> sourceNames = mapping(sources, "sources", null).keySet();
        Set<String> targetNames = mapping(targets, "targets", null).keySet();

        Node movesNode = require(top, "moves", root, "a list of moves (from, to)");
        List<Move> moves = new ArrayList<>();
        Set<String> moveNames = new LinkedHashSet<>();
        for (Node m : sequence(movesNode, "moves")) {
            Move move = readMove(m, locations, sourceNames, targetNames);
            if (!moveNames.add(move.name())) {
                throw move.pos().error("a second move named '" + move.name() + "'; give each move a unique 'name'");
            }
            moves.add(move);
        }
        if (moves.isEmpty()) {
            throw pos(movesNode).error("'moves' is empty; expected at least one move");
        }
        checkSharedBundles(moves);

        Plan.Limits limits = new Plan.Limits(4, 3, Duration.ofSeconds(2));
        if (top.containsKey("limits")) {
            Map<String, Node> l = mapping(top.get("limits"), "limits", Set.of("concurrency", "attempts", "backoff"));
            limits = new Plan.Limits(
                    l.containsKey("concurrency") ? integer(l.get("concurrency"), "concurrency", 1, 1024) : limits.concurrency(),
                    l.containsKey("attempts") ? integer(l.get("attempts"), "attempts", 1, 100) : limits.attempts(),
                    l.containsKey("backoff") ? duration(l.get("backoff"), "backoff") : limits.backoff());
        }

        List<Hook> hooks = new ArrayList<>();
        if (top.containsKey("hooks")) {
            Set<String> points = new LinkedHashSet<>();
            for (Hook.Point p : Hook.Point.values()) {
                points.add(p.word);
            }
            Map<String, Node> h = mapping(top.get("hooks"), "hooks", points);
            Set<String> hookNames = new LinkedHashSet<>();
            for (Hook.Point p : Hook.Point.values()) {
                Node list = h.get(p.word);
                if (list == null) {
                    continue;
                }
                List<Node> entries = list instanceof SequenceNode s ? s.getValue() : List.of(list);
                int i = 0;
                for (Node e : entries) {
                    Hook hook = readHook(p, e, ++i);
                    if (!hookNames.add(hook.name())) {
                        throw pos(e).error("a second hook named '" + hook.name() + "'; give each hook a unique 'name'");
                    }
                    hooks.add(hook);
                }
            }
        }

        Plan.Drill drill = null;
        if (top.containsKey("drill")) {
            Node dn = top.get("drill");
            Map<String, Node> d = mapping(dn, "drill", Set.of("targets", "deadline", "hooks"));
            Map<String, String> scratch = new LinkedHashMap<>();
            Node tn = require(d, "targets", dn, "a mapping of target names to scratch URIs");
            for (Map.Entry<String, Node> e : mapping(tn, "drill targets", null).entrySet()) {
                if (!targetNames.contains(e.getKey())) {
                    throw pos(e.getValue()).error("drill target '" + e.getKey() + "' is not a target of the plan; expected one of "
                            + targetNames);
                }
                String uri = scalar(e.getValue(), "a scratch URI");
                checkUri(e.getValue(), uri, locations.get(e.getKey()).database());
                if (!locations.get(e.getKey()).database()
                        && PlanOverlaps.lexical(uri).equals(PlanOverlaps.lexical(locations.get(e.getKey()).uri()))
                        || uri.equals(locations.get(e.getKey()).uri())) {
                    throw pos(e.getValue()).error("drill target '" + e.getKey() + "' is the real target; a drill needs a scratch location");
                }
                scratch.put(e.getKey(), uri);
            }
            for (Move m : moves) {
                if (!scratch.containsKey(m.to())) {
                    throw pos(tn).error("no scratch location for target '" + m.to() + "' (used by move '" + m.name()
                            + "'); add '" + m.to() + ": URI' here");
                }
            }
            drill = new Plan.Drill(scratch, d.containsKey("deadline") ? duration(d.get("deadline"), "drill deadline") : null,
                    d.containsKey("hooks") && bool(d.get("hooks"), "hooks"), pos(dn));
        }
        Plan plan = new Plan(file, name, deadlineAt, deadlineIn, locations, moves, limits, hooks, drill);
        // Without opening anything: run, drill and plan compare the stores' real locations again before they start.
        PlanOverlaps.refuse(plan, false);
        return plan;
    }

    /** The document's root node, or bad input naming the line of a YAML error; {@code empty}: what an empty document gets. */
    private Node compose(String text, String empty) {
        Node root;
        try {
            // Duplicate keys are refused in mapping(): the composer keeps them all (the constructor would check).
            LoadSettings settings = LoadSettings.builder().setLabel(label).setCodePointLimit(MAX_CHARS).build();
            checkDepth(settings, text);
            Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
            root = composer.getSingleNode().orElse(null);
        } catch (MarkedYamlEngineException e) {
            Mark m = e.getProblemMark().orElse(e.getContextMark().orElse(null));
            Pos pos = m == null ? new Pos(label, 1, 1) : new Pos(label, m.getLine() + 1, m.getColumn() + 1);
            throw pos.error("not valid YAML: " + (e.getProblem() == null ? e.getMessage() : e.getProblem()));
        } catch (YamlEngineException e) {
            throw new Pos(label, 1, 1).error("not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            throw new Pos(label, 1, 1).error(empty);
        }
        return root;
    }

    /** Walks the events (the parser is iterative) and refuses nesting deeper than {@link #MAX_DEPTH} before composing. */
    private void checkDepth(LoadSettings settings, String text) {
        if (text.length() > MAX_CHARS) {
            throw new Pos(label, 1, 1).error("the plan is " + text.length() + " characters; a plan file is at most " + MAX_CHARS);
        }
        int depth = 0;
        for (ParserImpl events = new ParserImpl(settings, new StreamReader(settings, text)); events.hasNext(); ) {
            Event e = events.next();
            if (e.getEventId() == Event.ID.MappingStart || e.getEventId() == Event.ID.SequenceStart) {
                if (++depth > MAX_DEPTH) {
                    throw e.getStartMark().map(m -> new Pos(label, m.getLine() + 1, m.getColumn() + 1)).orElse(new Pos(label, 1, 1))
                            .error("nested more than " + MAX_DEPTH + " levels deep; a plan needs a few");
                }
            } else if (e.getEventId() == Event.ID.MappingEnd || e.getEventId() == Event.ID.SequenceEnd) {
                depth--;
            }
        }
    }

    private void readLocations(Node node, String role, Map<String, Location> into) {
        for (Map.Entry<String, Node> e : mapping(node, role + "s", null).entrySet()) {
            String name = e.getKey();
            Node v = e.getValue();
            if (into.containsKey(name)) {
                throw pos(v).error("'" + name + "' is both a source and a target; use distinct names");
            }
            Location loc;
            if (v instanceof ScalarNode) {
                String uri = scalar(v, "a URI");
                loc = new Location(name, uri, checkUri(v, uri, null), null, null, Calibration.NONE, Price.defaultFor(uri), pos(v));
            } else {
                Set<String> keys = new java.util.HashSet<>(FIGURES);
                keys.addAll(Set.of("uri", "objects", "size", "price"));
                Map<String, Node> m = mapping(v, role + " '" + name + "'", keys);
                Node u = require(m, "uri", v, "the " + role + "'s URI");
                String uri = scalar(u, "a URI");
                loc = new Location(name, uri, checkUri(u, uri, null),
                        m.containsKey("objects") ? (long) integer(m.get("objects"), "objects", 0, Integer.MAX_VALUE) : null,
                        m.containsKey("size") ? size(m.get("size"), "size") : null,
                        figures(m),
                        m.containsKey("price") ? price(m.get("price"), Price.defaultFor(uri)) : Price.defaultFor(uri),
                        pos(v));
            }
            into.put(name, loc);
        }
    }

    /** The keys of a location's throughput figures ({@link Calibration}), in a plan and in a calibration file. */
    static final Set<String> FIGURES = Set.of("stream", "latency", "requests", "write-stream", "write-latency", "bandwidth",
            "request-limit", "step-start", "bandwidth-streams",
            // --- eta begin
            "stat-latency", "stat-limit", "copy-stream", "copy-latency", "copy-bandwidth", "copy-streams", "copy-limit", "copy-start",
            "delta-start", "verify-start", "copy-per-object", "delta-per-object", "verify-per-object", "dump-start", "restore-start",
            "fingerprint-start", "hash-rate",
            // --- eta end
            "dump-stream"
            );

    private Calibration figures(Map<String, Node> m) {
        if (m.containsKey("requests") && m.containsKey("latency")) {
            throw pos(m.get("requests")).error("'requests' and 'latency' say the same (latency = 1 / requests); keep one");
        }
        Double latency = null; // not a conditional expression: it would unbox the null
        if (m.containsKey("latency")) {
            latency = latency(m.get("latency"), "latency");
        } else if (m.containsKey("requests")) {
            latency = 1 / perSecond(m.get("requests"), "requests");
        }
        return new Calibration(m.containsKey("stream") ? rate(m.get("stream"), "stream") : null, latency,
                m.containsKey("write-stream") ? rate(m.get("write-stream"), "write-stream") : null,
                m.containsKey("write-latency") ? latency(m.get("write-latency"), "write-latency") : null,
                m.containsKey("bandwidth") ? rate(m.get("bandwidth"), "bandwidth") : null,
                m.containsKey("request-limit") ? (Double) perSecond(m.get("request-limit"), "request-limit") : null,
                m.containsKey("step-start") ? (Double) latency(m.get("step-start"), "step-start") : null,
                m.containsKey("bandwidth-streams") ? (Integer) streams(m.get("bandwidth-streams")) : null,
                // --- eta begin
                optLatency(m, "stat-latency"), m.containsKey("stat-limit") ? (Double) perSecond(m.get("stat-limit"), "stat-limit") : null,
                m.containsKey("copy-stream") ? rate(m.get("copy-stream"), "copy-stream") : null, optLatency(m, "copy-latency"),
                m.containsKey("copy-bandwidth") ? rate(m.get("copy-bandwidth"), "copy-bandwidth") : null,
                m.containsKey("copy-streams") ? (Integer) copyStreams(m.get("copy-streams")) : null,
                m.containsKey("copy-limit") ? (Double) perSecond(m.get("copy-limit"), "copy-limit") : null,
                optLatency(m, "copy-start"), optLatency(m, "delta-start"), optLatency(m, "verify-start"),
                optLatency(m, "copy-per-object"), optLatency(m, "delta-per-object"), optLatency(m, "verify-per-object"),
                optLatency(m, "dump-start"), optLatency(m, "restore-start"), optLatency(m, "fingerprint-start"),
                m.containsKey("hash-rate") ? rate(m.get("hash-rate"), "hash-rate") : null,
                // --- eta end
                m.containsKey("dump-stream") ? rate(m.get("dump-stream"), "dump-stream") : null);
    }

    // --- eta begin
    private Double optLatency(Map<String, Node> m, String key) {
        return m.containsKey(key) ? (Double) latency(m.get(key), key) : null;
    }

    private int copyStreams(Node n) {
        String t = scalar(n, "copy-streams").trim();
        if (!t.matches("[0-9]{1,4}") || Integer.parseInt(t) < 1) {
            throw pos(n).error("copy-streams '" + shown(t) + "': expected the whole number of streams it was measured at, 1 or more");
        }
        return Integer.parseInt(t);
    }
    // --- eta end

    private int streams(Node n) {
        String t = scalar(n, "bandwidth-streams").trim();
        if (!t.matches("[0-9]{1,4}") || Integer.parseInt(t) < 1) {
            throw pos(n).error("bandwidth-streams '" + shown(t) + "': expected the whole number of streams it was measured at, 1 or more");
        }
        return Integer.parseInt(t);
    }

    private double latency(Node n, String what) {
        String t = scalar(n, what);
        Double v = Calibration.seconds(t);
        if (v == null || v <= 0) {
            throw pos(n).error(what + " '" + shown(t) + "': expected a positive latency such as 12ms or 0.4ms");
        }
        return v;
    }

    /**
     * A calibration file as {@code migrator probe PLAN} writes it: {@code locations:}, a mapping of location names to
     * their figures (the keys of a plan's location section, {@link #FIGURES}). Names the plan does not have are bad input.
     */
    public static Map<String, Calibration> calibration(Path file, Plan plan) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw MigratorException.badInput("calibration file " + file + " does not exist (write it with 'migrator probe PLAN -o "
                    + file + "')");
        } catch (IOException e) {
            throw MigratorException.badInput("cannot read calibration file " + file + ": " + e.getMessage());
        }
        PlanParser p = new PlanParser(file.toString());
        Node root = p.compose(text, "the calibration file is empty; expected 'locations:' with a mapping per location");
        Map<String, Node> top = p.mapping(root, "the calibration file", Set.of("locations", "probed", "concurrency"));
        Map<String, Calibration> out = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : p.mapping(p.require(top, "locations", root, "a mapping of location names"),
                "locations", null).entrySet()) {
            if (plan.locations().get(e.getKey()) == null) {
                throw p.pos(e.getValue()).error("location '" + e.getKey() + "' is not in " + plan.file() + "; expected one of "
                        + plan.locations().keySet());
            }
            out.put(e.getKey(), p.figures(p.mapping(e.getValue(), "location '" + e.getKey() + "'", FIGURES)));
        }
        return out;
    }

    /** Checks the scheme is known (and, if {@code database} is given, of the right kind); returns whether it names a database. */
    private boolean checkUri(Node at, String uri, Boolean database) {
        boolean db;
        try {
            db = Stores.isDatabase(uri);
        } catch (MigratorException e) {
            throw pos(at).error(e.getMessage());
        }
        if (database != null && db != database) {
            throw pos(at).error("'" + dev.migrator.provider.Redaction.uri(uri) + "' is " + (db ? "a database" : "an object store")
                    + " but the location it stands for is " + (database ? "a database" : "an object store"));
        }
        return db;
    }

    private Move readMove(Node node, Map<String, Location> locations, Set<String> sources, Set<String> targets) {
        Map<String, Node> m = mapping(node, "a move", Set.of("name", "from", "to", "via", "staging", "bundle", "include", "exclude",
                "shards", "parallelism", "part-size", "delta", "dump", "delete-extraneous", "overwrite", "change-rate",
                "archived", "restore-speed", "restore-days", "restore-poll", "bucket-settings", "versions", "versions-at"));
        Node fromNode = require(m, "from", node, "the name of a source");
        String from = scalar(fromNode, "a source name");
        if (!sources.contains(from)) {
            throw pos(fromNode).error("unknown source '" + from + "'; expected one of " + sources);
        }
        Node toNode = require(m, "to", node, "the name of a target");
        String to = scalar(toNode, "a target name");
        if (!targets.contains(to)) {
            throw pos(toNode).error("unknown target '" + to + "'; expected one of " + targets);
        }
        Location src = locations.get(from);
        Location dst = locations.get(to);
        if (src.database() != dst.database()) {
            throw pos(toNode).error("move from " + (src.database() ? "database" : "object store") + " '" + from + "' to "
                    + (dst.database() ? "database" : "object store") + " '" + to + "': both ends must be the same kind");
        }
        String name = m.containsKey("name") ? scalar(m.get("name"), "a move name") : from;
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw pos(m.getOrDefault("name", fromNode)).error("move name '" + name + "' may hold only letters, digits, '.', '_' and '-'");
        }
        Move.Via via = Move.Via.DIRECT;
        if (m.containsKey("via")) {
            String v = scalar(m.get("via"), "direct, bundle, dump or replicate").toLowerCase(Locale.ROOT);
            via = switch (v) {
                case "direct" -> Move.Via.DIRECT;
                case "bundle" -> Move.Via.BUNDLE;
                case "dump" -> Move.Via.DUMP;
                case "replicate" -> Move.Via.REPLICATE;
                default -> throw pos(m.get("via")).error("via '" + v + "': expected direct, bundle, dump or replicate");
            };
            if (via == Move.Via.REPLICATE && !src.database()) {
                throw pos(m.get("via")).error("via replicate is for databases (change capture); for objects use direct or bundle");
            }
            if (via == Move.Via.REPLICATE && m.containsKey("staging")) {
                throw pos(m.get("staging")).error("via replicate copies straight into the target and keeps no files: remove 'staging'");
            }
            if (via == Move.Via.DUMP && m.containsKey("staging") && !scalar(m.get("staging"), "a staging URI").startsWith("file:")) {
                throw pos(m.get("staging")).error("via dump keeps its dump files in a local folder: give a file:// staging URI");
            }
            if (via == Move.Via.BUNDLE && (!m.containsKey("staging") || m.containsKey("include") || m.containsKey("exclude")
                    || m.containsKey("shards"))) {
                throw pos(m.get("via")).error(!m.containsKey("staging")
                        ? "via bundle needs 'staging': the object store URI where the bundle is written"
                        : "via bundle moves the whole source as one bundle; 'include', 'exclude' and 'shards' are for via direct");
            }
            if (via == Move.Via.DUMP && !src.database()) {
                throw pos(m.get("via")).error("via dump is for databases; for objects use direct or bundle");
            }
        }
        if (src.database()) {
            for (String objectOnly : List.of("include", "exclude", "shards", "part-size", "delete-extraneous", "overwrite",
                    "bucket-settings")) {
                if (m.containsKey(objectOnly)) {
                    throw pos(m.get(objectOnly)).error("'" + objectOnly + "' is for object stores; '" + from + "' is a database");
                }
            }
        } else if (m.containsKey("dump")) {
            throw pos(m.get("dump")).error("'dump' options are for databases; '" + from + "' is an object store");
        }
        int dumpJobs = 2;
        boolean noOwner = true;
        boolean noPrivileges = true;
        if (m.containsKey("dump")) {
            Map<String, Node> d = mapping(m.get("dump"), "dump options", Set.of("jobs", "no-owner", "no-privileges"));
            dumpJobs = d.containsKey("jobs") ? integer(d.get("jobs"), "jobs", 1, 64) : dumpJobs;
            noOwner = !d.containsKey("no-owner") || bool(d.get("no-owner"), "no-owner");
            noPrivileges = !d.containsKey("no-privileges") || bool(d.get("no-privileges"), "no-privileges");
        }
        String bundle = null;
        if (m.containsKey("bundle")) {
            if (via != Move.Via.BUNDLE) {
                throw pos(m.get("bundle")).error("'bundle' names the bundle of a via bundle move; this move is via " + via.word());
            }
            bundle = scalar(m.get("bundle"), "a bundle name");
            if (!bundle.matches("[A-Za-z0-9._-]+")) {
                throw pos(m.get("bundle")).error("bundle name '" + bundle + "' may hold only letters, digits, '.', '_' and '-'");
            }
        } else if (via == Move.Via.BUNDLE) {
            bundle = name;
        }
        String staging = null;
        if (m.containsKey("staging")) {
            staging = scalar(m.get("staging"), "a staging URI");
            checkUri(m.get("staging"), staging, false);
        }
        double delta = 0.05;
        if (m.containsKey("delta")) {
            String t = scalar(m.get("delta"), "a percentage").trim();
            try {
                delta = Double.parseDouble(t.endsWith("%") ? t.substring(0, t.length() - 1) : t) / (t.endsWith("%") ? 100 : 1);
            } catch (NumberFormatException e) {
                delta = -1;
            }
            if (delta < 0 || delta > 1) {
                throw pos(m.get("delta")).error("delta '" + shown(t) + "': expected the share of data changed before cut-over, e.g. 5%");
            }
        }
        Long changeRate = null;
        if (m.containsKey("change-rate")) {
            if (via != Move.Via.REPLICATE) {
                throw pos(m.get("change-rate")).error("'change-rate' is for via replicate: how fast the source writes, for the catch-up estimate");
            }
            changeRate = rate(m.get("change-rate"), "change-rate");
        }
        Move.Archived archived = archived(m, src.database() ? from : null);
        if (via == Move.Via.BUNDLE && m.containsKey("bucket-settings")) {
            throw pos(m.get("bucket-settings")).error("'bucket-settings' is for via direct moves; for a bundle move run"
                    + " 'migrator copy SRC DST --bucket-settings' style by hand, or move it via direct");
        }
        return new Move(name, from, to, via, staging, bundle, strings(m.get("include"), "include"), strings(m.get("exclude"), "exclude"),
                m.containsKey("shards") ? integer(m.get("shards"), "shards", 1, 256) : 0,
                m.containsKey("parallelism") ? integer(m.get("parallelism"), "parallelism", 1, 256) : 8,
                m.containsKey("part-size") ? size(m.get("part-size"), "part-size") : null,
                delta, dumpJobs, noOwner, noPrivileges,
                m.containsKey("delete-extraneous") && bool(m.get("delete-extraneous"), "delete-extraneous"),
                m.containsKey("overwrite") && bool(m.get("overwrite"), "overwrite"),
                changeRate, m.containsKey("bucket-settings") && bool(m.get("bucket-settings"), "bucket-settings"), archived,
                versions(m, src.database() ? from : null, via, archived), pos(node));
    }

    /**
     * {@code versions: latest|all} and {@code versions-at: TIME}: for object moves via direct only (a bundle holds one
     * state of each key), one or the other, and not with the choices that act on the latest objects alone.
     */
    private Move.Versions versions(Map<String, Node> m, String database, Move.Via via, Move.Archived archived) {
        Node all = m.get("versions");
        Node at = m.get("versions-at");
        if (all == null && at == null) {
            return Move.Versions.LATEST;
        }
        Node given = all != null ? all : at;
        String key = all != null ? "versions" : "versions-at";
        if (database != null) {
            throw pos(given).error("'" + key + "' is for object stores; '" + database + "' is a database");
        }
        if (via != Move.Via.DIRECT) {
            throw pos(given).error("'" + key + "' is for via direct moves: a bundle holds one state of each key; move a"
                    + " versioned bucket via direct");
        }
        boolean history = false;
        if (all != null) {
            String v = scalar(all, "latest or all").trim().toLowerCase(Locale.ROOT);
            history = switch (v) {
                case "latest" -> false;
                case "all" -> true;
                default -> throw pos(all).error("versions '" + shown(v) + "': expected latest (each key's current object)"
                        + " or all (the whole history, onto a target that keeps versions)");
            };
        }
        Instant instant = null;
        if (at != null) {
            if (history) {
                throw pos(at).error("'versions: all' and 'versions-at' exclude each other: the first moves every version,"
                        + " the second the source as it was at one time; remove one");
            }
            String t = scalar(at, "an ISO-8601 time").trim();
            try {
                instant = java.time.OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e) {
                throw pos(at).error("versions-at '" + shown(t) + "': expected an ISO-8601 time with a zone, e.g."
                        + " 2026-11-30T12:00:00Z or 2026-11-30T13:00:00+01:00");
            }
        }
        if (history && m.containsKey("delete-extraneous")) {
            throw pos(m.get("delete-extraneous")).error("'delete-extraneous' does not go with 'versions: all': a delete on a"
                    + " versioned target only adds a delete marker to a history the source never had; remove it");
        }
        if ((history || instant != null) && archived.choice() != Move.Archived.Choice.FAIL) {
            throw pos(m.get("archived")).error("'archived: " + archived.choice().name().toLowerCase(Locale.ROOT) + "' acts on"
                    + " the latest objects and does not go with '" + key + "'; restore the archived versions first and remove it");
        }
        return new Move.Versions(history, instant);
    }

    /** {@code archived: fail|skip|restore} and the restore's speed, days and polling interval; {@code database}: the source's name. */
    private Move.Archived archived(Map<String, Node> m, String database) {
        Move.Archived d = Move.Archived.DEFAULT;
        for (String key : List.of("archived", "restore-speed", "restore-days", "restore-poll")) {
            if (database != null && m.containsKey(key)) {
                throw pos(m.get(key)).error("'" + key + "' is for object stores; '" + database + "' is a database");
            }
        }
        Move.Archived.Choice choice = d.choice();
        if (m.containsKey("archived")) {
            String v = scalar(m.get("archived"), "fail, skip or restore").toLowerCase(Locale.ROOT);
            choice = switch (v) {
                case "fail" -> Move.Archived.Choice.FAIL;
                case "skip" -> Move.Archived.Choice.SKIP;
                case "restore" -> Move.Archived.Choice.RESTORE;
                default -> throw pos(m.get("archived")).error("archived '" + shown(v) + "': expected fail, skip or restore");
            };
        }
        if (choice != Move.Archived.Choice.RESTORE) {
            for (String key : List.of("restore-speed", "restore-days", "restore-poll")) {
                if (m.containsKey(key)) {
                    throw pos(m.get(key)).error("'" + key + "' is for 'archived: restore'; add that or remove '" + key + "'");
                }
            }
        }
        dev.migrator.provider.Archive.Speed speed = d.speed();
        if (m.containsKey("restore-speed")) {
            String v = scalar(m.get("restore-speed"), "expedited, standard or bulk").toLowerCase(Locale.ROOT);
            speed = switch (v) {
                case "expedited" -> dev.migrator.provider.Archive.Speed.EXPEDITED;
                case "standard" -> dev.migrator.provider.Archive.Speed.STANDARD;
                case "bulk" -> dev.migrator.provider.Archive.Speed.BULK;
                default -> throw pos(m.get("restore-speed")).error("restore-speed '" + shown(v) + "': expected expedited, standard or bulk");
            };
        }
        int days = m.containsKey("restore-days") ? integer(m.get("restore-days"), "restore-days", 1, 365) : d.days();
        Duration poll = m.containsKey("restore-poll") ? duration(m.get("restore-poll"), "restore-poll") : d.poll();
        return new Move.Archived(choice, speed, days, poll);
    }

    /** Moves sharing a bundle write it to one staging store, and its name is not another move's. */
    private static void checkSharedBundles(List<Move> moves) {
        Map<String, Move> first = new LinkedHashMap<>();
        for (Move m : moves) {
            if (m.bundle() == null) {
                continue;
            }
            Move f = first.putIfAbsent(m.bundle(), m);
            if (f != null && !f.staging().equals(m.staging())) {
                throw m.pos().error("move '" + m.name() + "' shares bundle '" + m.bundle() + "' with move '" + f.name()
                        + "' but names another 'staging'; the moves of one bundle write it to one staging store");
            }
        }
        for (Move m : moves) {
            Move owner = first.get(m.name());
            if (owner != null && !m.name().equals(m.bundle())) {
                throw owner.pos().error("bundle '" + owner.bundle() + "' has the name of move '" + m.name()
                        + "', which is not in it; give the bundle another name");
            }
        }
    }

    private Hook readHook(Hook.Point point, Node node, int index) {
        String command;
        Duration timeout = Duration.ofMinutes(5);
        Duration estimate = null;
        String name = point.word + "-" + index;
        Duration ttl = null;
        String lowerTtl = null;
        if (node instanceof ScalarNode) {
            command = scalar(node, "a shell command");
        } else {
            Map<String, Node> m = mapping(node, "a hook", point == Hook.Point.SWITCH
                    ? Set.of("name", "run", "timeout", "estimate", "ttl", "lower-ttl")
                    : Set.of("name", "run", "timeout", "estimate"));
            command = scalar(require(m, "run", node, "the shell command to run"), "a shell command");
            if (m.containsKey("timeout")) {
                timeout = duration(m.get("timeout"), "timeout");
            }
            if (m.containsKey("estimate")) {
                estimate = duration(m.get("estimate"), "estimate");
            }
            if (m.containsKey("name")) {
                name = scalar(m.get("name"), "a hook name");
            }
            if (m.containsKey("ttl")) {
                String t = scalar(m.get("ttl"), "a TTL").trim();
                ttl = t.matches("\\d{1,9}") ? Duration.ofSeconds(Long.parseLong(t)) : duration(m.get("ttl"), "ttl");
                if (!m.containsKey("lower-ttl")) {
                    throw pos(m.get("ttl")).error("ttl " + shown(t) + " needs 'lower-ttl': the command that lowers the record's TTL,"
                            + " which the run starts early enough for the old TTL to expire before this switch");
                }
                lowerTtl = scalar(m.get("lower-ttl"), "a shell command");
                if (lowerTtl.isBlank()) {
                    throw pos(m.get("lower-ttl")).error("the lower-ttl command is empty");
                }
            } else if (m.containsKey("lower-ttl")) {
                throw pos(m.get("lower-ttl")).error("lower-ttl needs 'ttl': the record's current TTL (e.g. ttl: 3600), which"
                        + " the switch waits out after lowering it");
            }
        }
        if (command.isBlank()) {
            throw pos(node).error("the hook's command is empty");
        }
        if (estimate == null) {
            estimate = timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5);
        }
        return new Hook(point, name, command, timeout, estimate, ttl, lowerTtl, pos(node));
    }

    // ---- typed access to nodes, each failure naming its place and what is expected ----

    private Pos pos(Node n) {
        return n.getStartMark().map(m -> new Pos(label, m.getLine() + 1, m.getColumn() + 1)).orElse(new Pos(label, 0, 0));
    }

    /** A mapping's entries in order; keys outside {@code allowed} (null: any) are errors listing what is allowed. */
    private Map<String, Node> mapping(Node n, String what, Set<String> allowed) {
        if (!(n instanceof MappingNode mn)) {
            throw pos(n).error(what + ": expected a mapping (key: value lines), found " + kind(n));
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : mn.getValue()) {
            String key = scalar(t.getKeyNode(), "a key");
            if (allowed != null && !allowed.contains(key)) {
                throw pos(t.getKeyNode()).error("unknown key '" + key + "' in " + what + "; expected one of "
                        + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
            if (out.put(key, t.getValueNode()) != null) {
                throw pos(t.getKeyNode()).error("a second '" + key + "' in " + what + "; each key may appear once (the first is at "
                        + pos(keyNode(mn, key)) + ")");
            }
        }
        return out;
    }

    private static Node keyNode(MappingNode mn, String key) {
        for (NodeTuple t : mn.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) {
                return s;
            }
        }
        throw new IllegalStateException(key);
    }

    private List<Node> sequence(Node n, String what) {
        if (!(n instanceof SequenceNode s)) {
            throw pos(n).error(what + ": expected a list ('- ' items), found " + kind(n));
        }
        return s.getValue();
    }

    private String scalar(Node n, String what) {
        if (!(n instanceof ScalarNode s)) {
            throw pos(n).error("expected " + what + ", found " + kind(n));
        }
        return s.getValue();
    }

    private Node require(Map<String, Node> m, String key, Node parent, String what) {
        Node n = m.get(key);
        if (n == null) {
            throw pos(parent).error("missing '" + key + "': expected " + what);
        }
        return n;
    }

    private static String kind(Node n) {
        return n instanceof MappingNode ? "a mapping" : n instanceof SequenceNode ? "a list"
                : "'" + shown(((ScalarNode) n).getValue()) + "'";
    }

    /** A value as quoted in a message: a long one (a pasted file?) cut short. */
    private static String shown(String v) {
        return v.length() <= 80 ? v : v.substring(0, 77) + "...";
    }

    private int integer(Node n, String what, int min, int max) {
        String t = scalar(n, what);
        try {
            int v = Integer.parseInt(t.trim().replace("_", ""));
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw pos(n).error(what + " '" + shown(t) + "': expected a whole number from " + min + " to " + max);
    }

    private boolean bool(Node n, String what) {
        String t = scalar(n, what);
        return switch (t) {
            case "true" -> true;
            case "false" -> false;
            default -> throw pos(n).error(what + " '" + shown(t) + "': expected true or false");
        };
    }

    private long size(Node n, String what) {
        String t = scalar(n, what);
        Long v = Sizes.parse(t);
        if (v == null) {
            throw pos(n).error(what + " '" + shown(t) + "': expected a size such as 512MiB, 40GB or 1.5T");
        }
        return v;
    }

    private long rate(Node n, String what) {
        String t = scalar(n, what);
        Long v = Sizes.rate(t);
        if (v == null || v <= 0) {
            throw pos(n).error(what + " '" + shown(t) + "': expected a positive rate such as 100MiB/s");
        }
        return v;
    }

    private double perSecond(Node n, String what) {
        String t = scalar(n, what).trim();
        try {
            double v = Double.parseDouble(t.endsWith("/s") ? t.substring(0, t.length() - 2) : t);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw pos(n).error(what + " '" + shown(t) + "': expected a positive number per second such as 200/s");
    }

    /** {@code price: {egress: 0.09/GB, get: 0.0004/1000, list: 0.005/1000}}: each optional, in US dollars ('$' allowed). */
    private Price price(Node n, Price dflt) {
        Map<String, Node> m = mapping(n, "price", Set.of("egress", "get", "list"));
        return dflt.with(m.containsKey("egress") ? dollars(m.get("egress"), "egress", "/GB", "0.09/GB") : Double.NaN,
                m.containsKey("get") ? dollars(m.get("get"), "get", "/1000", "0.0004/1000") : Double.NaN,
                m.containsKey("list") ? dollars(m.get("list"), "list", "/1000", "0.005/1000") : Double.NaN);
    }

    private double dollars(Node n, String what, String per, String example) {
        String t = scalar(n, what).trim();
        String v = t.startsWith("$") ? t.substring(1) : t;
        if (v.toLowerCase(Locale.ROOT).endsWith(per.toLowerCase(Locale.ROOT))) {
            v = v.substring(0, v.length() - per.length());
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw pos(n).error("price " + what + " '" + shown(t) + "': expected US dollars " + per.replace("/", "per ")
                + ", e.g. " + example);
    }

    private Duration duration(Node n, String what) {
        String t = scalar(n, what);
        Duration d = Units.duration(t);
        if (d == null) {
            throw pos(n).error(what + " '" + shown(t) + "': expected a duration such as 30s, 5m or 1h30m");
        }
        return d;
    }

    private List<String> strings(Node n, String what) {
        if (n == null) {
            return List.of();
        }
        if (n instanceof ScalarNode) {
            return List.of(scalar(n, what));
        }
        List<String> out = new ArrayList<>();
        for (Node e : sequence(n, what)) {
            out.add(scalar(e, "a key prefix"));
        }
        return out;
    }
}
