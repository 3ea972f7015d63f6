package dev.migrator.cli;

import dev.migrator.plan.model.Plan;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.shared.StoreState;
import dev.migrator.plan.shared.Worker;
import dev.migrator.plan.steps.StandardSteps;
import dev.migrator.provider.Durations;
import dev.migrator.provider.MigratorException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "worker", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run a plan's units together with other workers (local processes, or a Kubernetes Job's pods).",
            "Through shared state it claims a unit whose dependencies are done (this index's own first, then any),",
            "runs it, records its result and repeats; it exits when no unit is left. A unit whose worker died is taken over",
            "when its lease expires and resumed from its journal. Exit 0 when every unit is done."})
final class WorkerCommand implements Callable<Integer> {
    @Mixin
    PlanArgs plan;

    @Option(names = "--index", paramLabel = "I",
            description = "This worker's index: its own units are tried first. Default: $JOB_COMPLETION_INDEX, else 0.")
    Integer index;

    @Option(names = "--workers", paramLabel = "N",
            description = "How many indices share the units (unit k belongs to index k mod N). Default: one index per unit.")
    Integer workers;

    @Option(names = "--phase", paramLabel = "PHASE", description = "Run one phase only: presync or cutover. Default: both.")
    String phase;

    @Option(names = "--lease", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long a claim lasts unrenewed; a dead worker's unit is taken over after it. Default: 30s.")
    String lease;

    @Option(names = "--journal-sync", paramLabel = "DURATION", defaultValue = "2s",
            description = "How often a copy's object journal is uploaded to the state. Default: 2s.")
    String journalSync;

    @Option(names = "--scratch", paramLabel = "DIR", description = "Local working space (dumps, journals). Default: a temporary folder.")
    Path scratch;

    @Mixin
    OutputArgs output;

    @Override
    public Integer call() throws Exception {
        Plan parsed = plan.parse();
        Set<Phase> phases = RunCommand.phases(phase);
        int i = index != null ? index : envIndex();
        if (i < 0 || (workers != null && (workers < 1 || i >= workers))) {
            throw MigratorException.badInput("--index " + i + ": expected 0 to " + (workers == null ? "the unit count" : workers - 1));
        }
        String holder = host() + ":" + ProcessHandle.current().pid() + "#" + i;
        Path dir = scratch != null ? scratch : Files.createTempDirectory("migrator-worker-");
        try (StoreState state = StoreState.open(plan.sharedState());
             PlanProgress progress = new PlanProgress(System.err, output.showProgress())) {
            Worker worker = new Worker(parsed, state, new Worker.Options(holder, i, workers == null ? Integer.MAX_VALUE : workers,
                    phases, Durations.parse(lease, "--lease"), Durations.parse(journalSync, "--journal-sync"),
                    Duration.ofMillis(500), dir, progress, StandardSteps.kinds()));
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                worker.cancel();
                try {
                    finished.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "interrupt");
            Runtime.getRuntime().addShutdownHook(hook);
            Worker.Result r;
            try {
                r = worker.run();
                String how = r.interrupted() ? "interrupted; its unit is released for another worker"
                        : r.allDone() ? "no unit left: the plan's selected phases are done"
                        : "no unit left it can run: some failed (see migrator status)";
                System.out.println("worker " + holder + ": ran " + r.ran() + " unit(s)" + (r.tookOver() > 0 ? ", " + r.tookOver()
                        + " taken over from a worker that stopped" : "") + "; " + how);
                System.out.flush();
            } finally {
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: the JVM exits after it
                }
            }
            return r.exitCode();
        }
    }

    private static int envIndex() {
        String env = System.getenv("JOB_COMPLETION_INDEX");
        if (env == null || env.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(env.strip());
        } catch (NumberFormatException e) {
            throw MigratorException.badInput("JOB_COMPLETION_INDEX '" + env + "': expected a whole number");
        }
    }

    private static String host() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
