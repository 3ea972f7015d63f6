package dev.migrator.cli;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Retry;
import picocli.CommandLine.Option;

/** The {@code --retries N} option of every command that talks to stores. */
final class RetryArgs {
    @Option(names = "--retries", paramLabel = "N", defaultValue = "8",
            description = "Attempts per operation on throttling, resets and 5xx. Default: ${DEFAULT-VALUE}.")
    int retries;

    Retry retry() {
        if (retries < 1) {
            throw MigratorException.badInput("--retries must be at least 1");
        }
        return new Retry(retries, Retry.DEFAULT.firstDelay(), Retry.DEFAULT.maxDelay());
    }
}
