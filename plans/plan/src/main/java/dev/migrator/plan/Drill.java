package dev.migrator.plan;

import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Move;
import dev.migrator.plan.model.Price;
import dev.migrator.plan.planner.Cost;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanOverlaps;
import dev.migrator.plan.report.Accuracy;
import dev.migrator.plan.report.Format;
import dev.migrator.plan.report.RunReport;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.FileTrees;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.Redaction;
import dev.migrator.provider.StateLock;
import dev.migrator.provider.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code migrator drill}: the whole plan (both phases) into the drill section's scratch targets, verified,
 * with the measured recovery time (RTO) and freeze window against the estimate and the deadline. Hooks do
 * not run unless the drill section says {@code hooks: true} (a rehearsal must not freeze production).
 * Scratch object stores must start empty, so a drill never skips work a previous drill left behind; they are
 * emptied afterwards unless {@code keep}.
 */
public final class Drill {
    private Drill() {
    }

    /** The plan with each target replaced by its scratch location, unless the drill asks for them no hooks, and no drill section. */
    public static Plan scratchPlan(Plan plan) {
        if (plan.drill() == null) {
            throw MigratorException.badInput(plan.file() + " has no 'drill' section; add one naming a scratch location per target "
                    + "(see docs/plan-format.md)");
        }
        Map<String, Location> locations = new LinkedHashMap<>();
        plan.locations().forEach((name, l) -> {
            String scratch = plan.drill().targets().get(name);
            locations.put(name, scratch == null ? l : l.withUri(scratch));
        });
        return new Plan(plan.file(), plan.name(), plan.deadlineAt(), plan.deadlineIn(), locations, plan.moves(), plan.limits(),
                plan.drill().hooks() ? plan.hooks() : List.of(), null); // its own drill section would name itself
    }

    /**
     * Checks that no scratch target overlaps a real location (the drill empties its scratch targets), then
     * runs holding the drill state directory's lock, so two drills of one plan cannot run at once.
     */
    public static RunReport run(Plan plan, PlanRunner.Options options, boolean keep, Path junit) {
        return run(plan, options, keep, junit, Eta.UNCHECKED);
    }

    /**
     * How far a drill's measured times may be from the plan's estimates ({@code drill --eta-tolerance}): beyond it, the
     * drill fails as when it misses the deadline.
     *
     * @param tolerance     largest |actual − estimate| ÷ estimate of the whole run, the pre-copy and the freeze window; NaN: unchecked
     * @param stepTolerance the same for each step; NaN: unchecked
     */
    public record Eta(double tolerance, double stepTolerance) {
        public static final Eta UNCHECKED = new Eta(Double.NaN, Double.NaN);

        public boolean checked() {
            return !Double.isNaN(tolerance) || !Double.isNaN(stepTolerance);
        }

        /** The estimates of {@code report} that are off by more than allowed. */
        public List<Accuracy.Item> misses(RunReport report) {
            return Accuracy.of(report).beyond(Double.isNaN(tolerance) ? Double.POSITIVE_INFINITY : tolerance, stepTolerance);
        }
    }

    public static RunReport run(Plan plan, PlanRunner.Options options, boolean keep, Path junit, Eta eta) {
        return run(plan, options, keep, junit, eta, () -> { });
    }

    /** {@link #run}, with {@code beforeStart} run first while holding the lock (the preflight); it throws to stop the drill. */
    public static RunReport run(Plan plan, PlanRunner.Options options, boolean keep, Path junit, Eta eta, Runnable beforeStart) {
        Plan scratch = scratchPlan(plan);
        PlanOverlaps.refuse(plan, true);
        try (StateLock lock = StateLock.acquire(options.stateDir(), "drill " + plan.file())) {
            beforeStart.run();
            return runLocked(plan, scratch, options, keep, junit, eta);
        }
    }

