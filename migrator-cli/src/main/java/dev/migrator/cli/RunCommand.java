package dev.migrator.cli;

import dev.migrator.metrics.Metrics;
import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.executor.Executor;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.report.RunReport;
import dev.migrator.plan.steps.StandardSteps;
import dev.migrator.provider.MigratorException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run a plan: the pre-copy while the old system is live, then the cut-over.",
            "The cut-over runs the freeze hook, the delta, the final database copy, verify and the switch hook,",
            "in parallel within the plan's limits.",
            "After a crash, kill -9 or Ctrl-C, run the same command again: finished steps are not redone.",
            "Writes report.html, report.md and report.json into the state directory."})
final class RunCommand implements Callable<Integer> {
    @Mixin
    PlanArgs plan;

    @Option(names = "--phase", paramLabel = "PHASE", description = "Run one phase only: presync or cutover. Default: both.")
    String phase;

    @Option(names = "--fail-fast", description = "Stop everything at the first failed step (default: only its dependents stop).")
    boolean failFast;

    @Option(names = "--skip-preflight", description = "Start without the checks of 'migrator preflight' (credentials, permissions, tools, settings).")
    boolean skipPreflight;

    @Option(names = "--workers", paramLabel = "N",
            description = "Run with N local worker processes sharing --state (a URI or a folder; see migrator worker).")
    Integer workers;

    @Mixin
    OutputArgs output;

    @Mixin
    MetricsArgs metrics;

    @Override
    public Integer call() {
        Plan parsed = plan.parse();
        Set<Phase> phases = phases(phase);
        Runnable preflight = skipPreflight ? () -> { } : () -> PreflightCommand.require(parsed, "run");
        if (workers != null) {
            preflight.run(); // shared state has no lock: concurrent runs' workers share the units instead
            return LocalWorkers.run(parsed, plan, workers, phase, phases, output).exitCode();
        }
        RunReport report = execute(plan.stateDir(), phases, failFast, output, metrics, parsed, null,
                options -> PlanRunner.run(parsed, options, false, null, new ArrayList<>(), preflight));
        return report.exitCode();
    }

    static Set<Phase> phases(String phase) {
        if (phase == null) {
            return EnumSet.allOf(Phase.class);
        }
        return switch (phase) {
            case "presync" -> EnumSet.of(Phase.PRESYNC);
            case "cutover" -> EnumSet.of(Phase.CUTOVER);
            default -> throw MigratorException.badInput("--phase '" + phase + "': expected presync or cutover");
        };
    }

    /**
     * Runs with console progress and Ctrl-C handling; prints the summary (or JSON) and where the report is. {@code eta}:
     * the plan whose limits and deadline (or {@code deadline}, if not null) the live ETA uses.
     */
    static RunReport execute(Path dir, Set<Phase> phases, boolean failFast, OutputArgs output, MetricsArgs metrics,
                             Plan eta, java.time.Duration deadline, Function<PlanRunner.Options, RunReport> body) {
        AtomicReference<Executor> executor = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            Executor e = executor.get();
            if (e != null) {
                e.cancel();
            }
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        // The latch opens only after the summary is printed: on Ctrl-C the JVM exits (130) right after the hook.
        try {
            RunReport report;
            try (Metrics m = metrics.start(); PlanProgress progress = new PlanProgress(System.err, output.showProgress())) {
                PlanMetrics steps = m == null ? null : new PlanMetrics(m);
                report = body.apply(new PlanRunner.Options(dir, phases, failFast, steps == null ? progress : PlanMetrics.both(progress, steps),
                        e -> {
                            executor.set(e);
                            progress.estimate(eta, deadline, e.steps());
                            if (steps != null) {
                                steps.executor(e);
                            }
                        }, StandardSteps.kinds()));
            }
            if (output.json) {
                System.out.println(Json.write(report.json()));
            } else {
                System.out.print(report.summary());
                System.out.println("Report: " + dir.resolve("report.html") + " (also report.md and report.json)");
                if (report.result().interrupted()) {
                    System.out.println("Interrupted. Run the same command again to resume.");
                }
            }
            System.out.flush();
            return report;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: the JVM exits after it
            }
        }
    }

}
