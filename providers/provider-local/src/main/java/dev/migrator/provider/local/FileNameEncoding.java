package dev.migrator.provider.local;

import dev.migrator.provider.MigratorException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The encoding the JVM names files in ({@code sun.jnu.encoding}), taken from the locale when the JVM starts and
 * fixed for its life: under {@code LANG=C} it is ASCII, and the JDK then cannot name a file {@code café.jpg}
 * (InvalidPathException) and lists one as {@code caf\uFFFD\uFFFD.jpg}, a key that is not the file's. Rather than
 * mangle a key, the local store refuses it with the fix: start the JVM under a UTF-8 locale (bin/migrator does).
 */
final class FileNameEncoding {
    private static final Charset CHARSET = charset(System.getProperty("sun.jnu.encoding"));
    /** True when every key can be named: a Unicode encoding, or one of a JVM started under a UTF-8 locale. */
    static final boolean UNICODE = CHARSET.equals(StandardCharsets.UTF_8) || CHARSET.name().startsWith("UTF-");

    private FileNameEncoding() {
    }

    /** Throws (bad input) when {@code name}, the file name for a segment of {@code key}, cannot be named in this JVM's encoding. */
    static void requireNameable(String key, String name) {
        if (!UNICODE && !encoder().canEncode(name)) {
            throw MigratorException.badInput("the key '" + key + "' cannot be a file name here: this JVM names files in "
                    + CHARSET.name() + " (from the locale, " + locale() + "). " + FIX);
        }
    }

    /** Throws (bad input) when the name read from {@code dir} did not decode: a listing would give a key that is not the file's. */
    static void requireDecoded(Path dir, String name) {
        if (!UNICODE && name.indexOf('\uFFFD') >= 0) {
            throw MigratorException.badInput("a file in " + dir + " has a name that is not " + CHARSET.name() + " ('" + name
                    + "' as this JVM reads it, from the locale " + locale() + "), so its key would be wrong. " + FIX);
        }
    }

    private static final String FIX = "Start migrator under a UTF-8 locale: run bin/migrator (it sets LC_ALL=C.UTF-8), or"
            + " LC_ALL=C.UTF-8 java -jar migrator.jar ...";

    private static CharsetEncoder encoder() {
        return CHARSET.newEncoder(); // not thread-safe: one per check (only under a non-Unicode locale)
    }

    private static String locale() {
        for (String v : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String value = System.getenv(v);
            if (value != null && !value.isEmpty()) {
                return v + "=" + value;
            }
        }
        return "no LANG or LC_ALL set";
    }

    private static Charset charset(String name) {
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalArgumentException unknown) {
            return Charset.defaultCharset();
        }
    }
}
