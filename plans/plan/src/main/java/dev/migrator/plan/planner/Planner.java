package dev.migrator.plan.planner;

import dev.migrator.plan.model.Calibration;
import dev.migrator.plan.model.Hook;
import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Move;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanOverlaps;
import java.util.ArrayList;
import java.util.HashMap;
import dev.migrator.transfer.Selection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a plan into steps and a schedule. Per object move: in the pre-copy, one copy step per key-range
 * shard (or a bundle pack and restore); in the cut-over, after the freeze hooks, a delta copy and a verify
 * per shard. Per database move, in the cut-over: a direct copy (or a dump and a restore) and a verify.
 * Switch hooks run last, after every verify. Estimates come from each endpoint's {@link Throughput}.
 */
public final class Planner {
    /** A shard aims at this much data, so that no single step dominates the schedule. */
    static final long SHARD_BYTES = 1024L * 1024 * 1024;
    /** ... and at least this many objects, so that small sources are not cut into pointless pieces. */
    static final long SHARD_MIN_OBJECTS = 500;
    static final double STEP_OVERHEAD = 1.0;
    /** The step every cut-over step comes after, and that comes after every pre-copy step. */
    public static final String CUTOVER_START = "cutover/start";
    /** Steps with ids under this prefix run after the switch hooks: outside the freeze window. */
    public static final String AFTER_SWITCH = "cutover/after-switch/";
    /** Source writes assumed for a replicate move's catch-up when the plan declares no change-rate. */
    static final long DEFAULT_CHANGE_RATE = 1024L * 1024;
    /** Time from the pre-copy's last drain to the freeze hook, beside the hooks' own estimates. */
    static final double DRAIN_TO_FREEZE = 10;

    /** Whether the step runs after the switch (and so outside the freeze window). */
    public static boolean afterSwitch(Step s) {
        return s.id().startsWith(AFTER_SWITCH);
    }

    private Planner() {
    }

    /** The demand key of an endpoint's requests/s, beside its name for bytes/s ({@link Step#demand}, {@link Resources}). */
    public static final String REQUESTS = " requests";
    /** The demand key of an endpoint's stats/s (deltas and verifies), apart from its write-measured requests. */
    public static final String STATS = " stats";

    /**
     * The planned steps and their schedule, with what was measured or declared.
     *
     * @param workers machines the schedule assumes ({@code plan --workers N}): N times the steps at once, the endpoints'
     *                own limits unchanged
     * @param single  with more than one worker, the same steps scheduled for one; else null
     * @param caps    with more than one worker, each endpoint limit that steps waited for (so more workers gain little
     *                there), for a person
     */
    /**
     * {@code planning}: seconds this planning took (the inventory of every move, measured or declared, and the
     * schedule). A run that plans anew spends about as much before its first step, so it is part of {@link #total}.
     */
    public record Result(Plan plan, List<Step> steps, Schedule schedule, Map<String, Inventory> inventory,
                         Map<String, Throughput> throughput, int workers, Schedule single, List<String> caps, double planning) {
        /** The whole run's estimate: planning, then the schedule (pre-copy, cut-over and what follows the switch). */
        public double total() {
            return planning + schedule.total();
        }

        /** What the endpoints carry for all steps together: bytes/s by name, requests/s by name + {@link #REQUESTS} where known. */
        public Map<String, Long> capacities() {
            return Planner.capacities(throughput);
        }
    }

    public static Result plan(Plan plan, Inventory.Source sizes) {
        return plan(plan, sizes, Map.of(), 1);
    }

