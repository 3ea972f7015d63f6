package dev.migrator.bundle;

import dev.migrator.provider.Digests;
import dev.migrator.provider.MigratorException;
import java.nio.charset.StandardCharsets;

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

    /** Longest written segment kept as it is: 255 (a file name's limit) less a piece suffix ({@link #piecePath}). */
    static final int MAX_SEGMENT_BYTES = 255 - "%piece-00001".length();
    /**
     * Longest entry name kept segment by segment: well under Linux's 4096-byte PATH_MAX, leaving room for a
     * piece suffix and the directory a person extracts into.
     */
    static final int MAX_PATH_BYTES = 3072;
    /** Prefix of a segment (or a whole key) written as its SHA-256; no other written segment starts with {@code %h}. */
    static final String HASHED = "%h-";

    /**
     * The tar name of {@code key} in source {@code sourceId}: {@code sourceId/} then each segment of the
     * key, with {@code %} written as {@code %25} and the segments a path cannot hold written as
     * {@code %} (empty, e.g. after {@code //} or a trailing {@code /}), {@code %2E} ({@code .}) and
     * {@code %2E%2E} ({@code ..}). A segment whose written form is longer than {@value #MAX_SEGMENT_BYTES}
     * UTF-8 bytes (GNU tar: "File name too long") is written {@code %h-} plus the SHA-256 of the segment;
     * when the whole name would still be longer than {@value #MAX_PATH_BYTES} bytes, the key is written
     * {@code sourceId/%h-} plus the SHA-256 of the whole key. Different keys always get different names, and
     * the real key is always in the manifest.
     */
    static String entryPath(String sourceId, String key) {
        StringBuilder out = new StringBuilder(sourceId);
        for (String segment : key.split("/", -1)) {
            String written = switch (segment) {
                case "" -> "%";
                case "." -> "%2E";
                case ".." -> "%2E%2E";
                default -> segment.replace("%", "%25");
            };
            out.append('/').append(utf8Length(written) > MAX_SEGMENT_BYTES ? hashed(segment) : written);
        }
        return utf8Length(out) > MAX_PATH_BYTES ? sourceId + "/" + hashed(key) : out.toString();
    }

    private static String hashed(String s) {
        return HASHED + Digests.hex(Digests.sha256().digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static int utf8Length(CharSequence s) {
        return StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(s)).remaining();
    }

    /** The folder, under the source's, of every entry of a history that is not a key's current object. */
    static final String HISTORY = "%v";

    /**
     * The tar name of one entry of a key's history (a source bundled with {@code --versions all}). The key's
     * current object (its newest entry, not a delete marker) keeps {@link #entryPath}, so extracting the parts by
     * hand gives the bucket's current state under the real keys; every other version is
     * {@code sourceId/%v/<position>/<entryPath's key part>}, and a delete marker (0 bytes)
     * {@code sourceId/%v/<position>-deleted/...}, with the position in the key's history from 1, five digits or
     * more. No key's written first segment is {@code %v} ({@code %} is written {@code %25}), and (position, key)
     * differs for every entry, so the names never collide.
     */
    static String entryPath(String sourceId, String key, Manifest.Version version) {
        if (version == null || version.current()) {
            return entryPath(sourceId, key);
        }
        String folder = String.format("%s/%s/%05d%s", sourceId, HISTORY, version.position(), version.deleteMarker() ? "-deleted" : "");
        return entryPath(folder, key);
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
