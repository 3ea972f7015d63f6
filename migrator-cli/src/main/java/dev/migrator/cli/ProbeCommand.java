package dev.migrator.cli;

import dev.migrator.plan.model.Calibration;
import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Move;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Rehearsal;
import dev.migrator.provider.Database;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Redaction;
import dev.migrator.provider.Sizes;
import dev.migrator.provider.Stores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "probe", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Measure endpoints for the planner's throughput model.",
            "Per-request latency (small objects) and stream throughput (large objects), at one stream and at N at once,",
            "where N streams reaching clearly less than N times one show the endpoint's request limit or bandwidth.",
            "Reads always; writes only with --write, on a scratch prefix deleted afterwards (also on failure or Ctrl-C).",
            "probe URI prints the figures to paste under the location in the plan file;",
            "probe PLAN probes every location of the plan and writes a calibration file for 'plan --calibration FILE'.",
            "With --write, probe PLAN also times copies through each move (reading its source, writing its target at once).",
            "probe PLAN --from-run STATE: the starts of its steps measured in a rehearsal drill of the plan, into the file.",
            "Databases: their size from the catalog; probe PLAN times a dump of a sample of each database move's largest",
            "table (its source's stream:) and, with --write, its restore into a scratch schema it drops (the target's write-stream:)."})
