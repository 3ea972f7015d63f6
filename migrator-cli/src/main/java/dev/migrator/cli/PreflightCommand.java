package dev.migrator.cli;

import dev.migrator.plan.Drill;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.plan.preflight.Preflight;
import dev.migrator.plan.preflight.PreflightReport;
import dev.migrator.plan.preflight.Status;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "preflight", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Check that everything a plan needs is in place before it starts.",
            "It checks the credentials, reachability and permissions of every location (a probe object is written to and",
            "deleted from each target), free space on local targets, clocks against each endpoint, database tool versions",
            "and server settings, extensions the target lacks, and the hooks.",
            "One line per check: OK, WARN or FAIL with what to do. Exit code 0 when nothing FAILs, else 1.",
            "run and drill start with the same checks (skip them with --skip-preflight)."})
final class PreflightCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PLAN", description = "The plan file (YAML).")
    Path file;

    @Option(names = "--drill", description = "Check the drill's scratch targets instead of the real ones.")
    boolean drill;

    @Option(names = "--offline", description = "Compare free space with the sizes declared in the plan only (sources are not listed).")
    boolean offline;

    @Option(names = "--json", description = "Print a JSON document on stdout instead of text.")
    boolean json;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write JUnit XML: a test suite per check, a test case per subject.")
    Path junit;

    @Override
    public Integer call() {
        Plan plan = PlanParser.parse(file);
        PreflightReport report = Preflight.run(drill ? Drill.scratchPlan(plan) : plan, offline ? Inventory.DECLARED : Inventory.MEASURED);
        if (junit != null) {
            report.writeJunit(junit);
        }
        System.out.print(json ? report.json() + "\n" : report.text());
        System.out.flush();
        return report.exitCode();
    }

    /**
     * The checks at the start of run and drill, made while the caller holds the state lock (so a second run started
     * meanwhile is refused before it probes): FAIL and WARN lines on stderr; throws (exit 1) when the run may not start.
     * Sources are listed for their size only when a move writes to a local target (the free-space check).
     */
    static void require(Plan plan, String command) {
        PreflightReport report = Preflight.run(plan, Inventory.MEASURED);
        System.err.print(report.lines(Status.FAIL, Status.WARN));
        System.err.flush();
        if (!report.ready()) {
            throw new MigratorException(ErrorCode.FAILED, "preflight found " + report.count(Status.FAIL) + " problem"
                    + (report.count(Status.FAIL) == 1 ? "" : "s") + " (FAIL lines above); nothing was started. Fix them, or "
                    + command + " with --skip-preflight to start anyway.");
        }
    }
}
