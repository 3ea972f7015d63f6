package dev.migrator.provider;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/** Key order and key checks shared by every adapter. */
public final class Keys {
    /** Ascending order of the keys' UTF-8 bytes, unsigned: the order S3 and GCS list in. */
    public static final Comparator<String> ORDER = (a, b) -> Arrays.compareUnsigned(utf8(a), utf8(b));

    /** The longest key S3 and GCS accept, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;

    private Keys() {
    }

    public static byte[] utf8(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** Throws {@link ErrorCode#BAD_INPUT} for a key no object store accepts. */
    public static String requireValid(String key) {
        if (key == null || key.isEmpty()) {
            throw MigratorException.badInput("object key must not be empty");
        }
        if (utf8(key).length > MAX_KEY_BYTES) {
            throw MigratorException.badInput("object key is longer than " + MAX_KEY_BYTES + " UTF-8 bytes: "
                    + key.substring(0, 60) + "...");
        }
        if (key.indexOf('\0') >= 0) {
            throw MigratorException.badInput("object key contains a NUL character: " + key.replace('\0', '?'));
        }
        return key;
    }

    /** The root prefix of a bucket URI's path: no leading slash, a trailing slash unless empty. */
    public static String rootPrefix(String uriPath) {
        String p = uriPath == null ? "" : uriPath;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p.isEmpty() || p.endsWith("/") ? p : p + "/";
    }
}
