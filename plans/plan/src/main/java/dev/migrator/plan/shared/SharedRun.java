package dev.migrator.plan.shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.executor.Executor;
import dev.migrator.plan.executor.StepKinds;
import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.executor.StepResult;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Step;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The layout of a plan run in {@link SharedState}, read and written by every worker, by {@code status} and by the report:
 * <pre>
 *   plan.json                 the frozen plan, written once (create-only) by whoever comes first
 *   claims/UNIT/GENERATION    claims ({@link Leases}); leases/UNIT/GENERATION their renewals
 *   done/STEP                 a finished step's result (create-only)
 *   failed/STEP               a step that failed after its retries
 *   journals/STEP/copy-journal a copy step's object journal, as last uploaded by its holder
 * </pre>
 * Names of units and steps are their ids, URL-encoded into one path segment.
 */
public final class SharedRun {
    private SharedRun() {
    }

    static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    static String decode(String name) {
        return URLDecoder.decode(name, StandardCharsets.UTF_8);
    }

    static String doneName(String step) {
        return "done/" + encode(step);
    }

    static String failedName(String step) {
        return "failed/" + encode(step);
    }

    /** The plan as frozen in the state; frozen now (once, create-only) if no one has yet. */
    public static PlanRunner.Frozen freeze(Plan plan, SharedState state, StepKinds kinds) {
        String hash = PlanRunner.hash(plan, false);
        Optional<byte[]> saved = state.read("plan.json");
        if (saved.isEmpty()) {
            PlanRunner.Frozen f = PlanRunner.plan(plan, false);
            if (state.create("plan.json", Leases.bytes(f.json(kinds)))) {
                return f;
            }
            saved = state.read("plan.json"); // another worker froze it first: use theirs, so all run the same steps
        }
        PlanRunner.Frozen f;
        try {
            f = PlanRunner.Frozen.read(Leases.JSON.readTree(saved.orElseThrow()), kinds);
        } catch (IOException e) {
            throw MigratorException.badInput("--state " + state.describe() + " holds a plan.json this build cannot read ("
                    + e.getMessage() + "); use a new --state location");
        }
        if (!f.hash().equals(hash)) {
            throw MigratorException.badInput("--state " + state.describe() + " holds a run of another plan (or of " + plan.file()
                    + " before it was changed); use a new --state location, or remove that one if its run is over");
        }
        return f;
    }

    /** The work units of the selected phases, in the frozen plan's order. */
    public static List<Worker.Unit> units(PlanRunner.Frozen frozen, Set<Phase> phases) {
        return Worker.group(frozen.steps().stream().filter(s -> phases.contains(s.phase())).toList());
    }

    /** Done and failed steps as the state holds them now. */
    static Snapshot snapshot(SharedState state, List<Worker.Unit> units) {
        Set<String> done = new HashSet<>();
        state.list("done/").forEach(n -> done.add(decode(n)));
        Map<String, JsonNode> failed = new HashMap<>();
        for (String n : state.list("failed/")) {
            failed.put(decode(n), Leases.json(state.read("failed/" + n)));
        }
        return new Snapshot(done, failed);
    }

    record Snapshot(Set<String> done, Map<String, JsonNode> failed) {
        boolean done(Worker.Unit u) {
            return u.steps().stream().allMatch(s -> done.contains(s.id()));
        }

        boolean failed(Worker.Unit u) {
            return u.steps().stream().anyMatch(s -> failed.containsKey(s.id()) && !done.contains(s.id()));
        }

        /** Units that failed, or depend (directly or not) on one that did. */
        Set<String> stuck(List<Worker.Unit> units) {
            Map<String, Worker.Unit> unitOfStep = new HashMap<>();
            units.forEach(u -> u.steps().forEach(s -> unitOfStep.put(s.id(), u)));
            Set<String> stuck = new HashSet<>();
            Deque<Worker.Unit> todo = new ArrayDeque<>();
            units.stream().filter(this::failed).forEach(todo::add);
            while (!todo.isEmpty()) {
                Worker.Unit u = todo.poll();
                if (stuck.add(u.name())) {
                    for (Worker.Unit other : units) {
                        if (other.after().stream().anyMatch(d -> unitOfStep.get(d) == u)) {
                            todo.add(other);
                        }
                    }
                }
            }
            return stuck;
        }

        List<Worker.Unit> remaining(List<Worker.Unit> units) {
            Set<String> stuck = stuck(units);
            return units.stream().filter(u -> !done(u) && !stuck.contains(u.name())).toList();
        }

        List<Worker.Unit> ready(List<Worker.Unit> units) {
            return new ArrayList<>(remaining(units).stream().filter(u -> done.containsAll(u.after())).toList());
        }

        boolean allDone(List<Worker.Unit> units) {
            return units.stream().allMatch(this::done);
        }

        /** The most telling failure: differences found by a verify, else a failure. */
        ErrorCode failure() {
            if (failed.isEmpty()) {
                return null;
            }
            return failed.values().stream().anyMatch(f -> f.path("code").asText().equals(ErrorCode.DIFFERENCES.name()))
                    ? ErrorCode.DIFFERENCES : ErrorCode.FAILED;
        }
    }

