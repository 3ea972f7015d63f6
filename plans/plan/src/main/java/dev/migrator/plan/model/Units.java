package dev.migrator.plan.model;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes ({@code 4GiB}, {@code 500MB}, {@code 1.5T}), rates ({@code 100MiB/s}) and durations ({@code 1h30m}) as people write them. */
public final class Units {
    private static final Pattern SIZE = Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kmgtp]?)(i?)(b?)\\s*");
    private static final Pattern DURATION = Pattern.compile("(?i)([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h|d)");

    private Units() {
    }

    /** Bytes, or null if {@code text} is not a size. Binary units (K = KiB = 1024) unless "kB"/"MB" spelled decimal. */
    public static Long size(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            return null;
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2).toUpperCase(Locale.ROOT);
        int power = unit.isEmpty() ? 0 : "KMGTP".indexOf(unit) + 1;
        boolean decimal = m.group(3).isEmpty() && !m.group(4).isEmpty() && power > 0; // "MB" is decimal, "M" and "MiB" binary
        double factor = Math.pow(decimal ? 1000 : 1024, power);
        return Math.round(n * factor);
    }

    /** Bytes per second from {@code 100MiB/s}, or null. */
    public static Long rate(String text) {
        String t = text.trim();
        if (!t.endsWith("/s")) {
            return null;
        }
        return size(t.substring(0, t.length() - 2));
    }

    public static Duration duration(String text) {
        String t = text.trim().replace(" ", "");
        if (t.isEmpty()) {
            return null;
        }
        Matcher m = DURATION.matcher(t);
        long millis = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return null;
            }
            double n = Double.parseDouble(m.group(1));
            millis += Math.round(n * switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            });
            end = m.end();
        }
        return end == t.length() ? Duration.ofMillis(millis) : null;
    }
}