final class ProbeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URI|PLAN", description = "An object store or database URI, or a plan file (YAML).")
    String uri;

    @Option(names = "--bytes", paramLabel = "SIZE", defaultValue = "64M",
            description = "Bytes to move to time streams, at one stream and at N. Default: ${DEFAULT-VALUE}.")
    String bytes;

    @Option(names = "--objects", paramLabel = "N", defaultValue = "50", description = "Small requests to time. Default: ${DEFAULT-VALUE}.")
    int objects;

    @Option(names = "--concurrency", paramLabel = "N",
            description = "Streams at once for the second measurement. Default: for a plan, each location's largest move"
                    + " parallelism; for a URI, 8.")
    Integer concurrency;

    @Option(names = "--write", description = "Also measure writes (a plan: at its targets), on a scratch prefix that is deleted afterwards.")
    boolean write;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "probe PLAN: write the calibration file here (default: print it).")
    Path output;

    @Option(names = "--from-run", paramLabel = "STATE",
            description = {"probe PLAN: instead of probing, read a rehearsal drill of PLAN (its --state, or STATE/drill) and write",
                "each target's measured step starts (copy-start, delta-start, verify-start); nothing is contacted."})
    Path fromRun;

    @Option(names = "--calibration", paramLabel = "FILE",
            description = "With --from-run: the calibration file to add the starts to (its figures are kept).")
    Path calibration;

    @Mixin
    StoreArgs store;

    @Override
    public Integer call() throws IOException {
        if (isPlan()) {
            Plan plan = PlanParser.parse(Path.of(uri));
            return fromRun != null ? fromRun(plan) : probePlan(plan);
        }
        if (fromRun != null || calibration != null) {
            throw MigratorException.badInput("--from-run and --calibration are for probe PLAN (a plan file), not a URI");
        }
        if (output != null) {
            throw MigratorException.badInput("-o is for probe PLAN (a calibration file); for one URI, paste the printed lines");
        }
        String u = StoreArgs.toUri(uri);
        Probed p = probe(u, concurrency != null ? concurrency : 8, write);
        System.out.print(p.log);
        System.out.print(p.figures.yaml(""));
        return 0;
    }

    private boolean isPlan() {
        String l = uri.toLowerCase(Locale.ROOT);
        return !uri.contains("://") && (l.endsWith(".yaml") || l.endsWith(".yml")) && Files.isRegularFile(Path.of(uri));
    }

    private record Probed(Calibration figures, String log) {
    }

    private Probed probe(String u, int streams, boolean writes) {
        if (streams < 1) {
            throw MigratorException.badInput("--concurrency " + streams + ": expected 1 or more");
        }
        if (Stores.isDatabase(u)) {
            try (Database db = Stores.database(u)) {
                long t = System.nanoTime();
                Database.Inventory inv = db.inventory();
                double s = (System.nanoTime() - t) / 1e9;
                return new Probed(Calibration.NONE, String.format(Locale.ROOT,
                        "# %s: %s engine, %s in %d tables (catalog read in %.2f s); dump and restore rates: probe a plan of its move%n",
                        db.displayUri(), db.engine(), Sizes.format(inv.bytes()), inv.tables().size(), s));
            }
        }
        try (ObjectStore s = store.open(u)) {
            EndpointProbe probe = new EndpointProbe(s, objects, Sizes.parse(bytes, "--bytes"), streams);
            Calibration figures = probe.reads();
            if (writes) {
                figures = figures.with(probe.writes());
            }
            figures = figures.with(probe.start(() -> store.open(u)));
            return new Probed(figures, "# " + Redaction.uri(s.displayUri()) + " at 1 and " + streams + " streams\n" + probe.log());
        }
    }

    private int probePlan(Plan plan) throws IOException {
        StringBuilder file = new StringBuilder("# Calibration of ").append(plan.file()).append(" by 'migrator probe', ")
                .append(Instant.now()).append(".\n# Use it with 'migrator plan ").append(plan.file())
                .append(" --calibration FILE', or paste a location's figures into its section of the plan.\n");
        if (calibration != null) {
            throw MigratorException.badInput("--calibration is for probe PLAN --from-run (the file the rehearsed starts are added to)");
        }
        java.util.Map<String, Calibration> figures = new java.util.LinkedHashMap<>();
        for (Location l : plan.locations().values()) {
            boolean target = plan.moves().stream().anyMatch(m -> m.to().equals(l.name()));
            if (l.database() && plan.moves().stream().noneMatch(m -> m.from().equals(l.name()))) {
                // A target database need not exist before the run: its restore rate comes from its moves' samples below.
                file.append("# ").append(l.name()).append(": a target database, probed through its moves\n");
                continue;
            }
            int streams = concurrency != null ? concurrency : plan.moves().stream()
                    .filter(m -> m.from().equals(l.name()) || m.to().equals(l.name())).mapToInt(Move::parallelism).max().orElse(8);
            System.err.println("probing " + l.name() + " (" + Redaction.uri(l.uri()) + ") at 1 and " + streams + " streams"
                    + (write && target ? ", reads and writes" : ", reads"));
            Probed p = probe(l.uri(), streams, write && target);
            file.append(p.log.replace("\n#   ", "\n#   " + l.name() + ": "));
            figures.put(l.name(), p.figures);
        }
        for (Move m : plan.moves()) {
            if (plan.location(m.from()).database()) {
                System.err.println("probing dump" + (write ? " and restore" : "") + " rates of " + m.name());
                DatabaseProbe.Result r = DatabaseProbe.probe(plan, m, write);
                file.append(r.log());
                figures.merge(m.from(), r.source(), Calibration::with);
                figures.merge(m.to(), r.target(), Calibration::with);
            }
        }
        if (!write) {
            file.append("# Writes were not measured (probe with --write): the targets' write figures stay the plan's or defaults.\n");
        }
        if (write) {
            for (Move m : plan.moves()) {
                Location from = plan.location(m.from());
                Location to = plan.location(m.to());
                if (from.database() || to.database()) {
                    continue;
                }
                System.err.println("probing copies from " + from.name() + " to " + to.name() + " at 1 and " + m.parallelism() + " streams");
                try (ObjectStore a = store.open(from.uri()); ObjectStore b = store.open(to.uri())) {
                    EndpointProbe probe = new EndpointProbe(a, objects, Sizes.parse(bytes, "--bytes"), m.parallelism());
                    Calibration copy = probe.copies(b);
                    file.append(probe.log().replace("#   ", "#   " + from.name() + " -> " + to.name() + ": "));
                    // A target of several moves keeps the slowest copy: the figure must hold for each of them.
                    Calibration had = figures.getOrDefault(to.name(), Calibration.NONE);
                    if (had.copyStream() == null || (copy.copyStream() != null && copy.copyStream() < had.copyStream())) {
                        figures.put(to.name(), had.with(copy));
                    }
                }
            }
        }
        return write(plan, file, figures);
    }

    /** The calibration file: {@code head} (comments), then each location's figures; to -o, else printed. */
    private int write(Plan plan, StringBuilder head, java.util.Map<String, Calibration> figures) throws IOException {
        StringBuilder body = new StringBuilder("locations:\n");
        figures.forEach((name, f) -> {
            if (!f.isEmpty()) {
                body.append("  ").append(name).append(":\n").append(f.yaml("    "));
            }
        });
        String text = head.append(body.toString().equals("locations:\n") ? "locations: {}\n" : body).toString();
        if (output == null) {
            System.out.print(text);
        } else {
            Files.writeString(output, text);
            System.out.println("Calibration of " + plan.locations().size() + " locations written to " + output
                    + "; plan with: migrator plan " + plan.file() + " --calibration " + output);
        }
        return 0;
    }

    /**
     * The starts a rehearsal drill of {@code plan} measured ({@link Rehearsal}), added to {@code --calibration}'s figures.
     * The drill must have run the plan with the figures the real plan uses, pasted into the plan: its estimates are what
     * the model attributes to each step's work.
     */
    private int fromRun(Plan plan) throws IOException {
        Path dir = Files.isRegularFile(fromRun.resolve("plan.json")) ? fromRun : fromRun.resolve("drill");
        StatusCommand.Replay r = Files.isRegularFile(dir.resolve("plan.json")) ? StatusCommand.replay(plan, dir, Instant.now()) : null;
        if (r == null) {
            throw MigratorException.badInput("--from-run " + fromRun + ": no run of " + plan.file() + " there (no plan.json and journal"
                    + " in it or in its drill/); rehearse first: migrator drill " + plan.file() + " --state " + fromRun);
        }
        java.util.Map<String, Double> took = r.live().took();
        if (took.isEmpty()) {
            throw MigratorException.badInput("--from-run " + fromRun + ": the run finished no step; let the rehearsal drill run to its end");
        }
        java.util.Map<String, Calibration> figures = new java.util.LinkedHashMap<>(
                calibration == null ? java.util.Map.of() : PlanParser.calibration(calibration, plan));
        Rehearsal.Fit fit = Rehearsal.fit(plan, r.steps(), took);
        java.util.Map<String, Calibration> starts = fit.starts();
        StringBuilder head = new StringBuilder("# Calibration of ").append(plan.file()).append(" by 'migrator probe --from-run ")
                .append(fromRun).append("', ").append(Instant.now()).append(".\n# Step starts measured in the rehearsal (")
                .append(took.size()).append(" steps finished): measured time minus the work the model attributes to it.\n");
        if (calibration != null) {
            head.append("# Other figures from ").append(calibration).append(".\n");
        }
        fit.notes().forEach(n -> head.append("# Note: ").append(n).append('\n'));
        starts.forEach((name, s) -> {
            head.append("#   ").append(name).append(": ").append(s.yaml("").trim().replace("\n", ", ")).append('\n');
            figures.merge(name, s, Calibration::with);
        });
        return write(plan, head, figures);
    }
}