    /**
     * {@code probed}: figures measured by {@code migrator probe PLAN}, by location name; they take precedence over the
     * plan's. {@code workers}: machines sharing the run, each running the plan's concurrency.
     */
    public static Result plan(Plan plan, Inventory.Source sizes, Map<String, Calibration> probed, int workers) {
        if (workers < 1) {
            throw dev.migrator.provider.MigratorException.badInput("--workers " + workers + ": expected 1 or more");
        }
        long started = System.nanoTime();
        if (sizes == Inventory.MEASURED) {
            PlanOverlaps.refuse(plan, true); // the stores are opened anyway: compare where they really are
        }
        Map<String, Throughput> model = new LinkedHashMap<>();
        plan.locations().values().forEach(l -> model.put(l.name(), Throughput.of(l, probed.getOrDefault(l.name(), Calibration.NONE))));
        Map<String, Inventory> inventory = new LinkedHashMap<>();
        for (Move m : plan.moves()) {
            inventory.put(m.name(), sizes.of(plan.location(m.from()), m));
        }
        List<Step> steps = steps(plan, inventory, model);
        Map<String, Long> bandwidth = capacities(model);
        int concurrency = plan.limits().concurrency() * workers;
        Schedule schedule = Scheduler.schedule(steps, concurrency, bandwidth);
        // A DNS switch waits until its old TTL has expired since the TTL was lowered. The wait sits right before the
        // switch with nothing else after it, so planning it at the gap it leaves and scheduling again is exact.
        Map<String, Double> waits = new HashMap<>();
        for (Hook h : plan.hooks()) {
            if (h.ttl() != null) {
                double expires = schedule.end().get(lowerTtlId(h)) + h.ttl().toSeconds();
                double gap = expires - schedule.start().get(ttlWaitId(h));
                if (gap > 0) {
                    waits.put(h.name(), gap);
                }
            }
        }
        if (!waits.isEmpty()) {
            steps = steps(plan, inventory, model, waits);
            schedule = Scheduler.schedule(steps, concurrency, bandwidth);
        }
        Schedule single = workers == 1 ? null : Scheduler.schedule(steps, plan.limits().concurrency(), bandwidth);
        return new Result(plan, steps, schedule, inventory, model, workers, single,
                workers == 1 ? List.of() : caps(schedule, model), (System.nanoTime() - started) / 1e9);
    }

    /**
     * The endpoint limits that cap what more workers gain: those a ready step waited for during at least a quarter of
     * a phase in the schedule (more steps at once only queue longer there).
     */
    static List<String> caps(Schedule schedule, Map<String, Throughput> model) {
        List<String> out = new ArrayList<>();
        for (Phase phase : Phase.values()) {
            double span = phase == Phase.PRESYNC ? schedule.presync() : schedule.cutover() + schedule.afterSwitch();
            schedule.waited().getOrDefault(phase, Map.of()).forEach((key, seconds) -> {
                boolean requests = key.endsWith(REQUESTS);
                String endpoint = requests ? key.substring(0, key.length() - REQUESTS.length()) : key;
                Throughput t = model.get(endpoint);
                if (t == null || span <= 0 || seconds < 0.25 * span) {
                    return;
                }
                out.add("the " + phase.word() + " is capped by the " + (requests ? "request limit" : "bandwidth") + " of '" + endpoint
                        + "' (" + (requests ? count(Math.round(t.requestLimit().value())) + "/s, " + t.requestLimit().origin().word()
                        : human(t.bandwidthRate()) + "/s, " + t.bandwidth().origin().word()) + "): steps waited for it "
                        + Math.round(seconds) + " s of its " + Math.round(span) + " s, which more workers do not shorten");
            });
        }
        return out;
    }

    /** The capacities a run of {@code plan} keeps (from the figures in the plan), as {@link Result#capacities}. */
    public static Map<String, Long> capacities(Plan plan) {
        Map<String, Throughput> model = new LinkedHashMap<>();
        plan.locations().values().forEach(l -> model.put(l.name(), Throughput.of(l)));
        return capacities(model);
    }

    static Map<String, Long> capacities(Map<String, Throughput> model) {
        Map<String, Long> c = new HashMap<>();
        model.forEach((name, t) -> {
            c.put(name, t.bandwidthRate());
            if (t.limitsRequests()) {
                c.put(name + REQUESTS, Math.max(1, Math.round(t.requestLimit().value())));
            }
            if (t.limitsStats()) {
                c.put(name + STATS, Math.max(1, Math.round(t.statLimit().value())));
            }
        });
        return c;
    }

    static List<Step> steps(Plan plan, Map<String, Inventory> inventory, Map<String, Throughput> model) {
        return steps(plan, inventory, model, Map.of());
    }

