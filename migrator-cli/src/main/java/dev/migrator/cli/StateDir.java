package dev.migrator.cli;

import dev.migrator.provider.Digests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where resumable runs keep their journals: {@code --state DIR}, else
 * {@code $XDG_STATE_HOME/migrator}, else {@code ~/.local/state/migrator}. Each copy gets its own
 * folder named after its (redacted) source and target, so the same command finds its journal again.
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

    static Path copyJournal(Path explicit, String sourceDisplay, String targetDisplay) {
        String id = Digests.hex(Digests.sha256().digest((sourceDisplay + "\n" + targetDisplay).getBytes(StandardCharsets.UTF_8)))
                .substring(0, 16);
        return root(explicit).resolve("copy-" + id).resolve("journal");
    }
}
