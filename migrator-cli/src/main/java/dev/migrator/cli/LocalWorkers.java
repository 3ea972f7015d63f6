package dev.migrator.cli;

import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.executor.Executor;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanOverlaps;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.report.PlanOutput;
import dev.migrator.plan.report.RunReport;
import dev.migrator.plan.shared.SharedRun;
import dev.migrator.plan.shared.StoreState;
import dev.migrator.plan.steps.StandardSteps;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code migrator run PLAN --workers N}: freezes the plan in the shared state, starts N local {@code migrator worker}
 * processes on it, shows one progress line for all of them, and reports from the shared state as a one-process run
 * does (same summary, report files and exit codes). Ctrl-C stops the workers, which release their units.
 */
final class LocalWorkers {
    private LocalWorkers() {
    }

    static RunReport run(Plan plan, PlanArgs args, int workers, String phase, Set<Phase> phases, OutputArgs output) {
        if (workers < 1 || workers > 256) {
            throw MigratorException.badInput("--workers " + workers + ": expected 1 to 256");
        }
        PlanOverlaps.refuse(plan, true);
        Instant started = Instant.now();
        String uri = args.sharedState();
        Path reportDir = args.stateIsRemote() ? PlanRunner.defaultState(plan.file()) : Path.of(uri.startsWith("file:")
                ? java.net.URI.create(uri).getPath() : uri);
        try (StoreState state = StoreState.open(uri)) {
            PlanRunner.Frozen frozen = SharedRun.freeze(plan, state, StandardSteps.kinds()); // once, before the workers race
            int steps = (int) frozen.steps().stream().filter(s -> phases.contains(s.phase())).count();
            List<Process> processes = new ArrayList<>();
            AtomicReference<String> line = new AtomicReference<>("workers: starting " + workers);
            Thread hook = new Thread(() -> processes.forEach(Process::destroy), "stop-workers"); // SIGTERM: they release
            Runtime.getRuntime().addShutdownHook(hook);
            boolean interrupted = false;
            try (StatusLine status = new StatusLine(System.err, output.showProgress(), 1000, line::get)) {
                for (int i = 0; i < workers; i++) {
                    processes.add(start(args, uri, i, workers, phase, reportDir));
                }
                while (processes.stream().anyMatch(Process::isAlive)) {
                    long alive = processes.stream().filter(Process::isAlive).count();
                    long done = state.list("done/").size();
                    line.set(String.format(java.util.Locale.ROOT, "workers: %d running, %d/%d steps done, %s", alive,
                            Math.min(done, steps), steps, dev.migrator.plan.report.Format.duration(
                                    Duration.between(started, Instant.now()).toMillis() / 1000.0)));
                    processes.get(0).waitFor(1, TimeUnit.SECONDS);
                }
                for (Process p : processes) {
                    interrupted |= p.exitValue() == ErrorCode.INTERRUPTED.exitCode() || p.exitValue() == 143;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                processes.forEach(Process::destroy);
                interrupted = true;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running
                }
            }
            double wall = Duration.between(started, Instant.now()).toMillis() / 1000.0;
            Executor.Result result = SharedRun.outcomes(frozen, phases, state, StandardSteps.kinds(), wall, interrupted);
            double estimate = (phases.contains(Phase.PRESYNC) ? frozen.presync() : 0) + (phases.contains(Phase.CUTOVER) ? frozen.cutover() : 0);
            RunReport report = new RunReport(plan.name(), false, List.copyOf(phases), result, estimate,
                    phases.contains(Phase.CUTOVER) ? frozen.cutover() : 0, RunReport.freezeWindow(result),
                    PlanOutput.verdict(plan, null, wall, started), List.of("run by " + workers + " workers sharing " + state.describe()));
            report.write(reportDir);
            if (output.json) {
                System.out.println(Json.write(report.json()));
            } else {
                System.out.print(report.summary());
                System.out.println("Report: " + reportDir.resolve("report.md") + " and report.json; worker logs: "
                        + reportDir.resolve("worker-N.log"));
            }
            return report;
        }
    }

    /**
     * The run's own JVM options (the launcher's class archive, heap, JIT settings), for its workers: all but those one
     * process at a time may use (the launcher's training run's class list or archive, a flight recording's file, a debugger's port).
     */
    static List<String> jvmOptions() {
        return forWorkers(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    static List<String> forWorkers(List<String> jvmOptions) {
        return jvmOptions.stream()
                .filter(o -> !o.startsWith("-XX:ArchiveClassesAtExit") && !o.startsWith("-XX:DumpLoadedClassList")
                        && !o.startsWith("-XX:AOTMode=record") && !o.startsWith("-XX:AOTConfiguration")
                        && !o.startsWith("-XX:StartFlightRecording")
                        && !o.startsWith("-agentlib:jdwp") && !o.startsWith("-Xrunjdwp"))
                .toList();
    }

    private static Process start(PlanArgs args, String uri, int index, int workers, String phase, Path logs) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(jvmOptions());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "worker", args.file.toString(),
                "--state", uri, "--index", Integer.toString(index), "--workers", Integer.toString(workers), "-q"));
        if (phase != null) {
            cmd.addAll(List.of("--phase", phase));
        }
        try {
            Path log = logs.resolve("worker-" + index + ".log");
            java.nio.file.Files.createDirectories(log.getParent());
            return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (java.io.IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot start worker " + index + ": " + e.getMessage(), e);
        }
    }
}