    /** {@code waits}: seconds each DNS switch hook's ttl-wait step is planned to take, by hook name (absent: 0). */
    static List<Step> steps(Plan plan, Map<String, Inventory> inventory, Map<String, Throughput> model, Map<String, Double> waits) {
        List<Step> steps = new ArrayList<>();
        for (Hook h : plan.hooks()) {
            if (h.ttl() != null) {
                // First thing in the pre-copy: the sooner the TTL is lowered, the sooner the old one has expired.
                steps.add(new Step(lowerTtlId(h), TtlParams.LOWER_TTL, Phase.PRESYNC, null, List.of(),
                        new TtlParams(h.name(), h.ttl().toSeconds()), 0, 0, h.estimate().toMillis() / 1000.0, Map.of(),
                        "lowers the DNS TTL (now " + h.ttl().toSeconds() + " s) for switch hook '" + h.name() + "'"));
            }
        }
        List<String> beforePresync = hooks(plan, Hook.Point.BEFORE_PRESYNC, Phase.PRESYNC, List.of(), steps);
        // The cut-over starts when the whole pre-copy is done: one barrier step instead of every pair of edges.
        List<String> presyncIds = new ArrayList<>();
        int barrierAt = steps.size();
        List<String> freeze = hooks(plan, Hook.Point.FREEZE, Phase.CUTOVER, List.of(CUTOVER_START), steps);
        List<String> verified = new ArrayList<>();
        Map<String, List<String>> restored = new HashMap<>(); // bundle name -> what its members' cut-over steps come after
        for (Move m : plan.moves()) {
            Inventory inv = inventory.get(m.name());
            Location from = plan.location(m.from());
            Location to = plan.location(m.to());
            Throughput a = model.get(from.name());
            Throughput b = model.get(to.name());
            List<String> after = freeze;
            if (m.via() == Move.Via.BUNDLE) {
                after = restored.get(m.bundle());
                if (after == null) {
                    after = bundleSteps(plan, m.bundle(), inventory, model, beforePresync, freeze, steps);
                    restored.put(m.bundle(), after);
                }
            }
            if (from.database() && m.via() == Move.Via.REPLICATE) {
                replicateSteps(m, inv, a, b, beforePresync, freeze, freezeSeconds(steps, freeze), steps, verified);
            } else if (from.database()) {
                databaseSteps(m, inv, a, b, after, steps, verified);
            } else {
                objectSteps(plan, m, inv, a, b, beforePresync, after, steps, verified);
            }
        }
        List<String> switched = hooks(plan, Hook.Point.SWITCH, Phase.CUTOVER, verified, steps, waits);
        afterSwitch(plan, inventory, model, switched, steps);
        steps.stream().filter(st -> st.phase() == Phase.PRESYNC).forEach(st -> presyncIds.add(st.id()));
        steps.add(barrierAt, new Step(CUTOVER_START, StepParams.BARRIER, Phase.CUTOVER, null, presyncIds, new StepParams.None(), 0, 0, 0, Map.of(),
                "the pre-copy is done"));
        return steps;
    }

    /** Hook steps of one point, one after another, the first after {@code after}; returns the last one's id (or {@code after}). */
    private static List<String> hooks(Plan plan, Hook.Point point, Phase phase, List<String> after, List<Step> into) {
        return hooks(plan, point, phase, after, into, Map.of());
    }

    private static List<String> hooks(Plan plan, Hook.Point point, Phase phase, List<String> after, List<Step> into,
                                      Map<String, Double> waits) {
        List<String> previous = after;
        for (Hook h : plan.hooks()) {
            if (h.point() != point) {
                continue;
            }
            if (h.ttl() != null) {
                // The switch may not start before the old TTL has expired since it was lowered: the executor waits it out.
                String wait = ttlWaitId(h);
                double seconds = waits.getOrDefault(h.name(), 0.0);
                into.add(new Step(wait, TtlParams.TTL_WAIT, phase, null, previous, new TtlParams(h.name(), h.ttl().toSeconds()), 0, 0,
                        seconds, Map.of(), seconds > 0 ? "waits " + Math.round(seconds) + " s for the old DNS TTL ("
                                + h.ttl().toSeconds() + " s since " + lowerTtlId(h) + ") to expire"
                                : "the old DNS TTL (" + h.ttl().toSeconds() + " s) has expired by then"));
                previous = List.of(wait);
            }
            String id = phase.word() + "/hook/" + h.name();
            into.add(new Step(id, HookParams.HOOK, phase, null, previous, new HookParams(h.name()), 0, 0,
                    h.estimate().toMillis() / 1000.0, Map.of(),
                    "declared estimate " + h.estimate().toSeconds() + " s (timeout " + h.timeout().toSeconds() + " s)"));
            previous = List.of(id);
        }
        return previous;
    }

    public static String lowerTtlId(Hook h) {
        return Phase.PRESYNC.word() + "/hook/" + h.name() + "/lower-ttl";
    }

    public static String ttlWaitId(Hook h) {
        return Phase.CUTOVER.word() + "/hook/" + h.name() + "/ttl-wait";
    }

