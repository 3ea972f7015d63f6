package dev.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.executor.RunJournal;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.planner.LiveEta;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Step;
import dev.migrator.plan.report.Format;
import dev.migrator.plan.report.PlanOutput;
import dev.migrator.plan.shared.SharedRun;
import dev.migrator.plan.shared.StoreState;
import dev.migrator.plan.steps.StandardSteps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Show where the last run of a plan stands, from its journal, and the time it has left.",
            "Each step done, running, failed, blocked or pending; the time left re-estimated from what the run measured so far,",
            "with the deadline slack.",
            "With --workers (or a --state URI), from the state the workers share, on any machine."})
final class StatusCommand implements Callable<Integer> {
    @Mixin
    PlanArgs plan;

    @Option(names = "--workers", description = "Read the state workers share (implied by an s3:// or gs:// --state).")
    boolean workers;

    @Override
    public Integer call() {
        if (workers || plan.stateIsRemote()) {
            try (StoreState state = StoreState.open(plan.sharedState())) {
                System.out.print(SharedRun.status(plan.parse(), state, StandardSteps.kinds()));
            }
            return 0;
        }
        Plan parsed = plan.parse();
        System.out.print(PlanRunner.status(parsed, plan.stateDir()));
        String eta = eta(parsed, plan.stateDir(), Instant.now());
        if (eta != null) {
            System.out.print(eta);
        }
        return 0;
    }

    /** A run's journal replayed into the live estimate: what {@code status} and {@code plan --after-presync} print from. */
    record Replay(LiveEta live, List<Step> steps, LiveEta.Forecast planned, double elapsed, boolean ended, Instant runStart) {
        /** Whether every pre-copy step finished and no cut-over step has started: the moment before the freeze. */
        boolean beforeFreeze(List<JsonNode> events) {
            return steps.stream().filter(s -> s.phase() == Phase.PRESYNC).allMatch(s -> live.isFinished(s.id()))
                    && steps.stream().anyMatch(s -> s.phase() == Phase.CUTOVER)
                    && events.stream().noneMatch(e -> steps.stream().anyMatch(s -> s.phase() == Phase.CUTOVER
                    && s.id().equals(e.path("step").asText(""))));
        }
    }

