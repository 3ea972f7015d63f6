package dev.migrator.cli;

import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.Sizes;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options every command that opens stores shares. */
final class StoreArgs {
    @Option(names = "--part-size", paramLabel = "SIZE", defaultValue = "16M",
            description = "Part size for multipart uploads, e.g. 8M, 64MiB (min 5M; K/M/G and KiB/MiB/GiB are powers of 1024, MB/GB powers of 1000). Default: ${DEFAULT-VALUE}.")
    String partSize;

    @Option(names = "--part-concurrency", paramLabel = "N", defaultValue = "4",
            description = "Parts of one large object uploaded at once. Default: ${DEFAULT-VALUE}.")
    int partConcurrency;

    @Mixin
    RetryArgs retries;

    Retry retry() {
        return retries.retry();
    }

    StoreOptions options() {
        return new StoreOptions(Sizes.parse(partSize, "--part-size"), partConcurrency, retry());
    }

    /** The store {@code location} names, from the registry: already retried with {@link #retry()} (see {@link Stores}). */
    ObjectStore open(String location) {
        return open(location, options());
    }

    /** The store {@code location} (a URI or a local path) names, from the registry, opened with {@code options}. */
    static ObjectStore open(String location, StoreOptions options) {
        Main.Warmup.await(); // the store's client would otherwise set up TLS while the warm-up does
        return Stores.open(toUri(location), options);
    }

    /** A URI as given, or a plain local path turned into a {@code file://} URI. */
    static String toUri(String location) {
        if (location.contains("://") || location.startsWith("file:")) {
            return location;
        }
        return Path.of(location).toAbsolutePath().normalize().toUri().toString();
    }
}
