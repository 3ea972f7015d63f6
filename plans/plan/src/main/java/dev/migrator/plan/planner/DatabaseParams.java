package dev.migrator.plan.planner;

import java.util.List;

/**
 * Parameters of the database kinds: a direct copy ({@link #DB_COPY}), a dump and its restore
 * ({@link #DB_DUMP}, {@link #DB_RESTORE}) and a {@link #DB_VERIFY}; a move through a bundle on a staging store
 * carries them as a {@link BundleParams.Member}.
 *
 * @param from         the source location's name
 * @param to           the target location's name
 * @param jobs         parallel dump/restore jobs
 * @param noOwner      leave object ownership out
 * @param noPrivileges leave grants out
 * @param staging      a {@code file:} URI for the dump, or null for the run's state directory; for a bundle move, the
 *                     object store URI the bundle goes to
 */
public record DatabaseParams(String from, String to, int jobs, boolean noOwner, boolean noPrivileges, String staging)
        implements StepParams {
    public static final String DB_COPY = "db-copy";
    public static final String DB_DUMP = "db-dump";
    public static final String DB_RESTORE = "db-restore";
    public static final String DB_VERIFY = "db-verify";

    @Override
    public List<String> locations() {
        return List.of(from, to);
    }
}
