package dev.migrator.cli;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Providers;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Options every command that opens stores shares. */
final class StoreArgs {
    @Option(names = "--part-size", paramLabel = "SIZE", defaultValue = "16M",
            description = "Part size for multipart uploads, e.g. 8M, 64M (min 5M). Default: ${DEFAULT-VALUE}.")
    String partSize;

    @Option(names = "--part-concurrency", paramLabel = "N", defaultValue = "4",
            description = "Parts of one large object uploaded at once. Default: ${DEFAULT-VALUE}.")
    int partConcurrency;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "8",
            description = "Attempts per operation on throttling, resets and 5xx. Default: ${DEFAULT-VALUE}.")
    int retries;

    Retry retry() {
        if (retries < 1) {
            throw MigratorException.badInput("--retries must be at least 1");
        }
        return new Retry(retries, Retry.DEFAULT.firstDelay(), Retry.DEFAULT.maxDelay());
    }

    StoreOptions options() {
        return new StoreOptions(parseSize(partSize, "--part-size"), partConcurrency, retry());
    }

    ObjectStore open(String location) {
        return Providers.objectStore(toUri(location), options());
    }

    /** A URI as given, or a plain local path turned into a {@code file://} URI. */
    static String toUri(String location) {
        if (location.contains("://") || location.startsWith("file:")) {
            return location;
        }
        return Path.of(location).toAbsolutePath().normalize().toUri().toString();
    }

    static long parseSize(String text, String option) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        long unit = 1;
        if (!t.isEmpty() && "KMGT".indexOf(t.charAt(t.length() - 1)) >= 0) {
            unit = 1L << (10 * ("KMGT".indexOf(t.charAt(t.length() - 1)) + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw MigratorException.badInput(option + " '" + text + "' is not a size; use e.g. 16M or 1G");
        }
    }
}