    private static RunReport runLocked(Plan plan, Plan scratch, PlanRunner.Options options, boolean keep, Path junit, Eta eta) {
        List<Location> scratchStores = plan.drill().targets().keySet().stream().map(scratch::location)
                .filter(l -> !l.database()).toList();
        for (Location l : scratchStores) {
            try (ObjectStore store = Stores.open(l.uri(), StoreOptions.DEFAULTS)) {
                if (!isEmpty(store)) {
                    throw l.pos().error("drill target '" + l.name() + "' (" + Redaction.uri(l.uri()) + ") is not empty; a drill "
                            + "starts from empty scratch targets (left by a drill with --keep?): empty it or name another");
                }
            }
        }
        deleteTree(options.stateDir()); // a drill measures a whole run: it is never resumed
        Duration deadline = plan.drill().deadline() != null ? plan.drill().deadline() : plan.deadlineIn();
        List<String> notes = new ArrayList<>();
        if (!plan.drill().hooks() && !plan.hooks().isEmpty()) {
            notes.add("Hooks were not run (drill.hooks is false).");
        }
        RunReport report;
        try {
            report = PlanRunner.runLocked(scratch, options, true, deadline, notes);
        } finally {
            dropReplicationSlots(plan, scratch, notes);
        }
        Cost cost = rehearsalCost(scratch, report.result().outcomes());
        notes.add("Rehearsal cost at the sources: ≈ " + Cost.dollars(cost.total()) + " (egress and requests at each source's price).");
        cost.lines().forEach(l -> notes.add("  " + l.text()));
        if (keep) {
            notes.add("Scratch targets kept (--keep).");
        } else {
            for (Location l : scratchStores) {
                long n = empty(l);
                notes.add("Cleaned up scratch target '" + l.name() + "': deleted " + Format.count(n) + " objects.");
            }
            plan.drill().targets().keySet().stream().map(scratch::location).filter(Location::database).forEach(l ->
                    notes.add("Scratch database '" + l.name() + "' (" + Redaction.uri(l.uri()) + ") left in place: drop it with "
                            + "the database's own tools before the next drill."));
        }
        if (eta.checked()) {
            List<Accuracy.Item> misses = eta.misses(report);
            notes.add(misses.isEmpty() ? "ETA within tolerance: every graded estimate held."
                    : "ETA OUT OF TOLERANCE: " + String.join("; ", misses.stream().map(Accuracy.Item::text).toList()));
        }
        report.write(options.stateDir());
        if (junit != null) {
            writeJunit(report, junit, eta);
        }
        return report;
    }

    /**
     * What the rehearsal read out of the real sources, from what its steps did: the bytes and objects each copy,
     * pack or dump step moved (one GET per object), and a listing page per 1,000 objects of each object step.
     */
    static Cost rehearsalCost(Plan plan, List<StepOutcome> outcomes) {
        Map<String, long[]> bySource = new LinkedHashMap<>();
        for (StepOutcome o : outcomes) {
            if (o.step().move() == null || o.result() == null) {
                continue;
            }
            Move m = plan.moves().stream().filter(x -> x.name().equals(o.step().move())).findFirst().orElse(null);
            if (m == null) {
                continue;
            }
            long[] t = bySource.computeIfAbsent(m.from(), k -> new long[3]);
            boolean objects = !plan.location(m.from()).database();
            if (!o.verifies()) {
                t[0] += o.result().bytes();
                t[1] += objects ? o.result().objects() : 0;
            }
            t[2] += objects ? Math.max(1, (o.step().objects() + 999) / 1000) : 0;
        }
        List<Cost.Line> lines = new ArrayList<>();
        bySource.forEach((name, t) -> {
            Location l = plan.location(name);
            lines.add(new Cost.Line(name, t[0], t[1], t[2], l.price() == null ? Price.FREE : l.price()));
        });
        return new Cost(lines);

    }

    /**
     * A replicate move's slot retains the source's WAL until dropped: a drill's cut-over drops it, and a drill that
     * failed or stopped before its cut-over must not leave it behind either.
     */
    private static void dropReplicationSlots(Plan plan, Plan scratch, List<String> notes) {
        for (dev.migrator.plan.model.Move m : plan.moves()) {
            if (m.via() != dev.migrator.plan.model.Move.Via.REPLICATE) {
                continue;
            }
            try (dev.migrator.provider.Databases.Pair pair = dev.migrator.provider.Databases.open(
                    scratch.location(m.from()).uri(), scratch.location(m.to()).uri(), "copy");
                 dev.migrator.provider.Replication r = pair.source().replicateTo(pair.target(),
                         dev.migrator.provider.Replication.Options.defaults())) {
                boolean had = pair.source().replicationSlots().stream().anyMatch(s -> s.name().equals(r.slot()));
                r.abandon();
                if (had) {
                    notes.add("Dropped the replication slot " + r.slot() + " of move '" + m.name() + "' (the drill did not reach"
                            + " its cut-over).");
                }
            } catch (MigratorException e) {
                notes.add("Could not drop the replication slot of move '" + m.name() + "': " + e.getMessage());
            }
        }
    }

