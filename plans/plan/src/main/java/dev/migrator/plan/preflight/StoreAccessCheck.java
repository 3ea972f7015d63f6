package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Location;
import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Redaction;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Credentials, reachability and the permissions a move needs, by doing what it does: a source is listed and
 * its first object read (one byte); a target (and a bundle move's staging store) is listed, then a probe
 * object is written, read back, deleted and checked gone. The probe's name is unique, so nothing of the
 * target's is touched.
 */
final class StoreAccessCheck implements Check {
    static final String PROBE_PREFIX = ".migrator-preflight-";

    @Override
    public String name() {
        return "access";
    }

    @Override
    public void run(PreflightContext ctx, Consumer<Finding> out) {
        for (Location l : ctx.locations(false)) {
            boolean source = ctx.isSource(l);
            String subject = (source ? "source " : "target ") + l.name();
            out.accept(source ? source(ctx, subject, l.uri()) : target(ctx, subject, l.uri()));
        }
        ctx.stagingStores().forEach((move, uri) -> out.accept(target(ctx, "staging of move " + move, uri)));
    }

    private Finding source(PreflightContext ctx, String subject, String uri) {
        String shown = Redaction.uri(uri);
        try {
            ObjectStore store = ctx.store(uri);
            Optional<ObjectInfo> first;
            try (Stream<ObjectInfo> listing = store.list("")) {
                first = listing.findFirst();
            }
            if (first.isEmpty()) {
                return new Finding(name(), subject, Status.WARN, shown + ": credentials accepted, but it holds no objects;"
                        + " check the bucket and prefix if something should be moved");
            }
            String key = first.get().key();
            try (InputStream in = store.open(key, 0, first.get().size() > 0 ? 1 : 0)) {
                in.read();
            }
            return new Finding(name(), subject, Status.OK, shown + ": credentials accepted, listed and read '" + key + "'");
        } catch (MigratorException e) {
            return failed(subject, shown, e, "read (list and get)");
        } catch (IOException e) {
            return new Finding(name(), subject, Status.FAIL, shown + ": reading failed: " + e.getMessage()
                    + "; check the network path to the store, then run preflight again");
        }
    }

    private Finding target(PreflightContext ctx, String subject, String uri) {
        String shown = Redaction.uri(uri);
        String probe = PROBE_PREFIX + UUID.randomUUID();
        ObjectStore store;
        try {
            store = ctx.store(uri);
            try (Stream<ObjectInfo> listing = store.list("")) {
                listing.findFirst();
            } catch (MigratorException e) {
                if (e.code() != ErrorCode.NOT_FOUND) { // a folder the first write creates
                    throw e;
                }
            }
        } catch (MigratorException e) {
            return failed(subject, shown, e, "list");
        }
        byte[] body = ("migrator preflight probe; safe to delete\n").getBytes(StandardCharsets.UTF_8);
        try {
            store.put(probe, Content.of(body), new ObjectMetadata("text/plain", null, null, null, Map.of()));
        } catch (MigratorException e) {
            return failed(subject, shown, e, "write");
        }
        try {
            if (store.stat(probe).map(ObjectInfo::size).orElse(-1L) != body.length) {
                return new Finding(name(), subject, Status.FAIL, shown + ": a probe object written as '" + probe
                        + "' does not read back; check that the store keeps what it accepts, then delete the probe");
            }
            store.delete(probe);
            if (store.stat(probe).isPresent()) {
                return new Finding(name(), subject, Status.FAIL, shown + ": deleting the probe object '" + probe
                        + "' had no effect; grant delete (the cut-over's delete-extraneous and a drill's clean-up need it) "
                        + "and remove the probe by hand");
            }
        } catch (MigratorException e) {
            return new Finding(name(), subject, Status.FAIL, shown + ": wrote the probe object '" + probe + "' but cannot delete it: "
                    + e.getMessage() + "; grant delete permission and remove the probe by hand");
        }
        return new Finding(name(), subject, Status.OK, shown + ": credentials accepted, listed, wrote and deleted a probe object");
    }

    /** A failure as one line: what could not be done, the adapter's words (they name the fix), and what the move needs. */
    private Finding failed(String subject, String shown, MigratorException e, String doing) {
        String what = switch (e.code()) {
            case AUTH -> "credentials rejected";
            case NOT_FOUND -> "does not exist";
            default -> "cannot " + doing;
        };
        String need = doing.equals("write") ? "; the move needs write and delete permission here" : "";
        return new Finding(name(), subject, Status.FAIL, shown + ": " + what + ": " + e.getMessage() + need);
    }
}
