package dev.migrator.provider;

import java.time.Duration;
import java.util.Map;

/** Reading an adapter's URI options ({@code ?page-size=500&read-timeout=30s}) with one clear message per bad value. */
public final class UriParameters {
    private UriParameters() {
    }

    /**
     * The whole number {@code value} of option {@code name}, from {@code min} to {@code max}, or {@code dflt} when absent.
     *
     * @param shown the URI as it may be printed (credentials redacted)
     */
    public static int number(String value, String name, int min, int max, int dflt, String shown) {
        if (value == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw MigratorException.badInput(name + " '" + value + "' in '" + shown + "' must be a number from " + min + " to " + max);
    }

    /** A duration option ({@link Durations}), or {@code dflt} when it is not given. */
    public static Duration duration(Map<String, String> params, String name, Duration dflt, String shown) {
        String v = params.get(name);
        return v == null ? dflt : Durations.parse(v, name + " '" + v + "' in '" + shown + "'");
    }
}
