package dev.migrator.cli;

import java.nio.file.Path;

/**
 * Where resumable runs keep their journals: {@code --state DIR}, else
 * {@code $XDG_STATE_HOME/migrator}, else {@code ~/.local/state/migrator}. Each run gets its own
 * folder in it ({@link StateArgs#forRun}), so the same command finds its journal again.
 */
final class StateDir {
    private StateDir() {
    }

    static Path root(Path explicit) {
        if (explicit != null) {
            return explicit;
        }
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("migrator");
    }
}
