package dev.migrator.plan.model;

/**
 * A named source or target and its throughput model.
 *
 * @param name        the name moves refer to
 * @param uri         where it is (may hold credentials: show {@link dev.migrator.provider.Redaction#uri})
 * @param database    whether the URI names a database rather than an object store
 * @param objects     objects declared in the plan (for {@code --offline}), or null
 * @param bytes       bytes declared in the plan (for {@code --offline}), or null
 * @param figures     the throughput figures the plan declares (measured with {@code migrator probe}); none: defaults
 * @param price       what reading out of it costs (its provider's list price unless the plan says otherwise)
 * @param pos         where it is declared
 */
public record Location(String name, String uri, boolean database, Long objects, Long bytes, Calibration figures,
                       Price price, Pos pos) {

    public Location withUri(String newUri) {
        return new Location(name, newUri, database, objects, bytes, figures, price, pos);
    }

    /** bytes/s this endpoint carries for all steps together (a limit the run keeps), or null when the plan sets none. */
    public Long bandwidth() {
        return figures.bandwidth();
    }
}
