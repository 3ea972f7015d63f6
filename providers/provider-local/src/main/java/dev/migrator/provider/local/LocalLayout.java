package dev.migrator.provider.local;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How keys map to file names, so that a copied bucket looks like the bucket on disk wherever a key
 * allows it. A key is split at {@code /}; each segment is its own file or directory name unless no
 * file system can hold it as a name, in which case it gets a reserved name starting with
 * {@value #RESERVED}:
 * <ul>
 *   <li>the empty segment (from {@code a//b} or a trailing {@code /}) is {@code .mig~empty};</li>
 *   <li>{@code .} and {@code ..} are {@code .mig~dot} and {@code .mig~dotdot};</li>
 *   <li>a segment longer than {@value #MAX_NAME_BYTES} bytes, or one that itself starts with the
 *       reserved prefix, is {@code .mig~h-} plus its SHA-256, and the segment itself is kept in the
 *       {@code user.migrator.name} extended attribute of that file or directory.</li>
 * </ul>
 * Names starting with {@code .mig~tmp-} are uploads in progress and are never listed; those a killed run left
 * behind are swept ({@link TempFiles}).
 */
final class LocalLayout {
    static final String RESERVED = ".mig~";
    static final String EMPTY = RESERVED + "empty";
    static final String DOT = RESERVED + "dot";
    static final String DOTDOT = RESERVED + "dotdot";
    static final String HASHED = RESERVED + "h-";
    static final String TEMP = RESERVED + "tmp-";
    static final int MAX_NAME_BYTES = 255;

    private LocalLayout() {
    }

    /** The key's segments, keeping empty ones: {@code "a//b/"} is {@code [a, "", b, ""]}. */
    static List<String> segments(String key) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = key.indexOf('/'); i >= 0; i = key.indexOf('/', start)) {
            out.add(key.substring(start, i));
            start = i + 1;
        }
        out.add(key.substring(start));
        return out;
    }

    /** The file name for one segment. */
    static String encode(String segment) {
        if (segment.isEmpty()) {
            return EMPTY;
        }
        if (segment.equals(".")) {
            return DOT;
        }
        if (segment.equals("..")) {
            return DOTDOT;
        }
        if (segment.startsWith(RESERVED) || segment.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return HASHED + dev.migrator.provider.Digests.hex(
                    dev.migrator.provider.Digests.sha256().digest(segment.getBytes(StandardCharsets.UTF_8)));
        }
        return segment;
    }

    /** Whether decoding {@code name} needs the {@code user.migrator.name} attribute. */
    static boolean needsStoredName(String name) {
        return name.startsWith(HASHED);
    }

    /** The segment for a file name that does not need the stored name; null for a temporary file. */
    static String decodeSimple(String name) {
        return switch (name) {
            case EMPTY -> "";
            case DOT -> ".";
            case DOTDOT -> "..";
            default -> name.startsWith(TEMP) ? null : name;
        };
    }
}
