package dev.migrator.cli;

import picocli.CommandLine.Option;

/** The output options every command that reports shares: {@code --json} and {@code -q/--quiet}. */
final class OutputArgs {
    @Option(names = "--json", description = "Print a JSON document on stdout instead of text.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress display.")
    boolean quiet;

    /** Whether a progress display is shown (on stderr): not with --json or --quiet. */
    boolean showProgress() {
        return !json && !quiet;
    }

    /** The progress display of an object-store run, {@code verb} naming what it does ("Copying"). */
    ConsoleProgress progress(String verb) {
        return new ConsoleProgress(System.err, verb, showProgress());
    }
}
