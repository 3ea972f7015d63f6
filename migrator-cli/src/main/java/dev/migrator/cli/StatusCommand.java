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

    /**
     * The time left and the freeze window as the run's journal stands at {@code now}, each step's estimate scaled by the
     * steps like it that finished ({@link LiveEta}); null without a frozen plan and journal.
     */
    static String eta(Plan plan, Path stateDir, Instant now) {
        Path planJson = stateDir.resolve("plan.json");
        Path journal = stateDir.resolve("journal");
        if (!Files.exists(planJson) || !Files.exists(journal)) {
            return null;
        }
        try {
            PlanRunner.Frozen frozen = PlanRunner.Frozen.read(new ObjectMapper().readTree(planJson.toFile()), StandardSteps.kinds());
            Map<String, Step> byId = new HashMap<>();
            frozen.steps().forEach(s -> byId.put(s.id(), s));
            LiveEta live = new LiveEta(frozen.steps(), plan.limits().concurrency(), frozen.bandwidth());
            double planned = live.forecast(0).remaining();
            double plannedFreeze = live.forecast(0).freeze();
            List<JsonNode> events = new java.util.ArrayList<>();
            try (var files = Files.list(stateDir)) {
                for (Path p : files.filter(f -> f.getFileName().toString().matches("journal\\.[0-9]+")).sorted().toList()) {
                    events.addAll(RunJournal.read(p));
                }
            }
            List<JsonNode> current = RunJournal.read(journal);
            events.addAll(current);
            Instant runStart = current.isEmpty() ? now : Instant.parse(current.get(0).path("at").asText(now.toString()));
            boolean ended = !current.isEmpty() && current.get(current.size() - 1).path("event").asText().equals("end");
            for (JsonNode e : events) {
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
            LiveEta.Forecast f = live.forecast(elapsed);
            boolean cutoverLeft = frozen.steps().stream().anyMatch(s -> s.phase() == Phase.CUTOVER && !live.isFinished(s.id()));
            StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "Time left: ~%s (planned %s in all; steps so far took %.2fx their estimates)", Format.duration(f.remaining()),
                    Format.duration(planned), f.factor()));
            if (cutoverLeft) {
                b.append(", freeze window ~").append(Format.duration(f.freeze())).append(" (planned ")
                        .append(Format.duration(plannedFreeze)).append(')');
            }
            PlanOutput.Verdict v = PlanOutput.verdict(plan, null, elapsed + f.remaining(), ended ? now : runStart);
            if (v.deadline() != null) {
                b.append("; deadline slack ").append(v.slack() < 0 ? "-" : "").append(Format.duration(Math.abs(v.slack())));
            }
            return b.append('\n').toString();
        } catch (IOException | dev.migrator.provider.MigratorException | java.time.format.DateTimeParseException e) {
            return "Time left: not known (the state's plan.json or journal does not read: " + e.getMessage() + ")\n";
        }
    }
}
