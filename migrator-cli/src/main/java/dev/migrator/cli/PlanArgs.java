package dev.migrator.cli;

import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.provider.MigratorException;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The plan file and its run's state (a directory, or a URI shared by workers), as {@code run}, {@code drill}, {@code status} take them. */
final class PlanArgs {
    @Parameters(index = "0", paramLabel = "PLAN", description = "The plan file (YAML).")
    Path file;

    @Option(names = "--state", paramLabel = "DIR|URI",
            description = {"The run's journal, frozen plan and report. Default: PLAN.state beside the plan.",
                "With workers (worker, run --workers): s3://bucket/prefix, gs://bucket/prefix or file:///shared/volume,"
                    + " which every worker reaches."})
    String state;

    Plan parse() {
        return PlanParser.parse(file);
    }

    /** Whether {@code --state} names an object store (s3://, gs://), which only workers can use. */
    boolean stateIsRemote() {
        return state != null && state.contains("://") && !state.startsWith("file:");
    }

    /** {@code --state} as a local directory (a path or file:// URI), else {@code PLAN.state} beside the plan. */
    Path stateDir() {
        if (state == null) {
            return PlanRunner.defaultState(file);
        }
        if (stateIsRemote()) {
            throw MigratorException.badInput("--state " + dev.migrator.provider.Redaction.uri(state) + ": a run in one process keeps"
                    + " its state in a local directory; to share it through a store, run with --workers N");
        }
        return state.startsWith("file:") ? Path.of(URI.create(state)) : Path.of(state);
    }

    /** {@code --state} as workers share it: any URI or path; without one, PLAN.state beside the plan. */
    String sharedState() {
        return state != null ? state : stateDir().resolve("shared").toString(); // apart from a one-process run's files
    }
}
