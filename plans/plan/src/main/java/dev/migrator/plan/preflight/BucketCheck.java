package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Move;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.plan.planner.RestoreParams;
import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Redaction;
import dev.migrator.provider.Sizes;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the buckets hold beyond their objects' bytes: each bucket's versioning, stated with which versions its moves
 * carry ({@code versions:}), so an operator moving a versioned bucket knows whether its history goes too; a move of
 * versions whose ends cannot hold them: FAIL ({@code versions: all} onto a target that does not keep versions, where each
 * put would replace the last; a versioned move from a store without versions); and a source's archived objects, which
 * cannot be read until restored: FAIL while the move has made no choice ({@code archived: fail}, the default), WARN
 * naming what {@code skip} or {@code restore} will do. Stores that the access check could not open are left to its FAIL
 * line.
 */
final class BucketCheck implements Check {

    @Override
    public String name() {
        return "buckets";
    }

    @Override
    public void run(PreflightContext ctx, Consumer<Finding> out) {
        for (Location l : ctx.locations(false)) {
            String subject = (ctx.isSource(l) ? "source " : "target ") + l.name();
            ObjectStore store;
            try {
                store = ctx.store(l.uri());
            } catch (MigratorException e) {
                continue;
            }
            versioning(store, subject, ctx.movesOf(l), out);
            versionsFit(store, l, ctx.movesOf(l), subject, out);
            if (!ctx.isSource(l) || store.archive().isEmpty()) {
                continue;
            }
            for (Move m : ctx.movesOf(l)) {
                if (m.from().equals(l.name()) && m.versions().versioned()) {
                    // A version listing carries no storage class: an archived version is found only when read.
                    out.accept(new Finding(name(), subject, Status.WARN, "move " + m.name() + ": archived versions are not"
                            + " looked for when a move takes " + (m.versions().all() ? "all versions" : "versions-at")
                            + " (the version listing names no storage class); a version that must be restored first fails"
                            + " its key in the copy, named in the step's report: restore such versions before the run"));
                } else if (m.from().equals(l.name())) {
                    ctx.inventory(m).filter(Inventory::measured).ifPresent(inv -> archived(m, inv, subject, out));
                }
            }
        }
    }

    private void versioning(ObjectStore store, String subject, List<Move> moves, Consumer<Finding> out) {
        Optional<BucketSettings.Access> access = store.bucketSettings();
        if (access.isEmpty()) {
            return;
        }
        String shown = Redaction.uri(store.displayUri());
        try {
            BucketSettings s = access.get().read();
            if (s.versioning() == null) {
                out.accept(new Finding(name(), subject, Status.OK, shown + ": bucket versioning unknown: "
                        + s.notes().stream().filter(n -> n.contains("versioning")).findFirst().orElse("not reported")
                        + moved(moves)));
            } else {
                out.accept(new Finding(name(), subject, Status.OK, shown + ": bucket versioning "
                        + s.versioning().name().toLowerCase(Locale.ROOT)
                        + (s.versioning() == BucketSettings.Versioning.OFF ? "" : moved(moves))));
            }
        } catch (MigratorException e) {
            out.accept(new Finding(name(), subject, Status.WARN, shown + ": cannot read the bucket's settings: " + e.getMessage()
                    + "; grant read of the bucket configuration to see versioning, CORS and lifecycle before the move"));
        }
    }

    /** Which versions the bucket's moves carry: "; moves: media takes only the latest version of each object (...)". */
    private static String moved(List<Move> moves) {
        StringBuilder b = new StringBuilder();
        for (Move m : moves) {
            b.append(b.length() == 0 ? "; moves: " : ", ").append(m.name()).append(" takes ").append(m.versions().describe());
            if (!m.versions().versioned()) {
                b.append(" (set 'versions: all' on the move for the history)");
            }
        }
        return b.toString();
    }

    /**
     * A versioned move's ends: the source must keep versions to have any, and for {@code versions: all} the target must
     * keep them now, else the history collapses into its last version. The copy step refuses the same before writing.
     */
    private void versionsFit(ObjectStore store, Location l, List<Move> moves, String subject, Consumer<Finding> out) {
        String shown = Redaction.uri(store.displayUri());
        for (Move m : moves) {
            if (m.from().equals(l.name()) && m.versions().versioned() && !store.capabilities().versions()) {
                out.accept(new Finding(name(), subject, Status.FAIL, "move " + m.name() + ": source " + l.name() + " (" + shown
                        + ") does not keep object versions, so there are none to move; remove 'versions'/'versions-at' from the move"));
            }
            if (!m.to().equals(l.name()) || !m.versions().all()) {
                continue;
            }
            boolean keeps;
            try {
                keeps = store.capabilities().versions() && store.keepsVersions();
            } catch (MigratorException e) {
                out.accept(new Finding(name(), subject, Status.WARN, "move " + m.name() + ": cannot tell whether target " + l.name()
                        + " (" + shown + ") keeps object versions: " + e.getMessage() + "; the copy refuses it if it does not"));
                continue;
            }
            if (keeps) {
                out.accept(new Finding(name(), subject, Status.OK, "move " + m.name() + ": target " + l.name()
                        + " keeps object versions, so 'versions: all' recreates each history there"));
            } else {
                out.accept(new Finding(name(), subject, Status.FAIL, "move " + m.name() + ": 'versions: all' needs target "
                        + l.name() + " (" + shown + ") to keep object versions, and it does not (each put would replace the last);"
                        + " enable versioning on it (S3: aws s3api put-bucket-versioning --bucket NAME --versioning-configuration"
                        + " Status=Enabled; GCS: gcloud storage buckets update gs://NAME --versioning) or set 'versions: latest'"));
            }
        }
    }

    private void archived(Move m, Inventory inv, String subject, Consumer<Finding> out) {
        if (inv.archivedObjects() == 0) {
            out.accept(new Finding(name(), subject, Status.OK, "move " + m.name() + ": no archived objects (all "
                    + inv.objects() + " can be read now)"));
            return;
        }
        StringBuilder found = new StringBuilder();
        inv.archivedClasses().forEach((cls, c) -> found.append(found.length() == 0 ? "" : ", ").append(c.objects())
                .append(" objects (").append(Sizes.format(c.bytes())).append(") in ").append(cls));
        Move.Archived a = m.archived();
        switch (a.choice()) {
            case FAIL -> out.accept(new Finding(name(), subject, Status.FAIL, "move " + m.name() + ": " + found
                    + " cannot be read until restored; set 'archived: restore' (a restore step of hours before the copy)"
                    + " or 'archived: skip' (left out, listed as not moved) on the move"));
            case SKIP -> out.accept(new Finding(name(), subject, Status.WARN, "move " + m.name() + ": " + found
                    + " will be left out (archived: skip) and listed as not moved"));
            case RESTORE -> {
                double hours = inv.archivedClasses().keySet().stream().mapToDouble(c -> RestoreParams.hours(c, a.speed())).max().orElse(0);
                out.accept(new Finding(name(), subject, Status.WARN, "move " + m.name() + ": " + found + " will be restored first ("
                        + a.speed().name().toLowerCase(Locale.ROOT) + ", up to " + (hours < 1 ? Math.round(hours * 60) + " min"
                        : Math.round(hours) + " h") + ", readable for " + a.days() + " days); the restore is billed per request and GB"));
            }
        }
    }
}
