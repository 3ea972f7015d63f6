package dev.migrator.bundle;

import dev.migrator.provider.MigratorException;

/**
 * Where things are inside a bundle and how object keys become tar entry names. The names are what a
 * person extracting a part with GNU tar gets as files, so ordinary keys stay as they are; only what
 * no file system path can hold is escaped (see docs/bundle-format.md).
 */
final class BundleLayout {
    static final String MANIFEST = "manifest.jsonl";
    static final String SUMS = "SHA256SUMS";
    static final String DATA = "data/";

    private BundleLayout() {
    }

    /** {@code data/s1-000001.tar.zst}. */
    static String partName(String sourceId, int number) {
        return partName(sourceId, number, false);
    }

    /** {@code data/s1-000001.tar.zst}, or {@code data/s1-000001.tar.zst.tink} when encrypted. */
    static String partName(String sourceId, int number, boolean encrypted) {
        return String.format("%s%s-%06d.tar.zst%s", DATA, sourceId, number, encrypted ? ENCRYPTED_SUFFIX : "");
    }

    static final String ENCRYPTED_SUFFIX = ".tink";

    /**
     * The tar name of {@code key} in source {@code sourceId}: {@code sourceId/} then each segment of the
     * key, with {@code %} written as {@code %25} and the segments a path cannot hold written as
     * {@code %} (empty, e.g. after {@code //} or a trailing {@code /}), {@code %2E} ({@code .}) and
     * {@code %2E%2E} ({@code ..}). Different keys always get different names.
     */
    static String entryPath(String sourceId, String key) {
        StringBuilder out = new StringBuilder(sourceId);
        for (String segment : key.split("/", -1)) {
            out.append('/').append(switch (segment) {
                case "" -> "%";
                case "." -> "%2E";
                case ".." -> "%2E%2E";
                default -> segment.replace("%", "%25");
            });
        }
        return out.toString();
    }

    /**
     * The tar name of piece {@code piece} (from 1) of an object too large for one part:
     * {@code <entryPath>%piece-00001}. No whole entry's name contains {@code %p}, so these never collide,
     * and the pieces sort in order: {@code cat 'name%piece-'* > name} joins them.
     */
    static String piecePath(String entryPath, int piece) {
        return String.format("%s%%piece-%05d", entryPath, piece);
    }

    /**
     * Throws {@code BAD_INPUT} naming the entry unless {@code path} is a safe relative name: not
     * absolute, no {@code .} or {@code ..} or empty segment, no backslash, no NUL. Extraction never
     * trusts a name from an archive further than this.
     */
    static String requireSafe(String path, String where) {
        boolean bad = path == null || path.isEmpty() || path.startsWith("/") || path.indexOf('\0') >= 0
                || path.indexOf('\\') >= 0 || path.matches("^[A-Za-z]:.*");
        if (!bad) {
            for (String segment : path.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    bad = true;
                    break;
                }
            }
        }
        if (bad) {
            throw MigratorException.badInput("refusing unsafe entry name '" + path + "' in " + where
                    + ": absolute paths, '..', '.' and empty segments are not allowed; this bundle was not written by"
                    + " migrator or was tampered with");
        }
        return path;
    }
}
