package dev.migrator.plan.steps;

import dev.migrator.plan.executor.StepContext;
import dev.migrator.plan.executor.StepResult;
import dev.migrator.plan.planner.RestoreParams;
import dev.migrator.provider.Archive;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code archived: restore}: asks the source to restore every archived object of the move (S3 RestoreObject; one already
 * restored or being restored is left alone, so a re-run after a crash asks again only for what still needs it), then
 * polls each pending one (S3 HEAD's {@code x-amz-restore}) every {@code pollSeconds} until all can be read.
 */
final class RestoreStep {
    private RestoreStep() {
    }

    static StepResult run(StepContext ctx, RestoreParams p) {
        try (ObjectStore store = Stores.open(ctx.locationNamed(p.from()).uri(), new StoreOptions(StoreOptions.DEFAULT_PART_SIZE, 4, Retry.DEFAULT))) {
            Archive archive = store.archive().orElseThrow(() -> new MigratorException(ErrorCode.BAD_INPUT,
                    store.displayUri() + " has no archive classes to restore from; remove 'archived: restore' from the move"));
            List<String> pending = new ArrayList<>();
            long bytes = 0;
            int asked = 0;
            int already = 0;
            String prefix = p.selection().include().size() == 1 ? p.selection().include().get(0) : "";
            try (Stream<Archive.Listed> listing = archive.listWithClasses(prefix)) {
                for (var it = listing.iterator(); it.hasNext(); ) {
                    Archive.Listed l = it.next();
                    if (!p.selection().contains(l.info().key()) || !l.archived(archive.family())) {
                        continue;
                    }
                    bytes += l.info().size();
                    Archive.State state = Retry.DEFAULT.call("restore state " + l.info().key(), () -> archive.state(l.info().key()));
                    if (state == Archive.State.ARCHIVED) {
                        Retry.DEFAULT.call("restore " + l.info().key(), () -> {
                            archive.requestRestore(l.info().key(), p.days(), p.speed());
                            return null;
                        });
                        asked++;
                    } else {
                        already++;
                    }
                    if (!state.readable()) {
                        pending.add(l.info().key());
                    }
                }
            }
            int total = pending.size();
            while (!pending.isEmpty()) {
                if (ctx.cancelled()) {
                    throw new MigratorException(ErrorCode.INTERRUPTED, "cancelled with " + pending.size() + " of " + total
                            + " restores still running (they go on at the provider; run again to wait for them)");
                }
                pending.removeIf(key -> Retry.DEFAULT.call("restore state " + key, () -> archive.state(key)).readable());
                if (!pending.isEmpty()) {
                    try {
                        Thread.sleep(p.pollSeconds() * 1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted while waiting for " + pending.size() + " restores");
                    }
                }
            }
            return new StepResult(0, asked + already, already, null, List.of(asked + " restores asked for, " + already
                    + " already restored or under way; all " + (asked + already) + " archived objects ("
                    + dev.migrator.provider.Sizes.format(bytes) + ") readable for " + p.days() + " days"));
        }
    }
}
