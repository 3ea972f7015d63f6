package dev.migrator.cli;

import dev.migrator.provider.Sizes;
import java.util.Locale;

/** Numbers for people: sizes in binary units, counts with separators, durations as h:mm:ss. */
final class Human {
    private Human() {
    }

    /** Binary units, {@code 1.5 MiB}: {@link Sizes#format}. */
    static String bytes(double b) {
        return Sizes.format(b);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** "1 object", "2 objects". */
    static String count(long n, String noun) {
        return count(n) + " " + noun + (n == 1 ? "" : "s");
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.1f s", seconds);
    }
}
