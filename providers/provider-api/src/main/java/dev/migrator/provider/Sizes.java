package dev.migrator.provider;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them, one meaning everywhere (command options and plan files alike):
 * <ul>
 *   <li>{@code K M G T P}, and {@code KiB MiB GiB TiB PiB} (also {@code Ki Mi ...}): powers of 1024
 *       ({@code 16M} = 16,777,216 bytes);</li>
 *   <li>{@code kB MB GB TB PB}: powers of 1000, as SI/IEC define them ({@code 1MB} = 1,000,000 bytes,
 *       {@code 1GB} = 1,000,000,000 bytes);</li>
 *   <li>{@code B} or no unit: bytes.</li>
 * </ul>
 * Letters are case-insensitive ({@code 1mb} is {@code 1MB}), a space may stand between the number
 * and its unit, and the number may have a fraction ({@code 1.5G}); the result is rounded to a whole
 * byte. Signs, exponents, other units and sizes beyond {@link Long#MAX_VALUE} are not sizes.
 */
public final class Sizes {
    /** What a size looks like, for error messages. */
    public static final String FORMS = "e.g. 16M, 1.5GiB or 500MB (K, M, G, T and KiB, MiB, ... are powers of 1024;"
            + " kB, MB, GB, ... powers of 1000)";

    private static final Pattern SIZE = Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(?:([kmgtp])(i)?(b)?|(b))?\\s*");
    private static final String PREFIXES = "KMGTP";
    private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private Sizes() {
    }

    /** Bytes, or {@code null} if {@code text} is not a size (see the class comment for the forms). */
    public static Long parse(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            return null;
        }
        BigDecimal n = new BigDecimal(m.group(1));
        if (m.group(2) != null) {
            int power = PREFIXES.indexOf(m.group(2).toUpperCase(Locale.ROOT)) + 1;
            boolean decimal = m.group(3) == null && m.group(4) != null; // "MB" is decimal; "M", "Mi" and "MiB" binary
            n = n.multiply(BigDecimal.valueOf(decimal ? 1000 : 1024).pow(power));
        }
        n = n.setScale(0, RoundingMode.HALF_UP);
        return n.compareTo(MAX) > 0 ? null : n.longValueExact();
    }

    /**
     * Bytes of {@code text}, or {@code BAD_INPUT} naming {@code what} (an option, a plan key) and the
     * forms a size takes.
     */
    public static long parse(String text, String what) {
        Long bytes = parse(text);
        if (bytes == null) {
            throw MigratorException.badInput(what + " '" + text + "' is not a size; write " + FORMS);
        }
        return bytes;
    }

    /** Bytes per second from a size per second ({@code 100MiB/s}), or {@code null}. */
    public static Long rate(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        return t.endsWith("/s") ? parse(t.substring(0, t.length() - 2)) : null;
    }

    /** A size for people, in binary units: {@code 512 B}, {@code 1.5 KiB}, {@code 40.0 GiB}; it parses back. */
    public static String format(double bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int u = 0;
        while (bytes >= 1024 && u < units.length - 1) {
            bytes /= 1024;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f B", bytes) : String.format(Locale.ROOT, "%.1f %s", bytes, units[u]);
    }
}
