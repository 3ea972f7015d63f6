package dev.migrator.cli;

import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.plan.planner.Planner;
import dev.migrator.plan.report.PlanOutput;
import dev.migrator.provider.MigratorException;
import dev.migrator.plan.model.Calibration;
import java.nio.file.Path;
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

    @Override
    public Integer call() {
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
}
