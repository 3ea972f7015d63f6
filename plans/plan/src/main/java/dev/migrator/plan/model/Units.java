package dev.migrator.plan.model;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations ({@code 1h30m}) as people write them; sizes and rates are {@link dev.migrator.provider.Sizes}'. */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("(?i)([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h|d)");

    private Units() {
    }

    /** A duration ({@code 90s}, {@code 1h30m}, {@code 250ms}, {@code 2d}), or null. Sizes and rates: {@link dev.migrator.provider.Sizes}. */
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
