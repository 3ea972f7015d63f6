package dev.migrator.provider;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * The two date forms read once per object, read by position instead of by java.time's formatters: ISO-8601 instants as
 * {@link Instant#toString} writes them (bundle manifests, S3 listings) and HTTP's IMF-fixdate (S3 headers). The formatters cost about
 * a third of a bundle restore's per-object CPU over 20,000 small files, and a sixth of a small-object copy's request
 * CPU (docs/benchmarks.md, 2026-12-03 and wire1). Any other form goes to the formatter, whose answer stands.
 */
public final class Instants {
    private Instants() {
    }

    /** {@link Instant#parse}, faster for the UTC form with a {@code Z}. */
    public static Instant parse(String text) {
        Instant fast = utc(text);
        return fast != null ? fast : Instant.parse(text);
    }

    /**
     * The instant of {@code yyyy-MM-ddTHH:mm:ss[.f...]Z}, or null for any other text (then the caller's parser decides:
     * {@link Instant#parse} here, the SDK's for S3 listings).
     */
    public static Instant utc(String t) {
        int n = t.length();
        if (n < 20 || n > 30 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':' || t.charAt(n - 1) != 'Z' || (n > 20 && (t.charAt(19) != '.' || n == 21))) {
            return null;
        }
        int nanos = 0;
        for (int i = 20; i < n - 1; i++) {
            int d = digits(t, i, 1);
            if (d < 0) {
                return null;
            }
            nanos = nanos * 10 + d;
        }
        for (int i = n - 1; i < 29; i++) {
            nanos *= 10; // fewer than 9 fraction digits: scale to nanoseconds
        }
        LocalDate date = date(digits(t, 0, 4), digits(t, 5, 2), digits(t, 8, 2));
        return date == null ? null : at(date, digits(t, 11, 2), digits(t, 14, 2), digits(t, 17, 2), nanos);
    }

    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";
    private static final String DAYS = "MonTueWedThuFriSatSun";

    /**
     * The instant of an IMF-fixdate ({@code Thu, 03 Dec 2026 09:00:00 GMT}, RFC 9110: the one form servers send), or
     * null for anything else, including a weekday that does not match the date (the caller's parser then decides).
     */
    public static Instant imfFixdate(String v) {
        if (v.length() != 29 || v.charAt(3) != ',' || v.charAt(4) != ' ' || v.charAt(7) != ' ' || v.charAt(11) != ' '
                || v.charAt(16) != ' ' || v.charAt(19) != ':' || v.charAt(22) != ':' || !v.endsWith(" GMT")) {
            return null;
        }
        int month = MONTHS.indexOf(v.substring(8, 11));
        LocalDate date = month < 0 || month % 3 != 0 ? null : date(digits(v, 12, 4), month / 3 + 1, digits(v, 5, 2));
        if (date == null || DAYS.indexOf(v.substring(0, 3)) != (date.getDayOfWeek().getValue() - 1) * 3) {
            return null;
        }
        return at(date, digits(v, 17, 2), digits(v, 20, 2), digits(v, 23, 2), 0);
    }

    /** The date, or null where a part is not a number (-1) or the month has no such day. */
    private static LocalDate date(int year, int month, int day) {
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > Month.of(month).length(Year.isLeap(year))) {
            return null;
        }
        return LocalDate.of(year, month, day);
    }

    /** The instant at this time of day (UTC), or null where a part is out of range or not a number (-1). */
    private static Instant at(LocalDate date, int hour, int minute, int second, int nanos) {
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        return Instant.ofEpochSecond(date.toEpochDay() * 86_400L + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The decimal number of {@code count} digits at {@code at}, or -1 if any is not a digit. */
    private static int digits(String t, int at, int count) {
        int v = 0;
        for (int i = at; i < at + count; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
