package dev.migrator.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migrator.plan.executor.Executor;
import dev.migrator.plan.executor.RunJournal;
import dev.migrator.plan.executor.RunListener;
import dev.migrator.plan.executor.StepKinds;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanOverlaps;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Planner;
import dev.migrator.plan.planner.Step;
import dev.migrator.plan.report.PlanOutput;
import dev.migrator.plan.report.RunReport;
import dev.migrator.plan.steps.StandardSteps;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Redaction;
import dev.migrator.provider.StateLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code migrator run}: plans (or, resuming, reloads the plan the interrupted run froze in its state
 * directory, so shards and step ids stay the same), runs the selected phases and writes the report.
 */
public final class PlanRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PlanRunner() {
    }

    /** The default state directory: beside the plan, {@code exit.yaml} → {@code exit.yaml.state/}. */
    public static Path defaultState(Path planFile) {
        Path abs = planFile.toAbsolutePath();
        return abs.resolveSibling(abs.getFileName() + ".state");
    }

    /**
     * @param stateDir   where the journal, the frozen plan and the report go
     * @param phases     which phases to run
     * @param failFast   stop everything at the first failed step
     * @param listener   progress
     * @param onExecutor given the executor before it runs (to cancel it on Ctrl-C)
     * @param kinds      the step actions
     */
    public record Options(Path stateDir, Set<Phase> phases, boolean failFast, RunListener listener,
                          Consumer<Executor> onExecutor, StepKinds kinds) {
        public static Options of(Path stateDir) {
            return new Options(stateDir, EnumSet.allOf(Phase.class), false, RunListener.NONE, e -> { }, StandardSteps.kinds());
        }
    }

    /**
     * The steps a run uses, with their planned starts: what the state directory's plan.json holds, each step's
     * parameters in its kind's encoding ({@link StepKinds#encode}).
     */
    public record Frozen(String hash, List<Step> steps, Map<String, Double> start, double presync, double cutover,
                         Map<String, Long> bandwidth) {
        /** plan.json's layout; a file of another format (an older build's) is not resumed but planned again. */
        static final int FORMAT = 3; // 3: a bundle's steps carry every move packed into it

        public ObjectNode json(StepKinds kinds) {
            ObjectNode n = JSON.createObjectNode();
            n.put("format", FORMAT).put("hash", hash);
            ArrayNode a = n.putArray("steps");
            steps.forEach(s -> a.add(kinds.encode(s)));
            n.set("start", JSON.valueToTree(start));
            n.put("presync", presync).put("cutover", cutover);
            n.set("bandwidth", JSON.valueToTree(bandwidth));
            return n;
        }

        public static Frozen read(JsonNode n, StepKinds kinds) throws IOException {
            if (n.path("format").asInt() != FORMAT) {
                throw new IOException("plan.json of format " + n.path("format") + ", not " + FORMAT);
            }
            List<Step> steps = new ArrayList<>();
            for (JsonNode s : n.path("steps")) {
                steps.add(kinds.decode(s));
            }
            Map<String, Double> start = new HashMap<>();
            n.path("start").fields().forEachRemaining(e -> start.put(e.getKey(), e.getValue().asDouble()));
            Map<String, Long> bandwidth = new HashMap<>();
            n.path("bandwidth").fields().forEachRemaining(e -> bandwidth.put(e.getKey(), e.getValue().asLong()));
            return new Frozen(n.path("hash").asText(), steps, start, n.path("presync").asDouble(), n.path("cutover").asDouble(),
                    bandwidth);
        }
    }

    /**
     * Runs the plan holding the state directory's lock for the whole run, so the same plan started twice
     * (whose second run would redo every step, the switch hook too) is refused naming the holder.
     * Overlapping locations are refused first, with the stores' real locations. {@code notes} are the report's extra
     * lines: a mutable list, to which the run adds its own (how long planning took) and the caller may add after it.
     */
    public static RunReport run(Plan plan, Options options, boolean drill, Duration deadlineOverride, List<String> notes) {
        return run(plan, options, drill, deadlineOverride, notes, () -> { });
    }

    /**
     * {@link #run}, with {@code beforeStart} run first while holding the lock (the preflight's probes), so a second run
     * started meanwhile is refused before it probes anything; {@code beforeStart} throws to stop the run.
     */
    public static RunReport run(Plan plan, Options options, boolean drill, Duration deadlineOverride, List<String> notes,
                                Runnable beforeStart) {
        PlanOverlaps.refuse(plan, true);
        try (StateLock lock = StateLock.acquire(options.stateDir(), (drill ? "drill " : "run ") + plan.file())) {
            beforeStart.run();
            return runLocked(plan, options, drill, deadlineOverride, notes);
        }
    }

    /** {@link #run} for a caller that holds the state directory's lock and has checked the plan (a drill). */
    static RunReport runLocked(Plan plan, Options options, boolean drill, Duration deadlineOverride, List<String> notes) {
        Instant started = Instant.now();
        Frozen frozen = frozen(plan, options.stateDir(), drill, options.kinds(), notes);
        // The whole run's estimate is frozen once planning is done, so planning's time is known, not modelled: it counts
        // in the estimate as it does in the wall time (a resumed run reads its frozen plan: next to nothing).
        double planning = Duration.between(started, Instant.now()).toMillis() / 1000.0;
        List<Step> selected = frozen.steps().stream().filter(s -> options.phases().contains(s.phase())).toList();
        Executor executor = new Executor(plan, selected, frozen.start(), frozen.bandwidth(), options.kinds(), options.stateDir(),
                options.failFast(), drill, options.listener());
        options.onExecutor().accept(executor);
        Executor.Result result = executor.run();
        double estimate = planning + (options.phases().contains(Phase.PRESYNC) ? frozen.presync() : 0)
                + (options.phases().contains(Phase.CUTOVER) ? frozen.cutover() : 0);
        double wall = Duration.between(started, Instant.now()).toMillis() / 1000.0;
        RunReport report = new RunReport(plan.name(), drill, List.copyOf(options.phases()),
                new Executor.Result(result.outcomes(), wall, result.interrupted(), result.resumed()), estimate,
                options.phases().contains(Phase.CUTOVER) ? frozen.cutover() : 0, RunReport.freezeWindow(result),
                PlanOutput.verdict(plan, deadlineOverride, wall, started), notes).withPlannedStart(frozen.start());
        report.write(options.stateDir());
        return report;
    }

    /** The plan an unfinished run froze, if the plan file is unchanged; otherwise a new plan, measured and frozen. */
    static Frozen frozen(Plan plan, Path stateDir, boolean drill, StepKinds kinds) {
        return frozen(plan, stateDir, drill, kinds, new ArrayList<>());
    }

    /**
     * {@link #frozen}; a new plan adds to {@code notes} how long planning took (the inventory lists every move's source
     * and target), which the whole run's time and its estimate both include: said in the report, so that a drill's
     * whole-run ratio can be read (docs/benchmarks.md).
     */
    static Frozen frozen(Plan plan, Path stateDir, boolean drill, StepKinds kinds, List<String> notes) {
        String hash = hash(plan, drill);
        Path file = stateDir.resolve("plan.json");
        try {
            List<JsonNode> events = RunJournal.read(stateDir.resolve("journal"));
            boolean unfinished = !events.isEmpty() && !(events.get(events.size() - 1).path("event").asText().equals("end")
                    && events.get(events.size() - 1).path("complete").asBoolean());
            if (unfinished && Files.exists(file)) {
                Frozen f = Frozen.read(JSON.readTree(file.toFile()), kinds);
                if (f.hash().equals(hash)) {
                    return f;
                }
            }
        } catch (IOException e) {
            // unreadable, or an older build's: plan again; finished steps whose definition is unchanged are still
            // recognized by their fingerprint
        }
        Instant started = Instant.now();
        Frozen f = plan(plan, drill);
        notes.add(String.format(java.util.Locale.ROOT, "Planning took %s before the first step (the inventory of every move's "
                + "source and target, and the schedule): measured, so it counts in the whole run's estimate as in its time.",
                dev.migrator.plan.report.Format.duration(Duration.between(started, Instant.now()).toMillis() / 1000.0)));
        try {
            Files.createDirectories(stateDir);
            Path tmp = stateDir.resolve("plan.json.tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), f.json(kinds));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.FileSystemException e) {
            throw MigratorException.badInput("cannot write the state directory " + stateDir + ": " + (e.getReason() == null
                    ? e.getClass().getSimpleName() : e.getReason()) + " (use --state DIR to put it in a writable directory)");
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot write " + file + ": " + e.getMessage(), e);
        }
        return f;
    }

    /** A new plan, measured, as a run freezes it (also what shared state holds, {@code dev.migrator.plan.shared}). */
    public static Frozen plan(Plan plan, boolean drill) {
        Planner.Result r = Planner.plan(plan, Inventory.MEASURED);
        return new Frozen(hash(plan, drill), r.steps(), r.schedule().start(), r.schedule().presync(), r.schedule().cutover(),
                r.capacities());
    }

    /** What identifies a plan file and its locations: a frozen plan of another hash is not resumed. */
    public static String hash(Plan plan, boolean drill) {
        StringBuilder b = new StringBuilder(drill ? "drill\n" : "run\n");
        try {
            b.append(Files.readString(plan.file(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            b.append(plan.toString());
        }
        plan.locations().values().forEach(l -> b.append('\n').append(Redaction.uri(l.uri())));
        return Digests.hex(Digests.sha256().digest(b.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code migrator status}: where the run in {@code stateDir} stands, from its journal and frozen plan. */
    public static String status(Plan plan, Path stateDir) {
        Path planJson = stateDir.resolve("plan.json");
        Path journal = stateDir.resolve("journal");
        if (!Files.exists(planJson) || !Files.exists(journal)) {
            return "No run of " + plan.file() + " in " + stateDir + " yet.\n";
        }
        try {
            List<String> ids = new ArrayList<>(); // the frozen steps' ids are all status needs (of any format)
            JSON.readTree(planJson.toFile()).path("steps").forEach(s -> ids.add(s.path("id").asText()));
            // Earlier, finished runs (e.g. the pre-copy before this cut-over) first; a step's latest event wins.
            List<JsonNode> events = new ArrayList<>();
            try (var files = Files.list(stateDir)) {
                List<Path> archived = files.filter(p -> p.getFileName().toString().matches("journal\\.[0-9]+"))
                        .sorted(java.util.Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(8))))
                        .toList();
                for (Path a : archived) {
                    events.addAll(RunJournal.read(a));
                }
            }
            List<JsonNode> current = RunJournal.read(journal);
            events.addAll(current);
            Map<String, String> state = new HashMap<>();
            Map<String, String> detail = new HashMap<>();
            String lastEvent = current.isEmpty() ? "" : current.get(current.size() - 1).path("event").asText();
            boolean ended = lastEvent.equals("end");
            for (JsonNode e : events) {
                String id = e.path("step").asText(null);
                if (id == null) {
                    continue;
                }
                String kind = e.path("event").asText();
                state.put(id, switch (kind) {
                    case "start" -> "RUNNING";
                    case "done" -> "DONE";
                    case "failed" -> "FAILED";
                    case "blocked" -> "BLOCKED";
                    case "cancelled" -> "CANCELLED";
                    default -> kind.toUpperCase(java.util.Locale.ROOT);
                });
                if (kind.equals("start")) {
                    detail.put(id, "attempt " + e.path("attempt").asInt() + " started " + e.path("at").asText());
                } else if (kind.equals("done")) {
                    detail.put(id, String.format(java.util.Locale.ROOT, "%.1f s", e.path("seconds").asDouble())
                            + (e.path("result").path("verified").asBoolean(false) ? ", verified" : ""));
                } else if (e.has("error")) {
                    detail.put(id, e.path("error").asText());
                } else if (e.has("by")) {
                    detail.put(id, "waits for " + e.path("by").asText());
                }
            }
            StringBuilder b = new StringBuilder();
            int done = 0;
            List<String> lines = new ArrayList<>();
            for (String id : ids) {
                String st = state.getOrDefault(id, "PENDING");
                if (st.equals("RUNNING") && ended) {
                    st = "INTERRUPTED";
                }
                if (st.equals("RUNNING") && !ended) {
                    st = "RUNNING?"; // running now, or killed: the next run resumes it
                }
                done += st.equals("DONE") ? 1 : 0;
                lines.add(String.format(java.util.Locale.ROOT, "  %-12s %-40s %s", st, id, detail.getOrDefault(id, "")));
            }
            b.append("Plan ").append(plan.name()).append(": ").append(done).append(" of ").append(ids.size())
                    .append(" steps done (state: ").append(stateDir).append(")\n");
            b.append(ended ? (RunJournalView.complete(current) ? "The last run completed.\n"
                    : "The last run ended incomplete; run the same command to retry what is left.\n")
                    : "A run is in progress, or was killed: run the same command to resume it.\n");
            lines.forEach(l -> b.append(l.stripTrailing()).append('\n'));
            return b.toString();
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot read the run state in " + stateDir + ": " + e.getMessage(), e);
        }
    }

    private static final class RunJournalView {
        static boolean complete(List<JsonNode> events) {
            JsonNode last = events.get(events.size() - 1);
            return last.path("complete").asBoolean();
        }
    }


}
