package dev.migrator.cli;

import dev.migrator.provider.Database;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.Redaction;
import dev.migrator.provider.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "probe", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Measure an endpoint, read-only, for the planner's throughput model.",
            "For an object store, one stream's read throughput and its objects per second (stat requests);",
            "for a database, its size from the catalog.",
            "Prints lines to paste under the location in the plan file."})
final class ProbeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URI", description = "An object store or database URI.")
    String uri;

    @Option(names = "--bytes", paramLabel = "SIZE", defaultValue = "64M",
            description = "Read at most this much to measure throughput. Default: ${DEFAULT-VALUE}.")
    String bytes;

    @Option(names = "--objects", paramLabel = "N", defaultValue = "50", description = "Objects to stat. Default: ${DEFAULT-VALUE}.")
    int objects;

    @Mixin
    StoreArgs store;

    @Override
    public Integer call() throws IOException {
        String u = StoreArgs.toUri(uri);
        if (Stores.isDatabase(u)) {
            try (Database db = Stores.database(u)) {
                long t = System.nanoTime();
                Database.Inventory inv = db.inventory();
                double s = (System.nanoTime() - t) / 1e9;
                System.out.printf(Locale.ROOT, "# %s: %s engine, %s in %d tables (catalog read in %.2f s)%n", db.displayUri(),
                        db.engine(), Sizes.format(inv.bytes()), inv.tables().size(), s);
                System.out.printf(Locale.ROOT, "size: %dB%n", inv.bytes());
            }
            return 0;
        }
        long budget = Sizes.parse(bytes, "--bytes");
        try (ObjectStore s = store.open(u)) {
            List<ObjectInfo> sample = new ArrayList<>();
            long t0 = System.nanoTime();
            try (Stream<ObjectInfo> listing = s.list("")) {
                listing.limit(Math.max(objects, 1000)).forEach(sample::add);
            }
            double listSeconds = (System.nanoTime() - t0) / 1e9;
            if (sample.isEmpty()) {
                System.out.println("# " + s.displayUri() + " has no objects: nothing to measure");
                return 0;
            }
            long t1 = System.nanoTime();
            int stats = 0;
            for (ObjectInfo o : sample.subList(0, Math.min(objects, sample.size()))) {
                s.stat(o.key());
                stats++;
            }
            double requests = stats / ((System.nanoTime() - t1) / 1e9);
            List<ObjectInfo> largest = new ArrayList<>(sample);
            largest.sort(Comparator.comparingLong(ObjectInfo::size).reversed());
            long read = 0;
            long t2 = System.nanoTime();
            byte[] buf = new byte[1 << 16];
            for (ObjectInfo o : largest) {
                if (read >= budget) {
                    break;
                }
                try (InputStream in = s.open(o.key(), 0, Math.min(o.size(), budget - read))) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        read += n;
                    }
                }
            }
            double readSeconds = (System.nanoTime() - t2) / 1e9;
            long stream = readSeconds > 0 ? (long) (read / readSeconds) : 0;
            System.out.printf(Locale.ROOT, "# %s: listed %d objects in %.2f s; %d stats in %.2f s; read %s in %.2f s with one stream%n",
                    Redaction.uri(s.displayUri()), sample.size(), listSeconds, stats, stats / requests, Sizes.format(read), readSeconds);
            System.out.printf(Locale.ROOT, "stream: %.1fMiB/s%n", stream / 1048576.0);
            System.out.printf(Locale.ROOT, "requests: %.0f/s%n", requests);
        }
        return 0;
    }
}