    /**
     * The pack and the restore of one bundle, holding every move that names it: in the pre-copy, or, when a member is a
     * database (whose dump must be taken with writes frozen), in the cut-over after the freeze hooks. Returns what the
     * members' own cut-over steps (delta, verify) come after.
     */
    private static List<String> bundleSteps(Plan plan, String bundle, Map<String, Inventory> inventory, Map<String, Throughput> model,
                                            List<String> beforePresync, List<String> freeze, List<Step> steps) {
        List<BundleParams.Member> members = new ArrayList<>();
        long bytes = 0;
        long objects = 0;
        double pack = STEP_OVERHEAD;
        double restore = STEP_OVERHEAD;
        Map<String, Long> reads = new LinkedHashMap<>();
        Map<String, Long> writes = new LinkedHashMap<>();
        List<String> explain = new ArrayList<>();
        String staging = null;
        for (Move m : plan.moves()) {
            if (!bundle.equals(m.bundle())) {
                continue;
            }
            staging = m.staging();
            Inventory inv = inventory.get(m.name());
            Throughput a = model.get(m.from());
            Throughput b = model.get(m.to());
            bytes += inv.bytes();
            objects += inv.objects();
            if (plan.location(m.from()).database()) {
                members.add(new BundleParams.Member(m.name(), null, databaseParams(m)));
                // The dump runs at the source's dump rate, the restore at the target's (the staging store is rarely the bottleneck).
                pack += inv.bytes() / (double) a.dumpRate();
                restore += inv.bytes() / (double) b.writeRate();
                reads.merge(m.from(), Math.min(a.readRate(), a.bandwidthRate()), Math::max);
                writes.merge(m.to(), Math.min(b.writeRate(), b.bandwidthRate()), Math::max);
                explain.add(m.name() + ": dump of " + human(inv.bytes()) + " / " + human(a.dumpRate()) + "/s");
            } else {
                members.add(new BundleParams.Member(m.name(), objectParams(m), null));
                Estimate e = Estimate.copy(m.from(), a, m.to(), b, inv.bytes(), inv.objects(), m.parallelism());
                double seconds = e.seconds() - e.overhead();
                pack += seconds;
                restore += seconds;
                long rate = (long) Math.ceil(inv.bytes() / Math.max(seconds, 1e-3));
                reads.merge(m.from(), rate, Math::max);
                writes.merge(m.to(), rate, Math::max);
                explain.add(m.name() + ": " + e.work() + "; bound: " + e.bound());
            }
        }
        BundleParams p = new BundleParams(bundle, staging, members);
        Phase phase = p.hasDatabase() ? Phase.CUTOVER : Phase.PRESYNC;
        String packId = phase.word() + "/" + bundle + "/" + BundleParams.BUNDLE_PACK;
        String restoreId = phase.word() + "/" + bundle + "/" + BundleParams.BUNDLE_RESTORE;
        String why = String.join("; ", explain) + " + 1 s";
        steps.add(new Step(packId, BundleParams.BUNDLE_PACK, phase, bundle, phase == Phase.CUTOVER ? freeze : beforePresync, p,
                bytes, objects, pack, reads, why));
        steps.add(new Step(restoreId, BundleParams.BUNDLE_RESTORE, phase, bundle, List.of(packId), p, bytes, objects, restore,
                writes, why));
        return phase == Phase.CUTOVER ? List.of(restoreId) : freeze;
    }

    private static ObjectParams objectParams(Move m) {
        return new ObjectParams(m.from(), m.to(), new Selection(m.include(), m.exclude(), null, null),
                m.parallelism(), m.partSize(), m.overwrite(), false, m.staging(),
                m.archived().choice() == Move.Archived.Choice.SKIP,
                // --- pver begin
                m.versions().all(), m.versions().at() == null ? null : m.versions().at().toString());
                // --- pver end
    }

