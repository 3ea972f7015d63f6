package dev.migrator.cli;

import picocli.CommandLine.Option;

/** The output options every command that reports shares: {@code --json}, {@code -q/--quiet} and {@code --log-format}. */
final class OutputArgs {
    @Option(names = "--json", description = "Print a JSON document on stdout instead of text.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress display.")
    boolean quiet;

    @Option(names = "--log-format", paramLabel = "FORMAT",
            description = "text (default), or json: events (steps, retries, failures, the error that stops the command) as one JSON "
                    + "object per line on stderr, for CI and log shippers.")
    void logFormat(EventLog.Format format) {
        EventLog.format(format);
    }

    /** Whether a progress display is shown (on stderr): not with --json or --quiet. */
    boolean showProgress() {
        return !json && !quiet && !EventLog.json();
    }

    /** The progress display of an object-store run, {@code verb} naming what it does ("Copying"). */
    ConsoleProgress progress(String verb) {
        return new ConsoleProgress(System.err, verb, showProgress());
    }
}