    static ObjectNode record(StepOutcome o, String holder, int generation) {
        ObjectNode n = Leases.JSON.createObjectNode();
        n.put("step", o.step().id()).put("status", o.status().name()).put("holder", holder).put("generation", generation)
                .put("seconds", o.seconds()).put("attempts", o.attempts()).put("at", java.time.Instant.now().toString());
        if (o.result() != null) {
            n.set("result", Leases.JSON.valueToTree(o.result()));
        }
        if (o.error() != null) {
            n.put("error", o.error()).put("code", o.code());
        }
        return n;
    }

    /** Every selected step's outcome as the state records it, in planned order (for the report of a run by workers). */
    public static Executor.Result outcomes(PlanRunner.Frozen frozen, Set<Phase> phases, SharedState state, StepKinds kinds,
                                           double seconds, boolean interrupted) {
        List<Worker.Unit> units = units(frozen, phases);
        Snapshot snap = snapshot(state, units);
        Set<String> stuck = snap.stuck(units);
        List<StepOutcome> outcomes = new ArrayList<>();
        for (Worker.Unit u : units) {
            for (Step s : u.steps()) {
                boolean verifies = kinds.verifies(s);
                if (snap.done().contains(s.id())) {
                    JsonNode d = Leases.json(state.read(doneName(s.id())));
                    outcomes.add(new StepOutcome(s, StepOutcome.Status.DONE, result(d.path("result")), d.path("seconds").asDouble(),
                            -1, d.path("attempts").asInt(1), null, null, verifies));
                } else if (snap.failed().containsKey(s.id())) {
                    JsonNode f = snap.failed().get(s.id());
                    outcomes.add(new StepOutcome(s, StepOutcome.Status.FAILED, null, f.path("seconds").asDouble(), -1,
                            f.path("attempts").asInt(1), f.path("error").asText(), f.path("code").asText(), verifies));
                } else {
                    StepOutcome.Status st = stuck.contains(u.name()) ? StepOutcome.Status.BLOCKED
                            : interrupted ? StepOutcome.Status.CANCELLED : StepOutcome.Status.PENDING;
                    outcomes.add(new StepOutcome(s, st, null, 0, -1, 0, st == StepOutcome.Status.BLOCKED ? "not run: a step it"
                            + " depends on failed" : null, null, verifies));
                }
            }
        }
        return new Executor.Result(outcomes, seconds, interrupted, false);
    }

    private static StepResult result(JsonNode n) {
        List<String> details = new ArrayList<>();
        n.path("details").forEach(d -> details.add(d.asText()));
        JsonNode v = n.path("verified");
        return new StepResult(n.path("bytes").asLong(), n.path("objects").asLong(), n.path("skipped").asLong(),
                v.isBoolean() ? v.asBoolean() : null, details);
    }

    /** {@code migrator status --state URI}: where a run by workers stands, from any machine. */
    public static String status(Plan plan, SharedState state, StepKinds kinds) {
        Optional<byte[]> saved = state.read("plan.json");
        if (saved.isEmpty()) {
            return "No run of " + plan.file() + " in " + state.describe() + " yet.\n";
        }
        PlanRunner.Frozen frozen = freeze(plan, state, kinds);
        List<Worker.Unit> units = units(frozen, java.util.EnumSet.allOf(Phase.class));
        Snapshot snap = snapshot(state, units);
        Set<String> stuck = snap.stuck(units);
        Leases leases = new Leases(state, "status", java.time.Duration.ZERO, java.time.Duration.ZERO, java.time.Clock.systemUTC());
        List<String> lines = new ArrayList<>();
        int done = 0;
        int steps = 0;
        int running = 0;
        for (Worker.Unit u : units) {
            Optional<Leases.Holding> h = snap.done(u) ? Optional.empty() : leases.holding(encode(u.name()));
            for (Step s : u.steps()) {
                steps++;
                String st;
                String detail = "";
                if (snap.done().contains(s.id())) {
                    JsonNode d = Leases.json(state.read(doneName(s.id())));
                    st = "DONE";
                    done++;
                    detail = String.format(Locale.ROOT, "%.1f s by %s", d.path("seconds").asDouble(), d.path("holder").asText())
                            + (d.path("generation").asInt() > 0 ? " (taken over)" : "")
                            + (d.path("result").path("verified").asBoolean(false) ? ", verified" : "");
                } else if (snap.failed().containsKey(s.id())) {
                    st = "FAILED";
                    detail = snap.failed().get(s.id()).path("error").asText();
                } else if (stuck.contains(u.name())) {
                    st = "BLOCKED";
                } else if (h.isPresent() && h.get().live()) {
                    st = "RUNNING";
                    running++;
                    detail = "by " + h.get().holder();
                } else if (h.isPresent()) {
                    st = "ABANDONED";
                    detail = "lease of " + h.get().holder() + " expired: the next worker takes it over";
                } else {
                    st = "PENDING";
                }
                lines.add(String.format(Locale.ROOT, "  %-12s %-40s %s", st, s.id(), detail).stripTrailing());
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("Plan ").append(plan.name()).append(": ").append(done).append(" of ").append(steps)
                .append(" steps done, ").append(running).append(" running (shared state: ").append(state.describe()).append(")\n");
        lines.forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }
}
