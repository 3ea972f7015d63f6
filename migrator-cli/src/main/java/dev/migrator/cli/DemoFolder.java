package dev.migrator.cli;

import dev.migrator.provider.FileTrees;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's folder (the new host's parent): the plan, its state, the new host, the drill scratch and the hooks'
 * flags. Each demo starts clean, so that running it again works: what an earlier demo left is removed, but only
 * when that demo's marker ({@value #MARKER}) says the demo made it, and only the names the demo writes. A folder
 * holding any of those names without the marker is someone else's and is refused, never emptied.
 */
final class DemoFolder {
    static final String MARKER = ".migrator-demo";
    /** First line of the plan every demo writes; a folder from a demo older than the marker is recognised by it. */
    static final String PLAN_HEADER = "# Written by 'migrator demo'.";

    private final Path home;
    private final List<String> names;

    DemoFolder(Path newHost) {
        this.home = newHost.getParent();
        this.names = List.of("exit.yaml", "exit.yaml.state", newHost.getFileName().toString(), "drill-scratch",
                "app-read-only.flag", "dns.flag");
    }

    Path home() {
        return home;
    }

    /**
     * Removes what an earlier demo made here and marks the folder as the demo's; returns the names removed
     * (empty on a first run).
     *
     * @throws MigratorException (bad input) when the folder holds one of the demo's names but was not made by the demo
     */
    List<String> startClean() throws IOException {
        Files.createDirectories(home);
        List<String> present = new ArrayList<>();
        for (String n : names) {
            if (Files.exists(home.resolve(n), LinkOption.NOFOLLOW_LINKS)) {
                present.add(n);
            }
        }
        if (!present.isEmpty() && !madeByTheDemo()) {
            throw MigratorException.badInput(home.resolve(present.get(0)) + " already exists and was not made by 'migrator demo' (no "
                    + MARKER + " in " + home + "): give the demo an empty folder with --to DIR/new-host, or move it away");
        }
        // The marker goes first: if this run is stopped, the next one still knows these files are the demo's.
        Files.writeString(home.resolve(MARKER), "This folder was written by 'migrator demo', which removes the files it made here "
                + "when it runs again:\n" + String.join("\n", names) + "\n", StandardCharsets.UTF_8);
        for (String n : present) {
            FileTrees.delete(home.resolve(n)); // a link is removed as a link, never followed
        }
        return present;
    }

    private boolean madeByTheDemo() throws IOException {
        if (Files.isRegularFile(home.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        Path plan = home.resolve("exit.yaml");
        if (!Files.isRegularFile(plan, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (var lines = Files.lines(plan, StandardCharsets.UTF_8)) {
            return lines.findFirst().orElse("").startsWith(PLAN_HEADER);
        } catch (java.io.UncheckedIOException e) {
            return false; // not text: not the demo's plan
        }
    }
}
