package dev.migrator.plan.report;

import java.util.Locale;

/** Durations and counts for people; sizes are {@link dev.migrator.provider.Sizes#format}. */
public final class Format {
    private Format() {
    }

    /** 0.4 s, 12 s, 3m05s, 2h04m. */
    public static String duration(double seconds) {
        if (seconds < 10) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