    /**
     * What a move does with the archived objects its inventory found: nothing to do without any; refused at plan time
     * with {@code archived: fail} (the default), so the choice is made before a copy starts rather than failing in its
     * middle; for {@code restore}, the restore step the copies come after (else {@code after} itself).
     */
    private static List<String> archived(Move m, Inventory inv, List<String> after, List<Step> steps) {
        if (inv.archivedObjects() == 0) {
            return after;
        }
        StringBuilder found = new StringBuilder();
        inv.archivedClasses().forEach((cls, c) -> found.append(found.length() == 0 ? "" : ", ").append(count(c.objects()))
                .append(" objects (").append(human(c.bytes())).append(") in ").append(cls));
        Move.Archived a = m.archived();
        if (a.choice() == Move.Archived.Choice.FAIL || (m.via() == Move.Via.BUNDLE && a.choice() != Move.Archived.Choice.FAIL)) {
            throw m.pos().error("move '" + m.name() + "': " + found + " cannot be read until restored; "
                    + (m.via() == Move.Via.BUNDLE ? "a bundle move cannot skip or restore them: restore them first, or move them via direct"
                    : "choose on the move 'archived: restore' (restore them first, a step of hours) or 'archived: skip'"
                    + " (leave them out; the report lists them as not moved)"));
        }
        if (a.choice() == Move.Archived.Choice.SKIP) {
            return after;
        }
        if (a.speed() == dev.migrator.provider.Archive.Speed.EXPEDITED && inv.archivedClasses().containsKey("DEEP_ARCHIVE")) {
            throw m.pos().error("move '" + m.name() + "': DEEP_ARCHIVE objects cannot be restored at expedited speed;"
                    + " set 'restore-speed: standard' (12 h) or 'bulk' (48 h)");
        }
        double hours = inv.archivedClasses().keySet().stream().mapToDouble(cls -> RestoreParams.hours(cls, a.speed())).max().orElse(0);
        String id = "presync/" + m.name() + "/" + RestoreParams.RESTORE;
        steps.add(new Step(id, RestoreParams.RESTORE, Phase.PRESYNC, m.name(), after,
                new RestoreParams(m.from(), new Selection(m.include(), m.exclude(), null, null), a.speed(), a.days(),
                        Math.max(1, a.poll().toSeconds())),
                inv.archivedBytes(), inv.archivedObjects(), STEP_OVERHEAD + hours * 3600, Map.of(),
                "restores " + found + " at " + a.speed().name().toLowerCase(java.util.Locale.ROOT) + " speed: up to "
                        + (hours < 1 ? Math.round(hours * 60) + " min" : Math.round(hours) + " h")
                        + " (the provider's documented figure), readable for " + a.days() + " days"));
        return List.of(id);
    }

    private static DatabaseParams databaseParams(Move m) {
        return new DatabaseParams(m.from(), m.to(), m.dumpJobs(), m.noOwner(), m.noPrivileges(), m.staging());
    }