    /** The journal's events, the earlier runs' ({@code journal.N}) first; empty without a frozen plan and journal. */
    static List<JsonNode> events(Path stateDir) throws IOException {
        List<JsonNode> events = new java.util.ArrayList<>();
        if (!Files.exists(stateDir.resolve("plan.json")) || !Files.exists(stateDir.resolve("journal"))) {
            return events;
        }
        try (var files = Files.list(stateDir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().matches("journal\\.[0-9]+")).sorted().toList()) {
                events.addAll(RunJournal.read(p));
            }
        }
        events.addAll(RunJournal.read(stateDir.resolve("journal")));
        return events;
    }

    /** The frozen plan's steps with what the journal measured of them, at {@code now}; null without a frozen plan and journal. */
    static Replay replay(Plan plan, Path stateDir, Instant now) throws IOException {
        Path planJson = stateDir.resolve("plan.json");
        Path journal = stateDir.resolve("journal");
        if (!Files.exists(planJson) || !Files.exists(journal)) {
            return null;
        }
        PlanRunner.Frozen frozen = PlanRunner.Frozen.read(new ObjectMapper().readTree(planJson.toFile()), StandardSteps.kinds());
        Map<String, Step> byId = new HashMap<>();
        frozen.steps().forEach(s -> byId.put(s.id(), s));
        LiveEta live = new LiveEta(frozen.steps(), plan.limits().concurrency(), frozen.bandwidth());
        LiveEta.Forecast planned = live.forecast(0);
        List<JsonNode> current = RunJournal.read(journal);
        Instant runStart = current.isEmpty() ? now : Instant.parse(current.get(0).path("at").asText(now.toString()));
        boolean ended = !current.isEmpty() && current.get(current.size() - 1).path("event").asText().equals("end");
        for (JsonNode e : events(stateDir)) {
            Step s = byId.get(e.path("step").asText(""));
            if (s == null) {
                continue;
            }
            switch (e.path("event").asText()) {
                case "start" -> {
                    if (!ended) {
                        live.started(s.id(), Duration.between(runStart, Instant.parse(e.path("at").asText())).toMillis() / 1000.0);
                    }
                }
                case "done" -> live.finished(s, e.path("seconds").asDouble(), true);
                case "failed", "blocked", "cancelled" -> live.finished(s, 0, false);
                default -> { }
            }
        }
        double elapsed = ended ? 0 : Duration.between(runStart, now).toMillis() / 1000.0;
        return new Replay(live, frozen.steps(), planned, elapsed, ended, runStart);
    }

    /**
     * The time left and the freeze window as the run's journal stands at {@code now}, each step's estimate scaled by the
     * steps like it that finished ({@link LiveEta}), and, once the pre-copy is done and before the freeze, the cut-over
     * re-estimated from it ({@link #afterPresync}); null without a frozen plan and journal.
     */
    static String eta(Plan plan, Path stateDir, Instant now) {
        try {
            Replay r = replay(plan, stateDir, now);
            if (r == null) {
                return null;
            }
            LiveEta live = r.live();
            LiveEta.Forecast f = live.forecast(r.elapsed());
            boolean cutoverLeft = r.steps().stream().anyMatch(s -> s.phase() == Phase.CUTOVER && !live.isFinished(s.id()));
            StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "Time left: ~%s (planned %s in all; steps so far took %.2fx their estimates)", Format.duration(f.remaining()),
                    Format.duration(r.planned().remaining()), f.factor()));
            if (cutoverLeft) {
                b.append(", freeze window ~").append(Format.duration(f.freeze())).append(" (planned ")
                        .append(Format.duration(r.planned().freeze())).append(')');
            }
            PlanOutput.Verdict v = PlanOutput.verdict(plan, null, r.elapsed() + f.remaining(), r.ended() ? now : r.runStart());
            if (v.deadline() != null) {
                b.append("; deadline slack ").append(v.slack() < 0 ? "-" : "").append(Format.duration(Math.abs(v.slack())));
            }
            b.append('\n');
            if (r.beforeFreeze(events(stateDir))) {
                b.append(afterPresync(r)).append('\n');
            }
            return b.toString();
        } catch (IOException | dev.migrator.provider.MigratorException | java.time.format.DateTimeParseException e) {
            return "Time left: not known (the state's plan.json or journal does not read: " + e.getMessage() + ")\n";
        }
    }

    /**
     * The cut-over and its freeze window re-estimated from the pre-copy the journal measured, against the plan's: what a
     * person reads before starting the freeze ({@code plan PLAN --after-presync}, and {@code status} at that moment).
     */
    static String afterPresync(Replay r) {
        double estimated = 0;
        for (Step s : r.steps()) {
            if (s.phase() == Phase.PRESYNC) {
                estimated += s.seconds();
            }
        }
        LiveEta.Forecast f = r.live().forecast(0);
        double plannedCutover = r.live().plannedLeft();
        double actual = r.live().measuredSeconds(Phase.PRESYNC);
        return String.format(java.util.Locale.ROOT,
                "After the pre-copy (its steps took %s against %s estimated, %.2fx): cut-over ~%s (planned %s),"
                        + " freeze window ~%s (planned %s, %s%s)",
                Format.duration(actual), Format.duration(estimated), f.factor(), Format.duration(f.remaining()),
                Format.duration(plannedCutover), Format.duration(f.freeze()), Format.duration(r.planned().freeze()),
                f.freeze() >= r.planned().freeze() ? "+" : "-", Format.duration(Math.abs(f.freeze() - r.planned().freeze())));
    }
}
