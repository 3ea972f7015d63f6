package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Move;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Redaction;
import dev.migrator.provider.Sizes;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Free space on local targets against what the moves into them carry (declared, else measured), and on a
 * dump move's local staging folder against the database's size. Less than needed is a FAIL; less than
 * {@link #MARGIN} times that, a WARN (file systems need room to breathe, and data grows while it waits).
 */
final class FreeSpaceCheck implements Check {
    static final double MARGIN = 1.1;

    @Override
    public String name() {
        return "free-space";
    }

    @Override
    public void run(PreflightContext ctx, Consumer<Finding> out) {
        for (Location l : ctx.locations(false)) {
            if (ctx.isSource(l)) {
                continue;
            }
            Optional<Path> dir;
            try {
                dir = localRoot(ctx.store(l.uri()).location());
            } catch (MigratorException e) {
                continue; // the access check says why it cannot be opened
            }
            if (dir.isPresent()) {
                long need = 0;
                for (Move m : ctx.movesOf(l)) {
                    Optional<Long> b = ctx.bytes(m);
                    if (b.isEmpty()) {
                        out.accept(new Finding(name(), "target " + l.name(), Status.WARN, "cannot tell the size of move '" + m.name()
                                + "' (no size declared, or its listing failed: see the access check); free space not compared"));
                        need = -1;
                        break;
                    }
                    need += b.get();
                }
                if (need >= 0) {
                    out.accept(compare("target " + l.name(), Redaction.uri(l.uri()), dir.get(), need));
                }
            }
        }
        for (Move m : ctx.plan().moves()) {
            if (m.via() == Move.Via.DUMP && m.staging() != null) {
                Optional<Path> dir = localRoot(m.staging());
                Optional<Long> b = ctx.bytes(m);
                if (dir.isPresent() && b.isPresent()) {
                    out.accept(compare("staging of move " + m.name(), m.staging(), dir.get(), b.get()));
                }
            }
        }
    }

    private Finding compare(String subject, String shown, Path dir, long need) {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent(); // the folder is created by the first write: its file system is the parent's
        }
        long free;
        try {
            free = Files.getFileStore(existing == null ? Path.of("/") : existing).getUsableSpace();
        } catch (IOException e) {
            return new Finding(name(), subject, Status.WARN, shown + ": cannot read the free space (" + e.getMessage() + ")");
        }
        String numbers = Sizes.format(free) + " free for " + Sizes.format(need);
        if (free < need) {
            return new Finding(name(), subject, Status.FAIL, shown + ": " + numbers + "; free " + Sizes.format(need - free)
                    + " or more there, or choose a target with room");
        }
        if (free < need * MARGIN) {
            return new Finding(name(), subject, Status.WARN, shown + ": " + numbers + ", less than 10% to spare; free some space");
        }
        return new Finding(name(), subject, Status.OK, shown + ": " + numbers);
    }

    /** The local folder a {@code file:} location or URI names. */
    static Optional<Path> localRoot(String uri) {
        if (!uri.regionMatches(true, 0, "file:", 0, 5)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(URI.create(uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
