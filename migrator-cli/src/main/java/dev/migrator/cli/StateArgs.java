package dev.migrator.cli;

import dev.migrator.provider.Digests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --state DIR} option of resumable commands, and the folder each run gets in it. */
final class StateArgs {
    @Option(names = "--state", paramLabel = "DIR",
            description = {"Where resumable state is kept (journals, parts being built, staged entries), in a folder per command"
                    + " and locations, locked while in use. Default: $XDG_STATE_HOME/migrator or ~/.local/state/migrator."})
    Path dir;

    /** {@code --state}, else the default state directory ({@link StateDir#root}). */
    Path root() {
        return StateDir.root(dir);
    }

    /**
     * The folder of one run, {@code KIND-<hash of id>}: the same command on the same locations finds it
     * again (to resume, or to sweep what a killed run left). {@code id} holds redacted URIs only.
     */
    Path forRun(String kind, String id) {
        return root().resolve(kind + "-" + Digests.hex(Digests.sha256().digest(id.getBytes(StandardCharsets.UTF_8))).substring(0, 16));
    }
}
