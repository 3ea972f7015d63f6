package dev.migrator.cli;

import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.plan.planner.Planner;
import dev.migrator.plan.report.PlanOutput;
import dev.migrator.provider.MigratorException;
import dev.migrator.plan.model.Calibration;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Step;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "plan", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Show how a plan would run, its ETA and write-freeze window, and whether it beats the deadline.",
            "Shows the inventory of every source, the steps with start and end estimates and the critical path.",
            "Nothing is written. The plan file format: docs/plan-format.md."})
final class PlanCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PLAN", description = "The plan file (YAML).")
    Path file;

    @Option(names = "--offline", description = "Plan from the sizes declared in the file instead of listing the sources.")
    boolean offline;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text, json, or markdown (with a Mermaid Gantt chart). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--calibration", paramLabel = "FILE",
            description = "Throughput figures measured by 'migrator probe PLAN -o FILE'; they take precedence over the plan's.")
    Path calibration;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "1",
            description = {"Plan for N machines (migrator worker / run --workers N), each running the plan's concurrency;",
                "shows the gain over one and where an endpoint's own limit caps it. Default: ${DEFAULT-VALUE}."})
    int workers;

    @Option(names = "--after-presync", description = {"After 'run --phase presync': the cut-over and its freeze window re-estimated",
        "from the pre-copy the run's journal measured, to read before starting the freeze."})
    boolean afterPresync;

    @Option(names = "--state", paramLabel = "DIR", description = "With --after-presync: the run's state. Default: PLAN.state beside the plan.")
    Path state;

    @Override
    public Integer call() throws java.io.IOException {
        if (afterPresync) {
            return afterPresync();
        }
        if (state != null) {
            throw MigratorException.badInput("--state is for plan --after-presync (the plan alone reads no run)");
        }
        if (!format.equals("text") && !format.equals("json") && !format.equals("markdown")) {
            throw MigratorException.badInput("--format '" + format + "': expected text, json or markdown");
        }
        Plan plan = PlanParser.parse(file);
        Map<String, Calibration> probed = calibration == null ? Map.of() : PlanParser.calibration(calibration, plan);
        Planner.Result r = Planner.plan(plan, offline ? Inventory.DECLARED : Inventory.MEASURED, probed, workers);
        System.out.print(switch (format) {
            case "json" -> PlanOutput.json(r) + "\n";
            case "markdown" -> PlanOutput.markdown(r);
            default -> PlanOutput.text(r);
        });
        return 0;
    }

    private int afterPresync() throws java.io.IOException {
        Plan plan = PlanParser.parse(file);
        Path dir = state != null ? state : dev.migrator.plan.PlanRunner.defaultState(file);
        StatusCommand.Replay r = StatusCommand.replay(plan, dir, java.time.Instant.now());
        if (r == null) {
            throw MigratorException.badInput("--after-presync: " + dir + " holds no run of " + file
                    + "; run the pre-copy first (migrator run " + file + " --phase presync), or name its --state");
        }
        List<String> left = r.steps().stream().filter(s -> s.phase() == Phase.PRESYNC && !r.live().isFinished(s.id()))
                .map(Step::id).toList();
        if (!left.isEmpty()) {
            throw MigratorException.badInput("--after-presync: the pre-copy in " + dir + " has not finished (" + left.size()
                    + " steps left, first " + left.get(0) + "); finish it with: migrator run " + file + " --phase presync");
        }
        System.out.println(StatusCommand.afterPresync(r));
        return 0;
    }
}
