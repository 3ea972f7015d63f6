package dev.migrator.cli;

import dev.migrator.plan.planner.Inventory;
import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Sizes;
import dev.migrator.transfer.Selection;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "inventory", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Show what a bucket holds beyond its bytes, read-only.",
            "Objects and bytes per storage class (archived ones, which must be restored before they can be read, marked),",
            "and the bucket's settings: CORS, lifecycle rules, website documents, versioning, public access and policy."})
final class InventoryCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URI", description = "An object store URI (s3://, gs://, az://, file://) or a local path.")
    String uri;

    @Mixin
    StoreArgs store;

    @Mixin
    OutputArgs output;

    /** What {@code --json} prints. */
    record Report(String uri, long objects, long bytes, Map<String, Inventory.PerClass> classes, long archivedObjects,
                  long archivedBytes, BucketSettings bucket) {
    }

    @Override
    public Integer call() {
        try (ObjectStore s = store.open(StoreArgs.toUri(uri))) {
            Inventory inv = Inventory.measure(s, Selection.ALL);
            BucketSettings bucket = s.bucketSettings().map(BucketSettings.Access::read).orElse(null);
            PrintStream out = System.out;
            if (output.json) {
                out.println(Json.write(new Report(s.displayUri(), inv.objects(), inv.bytes(), inv.classes(), inv.archivedObjects(),
                        inv.archivedBytes(), bucket)));
                return 0;
            }
            out.printf(Locale.ROOT, "%s: %s objects, %s%n", s.displayUri(), Human.count(inv.objects()), Sizes.format(inv.bytes()));
            inv.classes().forEach((cls, c) -> out.printf(Locale.ROOT, "  %-20s %s objects, %s%s%n", cls, Human.count(c.objects()),
                    Sizes.format(c.bytes()), c.archived() ? "  archived: restore before reading (in a plan: 'archived: restore' or 'skip')" : ""));
            if (bucket == null) {
                out.println("Bucket settings: none (this store has no bucket settings)");
                return 0;
            }
            out.println("Bucket settings:");
            out.println("  versioning:     " + (bucket.versioning() == null ? "unknown" : bucket.versioning().name().toLowerCase(Locale.ROOT)));
            out.println("  CORS:           " + list(bucket.cors(), r -> String.join(",", r.methods()) + " from " + String.join(",", r.origins())
                    + (r.headers().isEmpty() ? "" : " headers " + String.join(",", r.headers()))
                    + (r.maxAgeSeconds() == null ? "" : " max-age " + r.maxAgeSeconds() + "s")));
            out.println("  lifecycle:      " + list(bucket.lifecycle(), l -> "'" + l.id() + "'" + (l.enabled() ? "" : " (disabled)")
                    + (l.prefix() == null || l.prefix().isEmpty() ? "" : " under " + l.prefix())
                    + (l.expireDays() == null ? "" : " expire after " + l.expireDays() + " days")
                    + (l.transitionClass() == null ? "" : " to " + l.transitionClass() + " after " + l.transitionDays() + " days")
                    + (l.other() == null ? "" : "; also " + l.other())));
            out.println("  website:        " + (bucket.website() == null ? "none or unknown" : "index " + bucket.website().indexDocument()
                    + ", error " + bucket.website().errorDocument()));
            out.println("  public access:  " + (bucket.publicAccess() == null ? "unknown" : bucket.publicAccess().isEmpty() ? "no settings"
                    : bucket.publicAccess().toString()));
            out.println("  policy:         " + (bucket.policy() == null ? "none or unknown" : bucket.policy()));
            bucket.notes().forEach(n -> out.println("  note: " + n));
            return 0;
        }
    }

    private static <T> String list(List<T> items, java.util.function.Function<T, String> line) {
        if (items == null) {
            return "unknown";
        }
        if (items.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder(items.size() + (items.size() == 1 ? " rule" : " rules"));
        items.forEach(i -> b.append("\n                  ").append(line.apply(i)));
        return b.toString();
    }
}
