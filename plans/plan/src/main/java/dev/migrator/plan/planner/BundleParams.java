package dev.migrator.plan.planner;

import java.util.ArrayList;
import java.util.List;

/**
 * Parameters of a move through a bundle: {@link #BUNDLE_PACK} snapshots the sources of every member into one
 * bundle at {@code STAGING/<bundle>/}, and {@link #BUNDLE_RESTORE} checks it and restores each member's source
 * into its target. Moves that name the same {@code bundle} in the plan are its members (a database and the
 * buckets that refer to it, say, as one snapshot); a bundle move that names none has a bundle of its own.
 *
 * @param bundle  the bundle's name: its folder inside {@code staging}
 * @param staging the object store URI the bundle is written to
 * @param members the moves packed into it, in plan order: source {@code s1} is the first member's source
 */
public record BundleParams(String bundle, String staging, List<Member> members) implements StepParams {
    public static final String BUNDLE_PACK = "bundle-pack";
    public static final String BUNDLE_RESTORE = "bundle-restore";

    public BundleParams {
        members = List.copyOf(members);
    }

    /**
     * One move of the bundle: exactly one of {@code objects} and {@code database} is set.
     *
     * @param move     the move's name
     * @param objects  an object move's parameters
     * @param database a database move's parameters
     */
    public record Member(String move, ObjectParams objects, DatabaseParams database) {
        public String from() {
            return objects != null ? objects.from() : database.from();
        }

        public String to() {
            return objects != null ? objects.to() : database.to();
        }
    }

    /** Whether a member is a database: its dump must be taken in the freeze, so the whole bundle is packed at cut-over. */
    public boolean hasDatabase() {
        return members.stream().anyMatch(m -> m.database() != null);
    }

    @Override
    public List<String> locations() {
        List<String> names = new ArrayList<>();
        members.forEach(m -> {
            names.add(m.from());
            names.add(m.to());
        });
        return names;
    }
}
