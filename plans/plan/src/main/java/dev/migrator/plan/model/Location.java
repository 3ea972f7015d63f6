package dev.migrator.plan.model;

/**
 * A named source or target and its throughput model.
 *
 * @param name        the name moves refer to
 * @param uri         where it is (may hold credentials: show {@link dev.migrator.provider.Redaction#uri})
 * @param database    whether the URI names a database rather than an object store
 * @param objects     objects declared in the plan (for {@code --offline}), or null
 * @param bytes       bytes declared in the plan (for {@code --offline}), or null
 * @param bandwidth   bytes/s this endpoint carries for all steps together (a limit the schedule respects), or null for the default
 * @param stream      bytes/s one transfer stream gets (measured by {@code migrator probe}), or null for the default
 * @param requests    objects/s one stream handles regardless of size, or null for the default
 * @param price       what reading out of it costs (its provider's list price unless the plan says otherwise)
 * @param pos         where it is declared
 */
public record Location(String name, String uri, boolean database, Long objects, Long bytes, Long bandwidth, Long stream,
                       Double requests, Price price, Pos pos) {

    public Location withUri(String newUri) {
        return new Location(name, newUri, database, objects, bytes, bandwidth, stream, requests, price, pos);
    }
}
