package dev.migrator.cli;

import dev.migrator.provider.Stores;
import dev.migrator.transfer.Bandwidth;
import dev.migrator.transfer.BandwidthLimitedStore;
import picocli.CommandLine.Option;

/** {@code --bwlimit}, for the commands that move object bytes (copy, bundle create and restore). */
final class BandwidthArgs {
    @Option(names = "--bwlimit", paramLabel = "RATE",
            description = "Read object bytes at most at RATE per second, all transfers together, e.g. 10M or 500KiB/s "
                    + "(K/M/G powers of 1024, kB/MB/GB of 1000). Server-side copies and databases are not limited. Default: no limit.")
    String bwlimit;

    /**
     * Wraps every object store opened until the returned registration is closed in one shared
     * {@link BandwidthLimitedStore} limit on reads (every byte a copy or a bundle moves is read once); without
     * {@code --bwlimit}, nothing. A malformed rate is bad input.
     */
    Stores.Registration register() {
        if (bwlimit == null) {
            return () -> { };
        }
        Bandwidth limit = Bandwidth.parse(bwlimit, "--bwlimit");
        return Stores.register((store, options) -> new BandwidthLimitedStore(store, limit, false));
    }
}
