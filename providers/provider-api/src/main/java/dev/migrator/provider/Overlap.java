package dev.migrator.provider;

/**
 * The one rule for locations that must not overlap: a move's source, target, staging and drill
 * locations. Two stores overlap when one {@link ObjectStore#location()} contains the other (or they
 * are the same), after symlinks and prefixes are resolved by the adapters: copying into one's own
 * source lists its own output, and pruning a target that contains the source deletes the source.
 */
public final class Overlap {
    private Overlap() {
    }

    /** Whether two {@link ObjectStore#location()} values name the same place or one inside the other. */
    public static boolean overlaps(String a, String b) {
        String x = withSlash(a);
        String y = withSlash(b);
        return x.startsWith(y) || y.startsWith(x);
    }

    /**
     * Throws {@link ErrorCode#BAD_INPUT} when the two stores overlap, naming both by the role they play
     * (e.g. "source", "target", "staging") and their display URIs.
     */
    public static void refuse(String roleA, ObjectStore a, String roleB, ObjectStore b) {
        String x = a.location();
        String y = b.location();
        if (withSlash(x).equals(withSlash(y))) {
            throw MigratorException.badInput(roleA + " " + a.displayUri() + " and " + roleB + " " + b.displayUri()
                    + " are the same location (" + x + "); use a " + roleB + " outside the " + roleA);
        }
        if (overlaps(x, y)) {
            String inner = x.length() > y.length() ? roleA : roleB;
            String outer = inner.equals(roleA) ? roleB : roleA;
            throw MigratorException.badInput(roleA + " " + a.displayUri() + " and " + roleB + " " + b.displayUri()
                    + " overlap: the " + inner + " lies inside the " + outer + " (" + x + " / " + y + "); use locations"
                    + " that do not contain each other");
        }
    }

    private static String withSlash(String s) {
        return s.endsWith("/") ? s : s + "/";
    }
}