    /** A move's copies; {@code freeze} is what its cut-over steps come after (the freeze hooks, or its bundle's restore). */
    private static void objectSteps(Plan plan, Move m, Inventory inv, Throughput a, Throughput b, List<String> beforePresync,
                                    List<String> freeze, List<Step> steps, List<String> verified) {
        int shards = m.shards() > 0 ? m.shards() : autoShards(inv, plan.limits().concurrency());
        List<String> cuts = inv.cuts(shards);
        if (inv.measured()) {
            shards = cuts.size() + 1; // fewer distinct keys than shards asked for
        }
        ObjectParams base = objectParams(m);
        beforePresync = archived(m, inv, beforePresync, steps);

        if (m.via() == Move.Via.BUNDLE) {
            // The bundle's steps moved the whole source; the cut-over compares it again, in one step.
            shards = 1;
            cuts = List.of();
        }
        List<String> copies = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            String suffix = shards == 1 ? "" : "-" + (i + 1) + "of" + shards;
            ObjectParams p = base.range(i > 0 && i - 1 < cuts.size() ? cuts.get(i - 1) : null, i < cuts.size() ? cuts.get(i) : null);
            long bytes = inv.bytes() / shards + (i == 0 ? inv.bytes() % shards : 0);
            long objects = inv.objects() / shards + (i == 0 ? inv.objects() % shards : 0);
            if (m.via() == Move.Via.DIRECT) {
                Estimate e = Estimate.copy(m.from(), a, m.to(), b, bytes, objects, m.parallelism());
                steps.add(new Step("presync/" + m.name() + "/copy" + suffix, ObjectParams.COPY, Phase.PRESYNC, m.name(), beforePresync, p,
                        bytes, objects, e.seconds(), demand(m, bytes, objects, e.seconds()), e.explain()));
                copies.add("presync/" + m.name() + "/copy" + suffix);
            }
            // Cut-over: the delta. Every object is compared again (a stat at each side, where listings carry no checksums);
            // only changed objects are copied. The pre-copy refused any foreign object that differed, so what differs now
            // changed at the source since: the delta replaces it (and reports how many objects it wrote).
            ObjectParams dp = p.delta(m.deleteExtraneous());
            long changed = Math.round(bytes * m.delta());
            long changedObjects = Math.round(objects * m.delta());
            String deltaId = "cutover/" + m.name() + "/delta" + suffix;
            Estimate compare = Estimate.compare(m.from(), a, m.to(), b, objects, m.parallelism(), Estimate.Kind.DELTA);
            Estimate copy = Estimate.copy(m.from(), a, m.to(), b, changed, changedObjects, m.parallelism(), Estimate.Kind.DELTA);
            Estimate delta = compare.seconds() >= copy.seconds() ? compare : copy; // both start the same: one start
            double deltaSeconds = compare.seconds() + copy.seconds() - copy.overhead();
            steps.add(new Step(deltaId, ObjectParams.COPY, Phase.CUTOVER, m.name(), freeze, dp, changed, objects,
                    deltaSeconds, deltaDemand(m, changed, changedObjects, objects, deltaSeconds),
                    "compare: " + compare.work() + "; copy of the delta (" + percent(m.delta()) + " of " + human(bytes) + "): "
                            + copy.work() + "; bound: " + delta.bound() + " + " + delta.start()));
            String verifyId = "cutover/" + m.name() + "/verify" + suffix;
            Estimate v = Estimate.compare(m.from(), a, m.to(), b, objects, m.parallelism(), Estimate.Kind.VERIFY);
            steps.add(new Step(verifyId, ObjectParams.VERIFY, Phase.CUTOVER, m.name(), List.of(deltaId), p, bytes, objects,
                    v.seconds(), statDemand(m, objects, v.seconds()), v.explain() + " (checksums from listings and stats)"));
            verified.add(verifyId);
        }
        if (m.bucketSettings()) {
            // After the objects: a lifecycle rule never acts on a half-copied bucket.
            steps.add(new Step("presync/" + m.name() + "/" + BucketSettingsParams.BUCKET_SETTINGS, BucketSettingsParams.BUCKET_SETTINGS,
                    Phase.PRESYNC, m.name(), copies.isEmpty() ? beforePresync : copies, new BucketSettingsParams(m.from(), m.to()), 0, 0,
                    2 * STEP_OVERHEAD, Map.of(), "reads the source bucket's settings and applies those with an equivalent + 2 s"));
        }
    }

    /** The freeze hooks' estimates: the time between the last pre-copy drain and the cut-over's, with {@link #DRAIN_TO_FREEZE}. */
    private static double freezeSeconds(List<Step> steps, List<String> freeze) {
        return steps.stream().filter(st -> st.kind().equals(HookParams.HOOK) && st.phase() == Phase.CUTOVER)
                .mapToDouble(Step::seconds).sum();
    }

    /**
     * A database moved by change capture. Pre-copy: the slot and the snapshot copy (parallel, at the jobs' combined rate)
     * and a drain. Cut-over: the catch-up of what the source wrote since that drain (its change rate over the time to the
     * freeze, applied at the target's stream rate), sequences and the checks of what changed — not the database's size.
     * After the switch: the full fingerprint.
     */
    private static void replicateSteps(Move m, Inventory inv, Throughput a, Throughput b, List<String> beforePresync,
                                       List<String> freeze, double freezeHooks, List<Step> steps, List<String> verified) {
        DatabaseParams p = new DatabaseParams(m.from(), m.to(), m.dumpJobs(), m.noOwner(), m.noPrivileges(), null);
        long stream = Math.min(a.readRate(), b.writeRate());
        long rate = Math.min(stream * m.dumpJobs(), Math.min(a.bandwidthRate(), b.bandwidthRate()));
        String copy = "presync/" + m.name() + "/db-replicate";
        steps.add(new Step(copy, DatabaseParams.DB_REPLICATE, Phase.PRESYNC, m.name(), beforePresync, p, inv.bytes(), 0,
                2 * STEP_OVERHEAD + inv.bytes() / (double) rate, Map.of(m.from(), rate, m.to(), rate),
                "bulk copy while live: " + human(inv.bytes()) + " / " + human(rate) + "/s (" + m.dumpJobs() + " workers × "
                        + human(stream) + "/s on one snapshot) + 2 s; then a drain of the changes since"));
        long changeRate = m.changeRate() != null ? m.changeRate() : DEFAULT_CHANGE_RATE;
        double window = DRAIN_TO_FREEZE + freezeHooks;
        double changed = changeRate * window;
        double catchUp = changed / b.writeRate();
        double check = changed / (5.0 * stream);
        String cut = "cutover/" + m.name() + "/db-cutover";
        steps.add(new Step(cut, DatabaseParams.DB_CUTOVER, Phase.CUTOVER, m.name(), freeze, p, (long) changed, 0,
                3 * STEP_OVERHEAD + catchUp + check, Map.of(m.to(), b.writeRate()),
                "catch-up: " + human(changeRate) + "/s of changes" + (m.changeRate() == null ? " (default; declare change-rate)" : "")
                        + " × " + Math.round(window) + " s since the last drain = " + human(changed) + " / " + human(b.writeRate())
                        + "/s; + sequences, schema and changed rows compared + 3 s"));
        verified.add(cut);
    }

    /** Full fingerprints of replicated databases, after the switch (they grow with the database, so not inside the freeze). */
    private static void afterSwitch(Plan plan, Map<String, Inventory> inventory, Map<String, Throughput> model,
                                    List<String> after, List<Step> steps) {
        for (Move m : plan.moves()) {
            if (m.via() != Move.Via.REPLICATE) {
                continue;
            }
            Inventory inv = inventory.get(m.name());
            Throughput a = model.get(m.from());
            Throughput b = model.get(m.to());
            DbVerify v = dbVerify(a, b, inv.bytes(), Math.min(a.readRate(), b.readRate()));
            DatabaseParams p = new DatabaseParams(m.from(), m.to(), m.dumpJobs(), m.noOwner(), m.noPrivileges(), null);
            steps.add(new Step(AFTER_SWITCH + m.name() + "/db-verify", DatabaseParams.DB_VERIFY, Phase.CUTOVER, m.name(),
                    after, p, inv.bytes(), 0, v.seconds(), Map.of(), "after the switch: full fingerprint, " + v.text()));
        }
    }

    /** A database verify's estimate and its explanation. */
    private record DbVerify(double seconds, String text) {
    }

    /**
     * A database verify: both ends fingerprint at once, so it takes the slower end's start and hashes at the slower end's
     * rate; a rate not probed at either end is guessed at five times {@code dumpRate}.
     */
    private static DbVerify dbVerify(Throughput a, Throughput b, long bytes, long dumpRate) {
        Throughput.Figure start = a.db().fingerprintStart().value() >= b.db().fingerprintStart().value()
                ? a.db().fingerprintStart() : b.db().fingerprintStart();
        Throughput.Figure ha = a.db().hashRate();
        Throughput.Figure hb = b.db().hashRate();
        Throughput.Figure hash = ha == null ? hb : hb == null || ha.value() <= hb.value() ? ha : hb;
        double rate = hash == null ? 5.0 * dumpRate : hash.value();
        String how = hash == null ? "~" + human(rate) + "/s (5 × the dump rate, a guess)" : human(rate) + "/s (" + hash.origin().word() + ")";
        return new DbVerify(start.value() + bytes / rate, human(bytes) + " hashed in the databases at " + how + " + "
                + startText(start));
    }

    /** A database step's start as the explanation says it: {@code 0.12 s start (probe)}. */
    private static String startText(Throughput.Figure start) {
        return (start.value() == Math.rint(start.value()) ? Math.round(start.value()) + " s"
                : String.format(java.util.Locale.ROOT, "%.2f s", start.value()))
                + " start (" + start.origin().word() + ")";
    }

    /** A database move's copy (none when its bundle holds it) and verify; {@code freeze} is what they come after. */
    private static void databaseSteps(Move m, Inventory inv, Throughput a, Throughput b, List<String> freeze, List<Step> steps,
                                      List<String> verified) {
        DatabaseParams p = databaseParams(m);
        long rate = Math.min(Math.min(a.readRate(), b.writeRate()), Math.min(a.bandwidthRate(), b.bandwidthRate()));
        Throughput.Figure dumpStart = a.db().dumpStart();
        Throughput.Figure restoreStart = b.db().restoreStart();
        List<String> last = freeze;
        if (m.via() == Move.Via.DIRECT) {
            String copy = "cutover/" + m.name() + "/db-copy";
            // The pipe's two tools start together, but the restore's end (its indexes, constraints) follows the dump's: both starts count.
            steps.add(new Step(copy, DatabaseParams.DB_COPY, Phase.CUTOVER, m.name(), freeze, p, inv.bytes(), 0,
                    dumpStart.value() + restoreStart.value() + inv.bytes() / (double) rate, Map.of(m.from(), rate, m.to(), rate),
                    human(inv.bytes()) + " / " + human(rate) + "/s (dump piped into restore; dump " + human(a.readRate()) + "/s ("
                            + a.stream().origin().word() + "), restore " + human(b.writeRate()) + "/s (" + b.writeStream().origin().word()
                            + ")) + dump " + startText(dumpStart) + " + restore " + startText(restoreStart)));
            last = List.of(copy);
        } else if (m.via() == Move.Via.DUMP) {
            // A dump into files (compressed: the source's dump rate), then its restore at the target's stream rate.
            String dump = "cutover/" + m.name() + "/" + DatabaseParams.DB_DUMP;
            steps.add(new Step(dump, DatabaseParams.DB_DUMP, Phase.CUTOVER, m.name(), freeze, p, inv.bytes(), 0,
                    dumpStart.value() + inv.bytes() / (double) a.dumpRate(), Map.of(m.from(), Math.min(a.dumpRate(), a.bandwidthRate())),
                    human(inv.bytes()) + " / " + human(a.dumpRate()) + "/s dump rate (" + a.dumpFigure().origin().word() + ") + "
                            + startText(dumpStart)));
            String restore = "cutover/" + m.name() + "/" + DatabaseParams.DB_RESTORE;
            steps.add(new Step(restore, DatabaseParams.DB_RESTORE, Phase.CUTOVER, m.name(), List.of(dump), p, inv.bytes(), 0,
                    restoreStart.value() + inv.bytes() / (double) b.writeRate(), Map.of(m.to(), Math.min(b.writeRate(), b.bandwidthRate())),
                    human(inv.bytes()) + " / " + human(b.writeRate()) + "/s restore rate (" + b.writeStream().origin().word() + ") + "
                            + startText(restoreStart)));
            last = List.of(restore);
        }
        String verify = "cutover/" + m.name() + "/db-verify";
        DbVerify v = dbVerify(a, b, inv.bytes(), rate);
        steps.add(new Step(verify, DatabaseParams.DB_VERIFY, Phase.CUTOVER, m.name(), last, p, inv.bytes(), 0, v.seconds(), Map.of(),
                v.text()));
        verified.add(verify);
    }

    /**
     * Bandwidth a copy step holds on both endpoints: its average rate over its estimated duration, so a step
     * dominated by per-object requests (a delta that mostly compares) does not hold bandwidth it will not use.
     */
    private static Map<String, Long> demand(Move m, long bytes, long objects, double seconds) {
        long average = (long) Math.ceil(bytes / seconds);
        Map<String, Long> d = new HashMap<>(requestDemand(m, objects, seconds));
        d.put(m.from(), average);
        d.put(m.to(), average);
        return d;
    }

    /**
     * A delta's demand: its changed bytes and their copies' requests, and a stat of every object at each side (on the
     * endpoints' stat limits, apart from their request limits).
     */
    private static Map<String, Long> deltaDemand(Move m, long changed, long changedObjects, long objects, double seconds) {
        Map<String, Long> d = new HashMap<>(demand(m, changed, changedObjects, seconds));
        d.putAll(statDemand(m, objects, seconds));
        return d;
    }

    /** Stats/s a step holds on both endpoints (only endpoints with a stat limit count them, {@link Resources}). */
    private static Map<String, Long> statDemand(Move m, long objects, double seconds) {
        long average = (long) Math.ceil(objects / seconds);
        return average == 0 ? Map.of() : Map.of(m.from() + STATS, average, m.to() + STATS, average);
    }

    /** Requests/s a step holds on both endpoints (only endpoints with a request limit count them, {@link Resources}). */
    private static Map<String, Long> requestDemand(Move m, long objects, double seconds) {
        long average = (long) Math.ceil(objects / seconds);
        return average == 0 ? Map.of() : Map.of(m.from() + REQUESTS, average, m.to() + REQUESTS, average);
    }

    static int autoShards(Inventory inv, int concurrency) {
        long byBytes = (inv.bytes() + SHARD_BYTES - 1) / SHARD_BYTES;
        long byObjects = Math.max(1, inv.objects() / SHARD_MIN_OBJECTS);
        return (int) Math.max(1, Math.min(Math.min(byBytes, byObjects), 2L * concurrency));
    }

    /** Like {@link dev.migrator.provider.Sizes#format}, without String.format: plans of 10,000 steps explain every step. */
    static String human(double bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int u = 0;
        while (bytes >= 1024 && u < units.length - 1) {
            bytes /= 1024;
            u++;
        }
        if (u == 0) {
            return Math.round(bytes) + " B";
        }
        long tenths = Math.round(bytes * 10);
        return tenths / 10 + "." + tenths % 10 + " " + units[u];
    }

    static String count(double n) {
        if (n != Math.rint(n)) {
            long tenths = Math.round(n * 10);
            return grouped(tenths / 10) + "." + tenths % 10;
        }
        return grouped((long) n);
    }

    private static String grouped(long n) {
        String digits = Long.toString(n);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && (digits.length() - i) % 3 == 0) {
                b.append(',');
            }
            b.append(digits.charAt(i));
        }
        return b.toString();
    }

    private static String percent(double f) {
        return Math.round(f * 100) + "%";
    }
}
