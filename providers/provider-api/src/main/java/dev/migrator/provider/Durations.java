package dev.migrator.provider;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in URI parameters ({@code connect-timeout=}, {@code read-timeout=}), one
 * meaning for every provider: a whole number with {@code ms}, {@code s} or {@code m}, or a plain number of
 * seconds ({@code 30} is {@code 30s}); from 1 ms to 1 hour, as a timeout outside that range is a typo.
 */
public final class Durations {
    /** What a duration looks like, for error messages. */
    public static final String FORMS = "a duration from 1ms to 1h such as 500ms, 30s or 2m";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,7})(ms|s|m)?");
    private static final Duration MAX = Duration.ofHours(1);

    private Durations() {
    }

    /**
     * The duration {@code text} gives, or {@code BAD_INPUT} "{@code what} must be {@link #FORMS}", so
     * {@code what} names the thing and its value, e.g. {@code "read-timeout 'forever' in 's3://b/'"}.
     */
    public static Duration parse(String text, String what) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = "ms".equals(m.group(2)) ? Duration.ofMillis(n)
                    : "m".equals(m.group(2)) ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
            if (!d.isZero() && d.compareTo(MAX) <= 0) {
                return d;
            }
        }
        throw MigratorException.badInput(what + " must be " + FORMS);
    }
}
