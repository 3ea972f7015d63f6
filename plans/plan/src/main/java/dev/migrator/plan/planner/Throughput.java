package dev.migrator.plan.planner;

import dev.migrator.plan.model.Location;
import java.net.URI;
import java.util.Locale;

/**
 * The throughput model of one endpoint, so every estimate can be explained: bytes/s one transfer
 * stream gets, objects/s one stream handles (per-request cost), and bytes/s the endpoint carries in
 * total. Values come from the plan (measured with {@code migrator probe URI}) or defaults by scheme.
 *
 * @param stream    bytes/s of one stream
 * @param requests  objects/s of one stream
 * @param bandwidth bytes/s of the endpoint, all steps together
 * @param source    "plan" or "default", for explanations
 */
public record Throughput(long stream, double requests, long bandwidth, String source) {
    static final long MIB = 1024 * 1024;

    public static Throughput of(Location loc) {
        Throughput d = defaults(loc.uri(), loc.database());
        boolean declared = loc.stream() != null || loc.requests() != null || loc.bandwidth() != null;
        return new Throughput(loc.stream() != null ? loc.stream() : d.stream,
                loc.requests() != null ? loc.requests() : d.requests,
                loc.bandwidth() != null ? loc.bandwidth() : d.bandwidth, declared ? "plan" : "default");
    }

    /** Conservative defaults: a cloud store over the internet, a local disk, a database through its dump tools. */
    static Throughput defaults(String uri, boolean database) {
        if (database) {
            return new Throughput(40 * MIB, 1, 200 * MIB, "default");
        }
        String scheme = URI.create(uri.replace(" ", "%20")).getScheme();
        scheme = scheme == null ? "file" : scheme.toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "file" -> new Throughput(200 * MIB, 2000, 800 * MIB, "default");
            default -> new Throughput(30 * MIB, 40, 250 * MIB, "default");
        };
    }
}
