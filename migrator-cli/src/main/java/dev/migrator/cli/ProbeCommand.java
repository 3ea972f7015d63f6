package dev.migrator.cli;

import dev.migrator.plan.model.Calibration;
import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Move;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
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
            "Databases: their size from the catalog (dump and restore rates are not probed)."})
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

    @Mixin
    StoreArgs store;

    @Override
    public Integer call() throws IOException {
        if (isPlan()) {
            return probePlan(PlanParser.parse(Path.of(uri)));
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
                        "# %s: %s engine, %s in %d tables (catalog read in %.2f s); dump and restore rates are not probed%n",
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
        StringBuilder body = new StringBuilder("locations:\n");
        for (Location l : plan.locations().values()) {
            boolean target = plan.moves().stream().anyMatch(m -> m.to().equals(l.name()));
            int streams = concurrency != null ? concurrency : plan.moves().stream()
                    .filter(m -> m.from().equals(l.name()) || m.to().equals(l.name())).mapToInt(Move::parallelism).max().orElse(8);
            System.err.println("probing " + l.name() + " (" + Redaction.uri(l.uri()) + ") at 1 and " + streams + " streams"
                    + (write && target ? ", reads and writes" : ", reads"));
            Probed p = probe(l.uri(), streams, write && target);
            file.append(p.log.replace("\n#   ", "\n#   " + l.name() + ": "));
            if (!p.figures.isEmpty()) {
                body.append("  ").append(l.name()).append(":\n").append(p.figures.yaml("    "));
            }
        }
        if (!write) {
            file.append("# Writes were not measured (probe with --write): the targets' write figures stay the plan's or defaults.\n");
        }
        String text = file.append(body.toString().equals("locations:\n") ? "locations: {}\n" : body).toString();
        if (output == null) {
            System.out.print(text);
        } else {
            Files.writeString(output, text);
            System.out.println("Calibration of " + plan.locations().size() + " locations written to " + output
                    + "; plan with: migrator plan " + plan.file() + " --calibration " + output);
        }
        return 0;
    }
}