    private static boolean isEmpty(ObjectStore store) {
        try (Stream<ObjectInfo> s = store.list("")) {
            return s.findFirst().isEmpty();
        } catch (MigratorException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return true;
            }
            throw e;
        }
    }

    private static long empty(Location l) {
        long n = 0;
        try (ObjectStore store = Stores.open(l.uri(), StoreOptions.DEFAULTS); Stream<ObjectInfo> s = store.list("")) {
            for (var it = s.iterator(); it.hasNext(); ) {
                store.delete(it.next().key());
                n++;
            }
        } catch (MigratorException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
        }
        return n;
    }

    /**
     * JUnit XML: a test case per step (with its estimate against its time in its output), one for verification, one for
     * the deadline and one per graded total (whole run, pre-copy, freeze window), failing beyond {@code eta}'s tolerance.
     */
    static void writeJunit(RunReport report, Path file, Eta eta) {
        List<String> cases = new ArrayList<>();
        int failures = 0;
        Accuracy accuracy = Accuracy.of(report);
        Map<String, Accuracy.Item> byStep = new LinkedHashMap<>();
        accuracy.steps().forEach(i -> byStep.put(i.name(), i));
        for (StepOutcome o : report.result().outcomes()) {
            String failure = o.ok() ? null : o.status() + (o.error() == null ? "" : ": " + o.error());
            Accuracy.Item a = byStep.get(o.step().id());
            if (failure == null && a != null && !Double.isNaN(eta.stepTolerance()) && a.error() > eta.stepTolerance()) {
                failure = "estimate off by more than " + percent(eta.stepTolerance()) + ": " + a.text() + "; " + a.culprit();
            }
            failures += failure == null ? 0 : 1;
            cases.add(testCase(o.step().phase().word(), o.step().id(), o.seconds(), failure, a == null ? null
                    : a.text() + (a.bound() == null ? "" : "; bound: " + a.bound())));
        }
        for (Accuracy.Item a : accuracy.totals()) {
            String failure = !Double.isNaN(eta.tolerance()) && a.error() > eta.tolerance()
                    ? "estimate off by more than " + percent(eta.tolerance()) + ": " + a.text() : null;
            failures += failure == null ? 0 : 1;
            cases.add(testCase("eta", a.name().replace(' ', '-'), a.actual(), failure, a.text()));
        }
        String verification = report.verificationFailed() ? "verification found differences" : null;
        failures += verification == null ? 0 : 1;
        cases.add(testCase("drill", "verification", 0, verification, null));
        String deadline = report.verdict().met() ? null : report.verdict().text();
        failures += deadline == null ? 0 : 1;
        cases.add(testCase("drill", "rto-within-deadline", report.result().seconds(), deadline, null));
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append(String.format(Locale.ROOT, "<testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"%.3f\">%n",
                xml("migrator drill: " + report.plan()), cases.size(), failures, report.result().seconds()));
        b.append("  <properties>\n");
        b.append(property("rto.seconds", String.format(Locale.ROOT, "%.3f", report.result().seconds())));
        b.append(property("rto.estimate.seconds", String.format(Locale.ROOT, "%.3f", report.estimate())));
        b.append(property("freeze.seconds", String.format(Locale.ROOT, "%.3f", report.measuredFreeze())));
        b.append(property("freeze.estimate.seconds", String.format(Locale.ROOT, "%.3f", report.estimateFreeze())));
        b.append(property("deadline", report.verdict().deadline() == null ? "none" : report.verdict().deadline()));
        for (Accuracy.Item a : accuracy.totals()) {
            b.append(property("eta." + a.name().replace(' ', '-') + ".ratio", String.format(Locale.ROOT, "%.3f", a.ratio())));
        }
        if (!Double.isNaN(eta.tolerance())) {
            b.append(property("eta.tolerance", percent(eta.tolerance())));
        }
        List<Accuracy.Item> worst = accuracy.worst(3);
        for (int i = 0; i < worst.size(); i++) {
            b.append(property("eta.worst." + (i + 1), worst.get(i).text() + "; " + worst.get(i).culprit()));
        }
        b.append("  </properties>\n");
        cases.forEach(b::append);
        b.append("</testsuite>\n");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, b.toString());
        } catch (IOException e) {
            throw MigratorException.badInput("cannot write --junit " + file + ": " + e.getMessage());
        }
    }

    private static String testCase(String classname, String name, double seconds, String failure, String out) {
        String head = String.format(Locale.ROOT, "  <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\"", xml(classname), xml(name), seconds);
        if (failure == null && out == null) {
            return head + "/>\n";
        }
        return head + ">\n" + (failure == null ? "" : "    <failure message=\"" + xml(failure) + "\"/>\n")
                + (out == null ? "" : "    <system-out>" + xml(out) + "</system-out>\n") + "  </testcase>\n";
    }

    private static String percent(double f) {
        return Math.round(f * 100) + "%";
    }

    private static String property(String name, String value) {
        return "    <property name=\"" + xml(name) + "\" value=\"" + xml(value) + "\"/>\n";
    }

    static String xml(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\n', '\t' -> b.append(' ');
                default -> {
                    if (c >= 0x20) {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** Empties a drill's state directory, all but the lock this drill holds (deleting it would let a second drill in). */
    static void deleteTree(Path dir) {
        try {
            FileTrees.deleteContents(dir, p -> p.equals(dir.resolve("lock")));
        } catch (IOException e) {
            throw MigratorException.badInput("cannot clear the drill state " + dir + ": " + e.getMessage());
        }
    }
}
