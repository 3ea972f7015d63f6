package dev.migrator.plan.planner;

import dev.migrator.plan.model.Calibration;
import dev.migrator.plan.model.Location;
import java.net.URI;
import java.util.Locale;

/**
 * The throughput model of one endpoint, each figure with where it came from so every estimate can be explained.
 * Per stream, a request costs its latency and then its bytes at the stream's rate, so {@code p} streams carry
 * (Little's law) {@code p / (latency + size / stream)} objects/s, up to the endpoint's request limit and
 * bandwidth for all streams together.
 *
 * @param stream       bytes/s one stream reads
 * @param latency      seconds one read request takes before its bytes
 * @param writeStream  bytes/s one stream writes
 * @param writeLatency seconds one write request takes before its bytes
 * @param bandwidth    bytes/s of the endpoint, all streams together
 * @param requestLimit requests/s of the endpoint, all streams together ({@link Double#POSITIVE_INFINITY}: none known)
 * @param overhead     seconds a step spends starting on this endpoint (opening it, its first listing page), before any work
 * @param bandwidthStreams streams at once at which {@code bandwidth} was measured (0: not known, the bandwidth holds for any)
 * @param statLatency  seconds one stat of an existing object takes (a delta's and a verify's per-object cost at this end);
 *                     the read latency when not measured apart
 * @param statLimit    stats/s of the endpoint, all streams together ({@link Double#POSITIVE_INFINITY}: none known); never
 *                     the write-measured {@code requestLimit}
 * @param copy         copies into this endpoint as {@code probe PLAN --write} measured them end to end, or null
 * @param starts       a step's start into this endpoint by kind, as a rehearsal measured it (absent: both ends' {@code overhead})
 * @param perObject    seconds each object of a step of that kind into this endpoint costs a stream beyond the other
 *                     figures, as a rehearsal measured it (absent: none)
 * @param db           a database's step starts and fingerprint rate (defaults, guesses, for any other endpoint)
 */
public record Throughput(Figure stream, Figure latency, Figure writeStream, Figure writeLatency, Figure bandwidth,
                         Figure requestLimit, Figure overhead, int bandwidthStreams, Figure statLatency, Figure statLimit,
                         Copy copy, java.util.Map<Estimate.Kind, Figure> starts, java.util.Map<Estimate.Kind, Figure> perObject,
                         Db db) {
    /**
     * A database's fixed costs and hashing: seconds a dump from it starts in, a restore into it, its side of a verify
     * (before rows are hashed), and the bytes/s of rows its fingerprint hashes (null: not known; the planner then
     * guesses from the dump rate), and the bytes/s a dump into files reads at, its compression included (null: the
     * stream rate).
     */
    public record Db(Figure dumpStart, Figure restoreStart, Figure fingerprintStart, Figure hashRate, Figure dumpStream) {
    }

    /**
     * A copy into this endpoint from its moves' source, reading and writing at once: one stream's bytes/s, one small
     * object's read and write, and the bandwidth of all copy streams together measured at {@code bandwidthStreams}
     * (null, 0: it scaled), and the small copies/s at them (null: they scaled).
     */
    public record Copy(Figure stream, Figure latency, Figure bandwidth, int bandwidthStreams, Figure limit) {
    }

    static final long MIB = 1024 * 1024;
    /** The default start of a step at one endpoint (a guess): {@link Planner#STEP_OVERHEAD} shared by its two ends. */
    static final double START = Planner.STEP_OVERHEAD / 2;
    /** The default start of a database step (a guess): the one second each was given before the probe measured it. */
    static final double DB_START = Planner.STEP_OVERHEAD;

    /** Where a figure came from: measured by {@code migrator probe}, declared in the plan, or a default (a guess). */
    public enum Origin {
        PROBE, PLAN, DEFAULT, REHEARSAL;

        public String word() {
            return this == DEFAULT ? "default, a guess" : name().toLowerCase(Locale.ROOT);
        }
    }

    /** One figure of the model and its origin. */
    public record Figure(double value, Origin origin) {
        public boolean guess() {
            return origin == Origin.DEFAULT;
        }
    }

    /** The model of {@code loc}: each figure from {@code probed} if it has it, else the plan, else the default. */
    public static Throughput of(Location loc, Calibration probed) {
        Calibration d = defaults(loc.uri(), loc.database());
        Calibration p = loc.figures();
        return new Throughput(fig(probed.stream(), p.stream(), d.stream()), fig(probed.latency(), p.latency(), d.latency()),
                fig(probed.writeStream(), pick(p.writeStream(), p.stream()), d.writeStream()),
                fig(probed.writeLatency(), pick(p.writeLatency(), p.latency()), d.writeLatency()),
                fig(probed.bandwidth(), p.bandwidth(), d.bandwidth()),
                fig(probed.requestLimit(), p.requestLimit(), d.requestLimit()),
                fig(probed.overhead(), p.overhead(), d.overhead()),
                probed.bandwidth() != null ? orZero(probed.bandwidthStreams()) : p.bandwidth() != null ? orZero(p.bandwidthStreams()) : 0,
                statLatency(probed, p, d), fig(probed.statLimit(), p.statLimit(), Double.POSITIVE_INFINITY), copy(probed, p),
                starts(probed, p, Calibration::copyStart, Calibration::deltaStart, Calibration::verifyStart),
                starts(probed, p, Calibration::copyPerObject, Calibration::deltaPerObject, Calibration::verifyPerObject),
                new Db(fig(probed.dumpStart(), p.dumpStart(), DB_START), fig(probed.restoreStart(), p.restoreStart(), DB_START),
                        fig(probed.fingerprintStart(), p.fingerprintStart(), DB_START),
                        probed.hashRate() != null || p.hashRate() != null ? fig(probed.hashRate(), p.hashRate(), 0) : null,
                        probed.dumpStream() != null || p.dumpStream() != null ? fig(probed.dumpStream(), p.dumpStream(), 0) : null));
    }

    /** A stat measured apart, else the read latency (a GET of a small object costs about what its HEAD does, and more). */
    private static Figure statLatency(Calibration probed, Calibration p, Calibration d) {
        if (probed.statLatency() != null || p.statLatency() != null) {
            return fig(probed.statLatency(), p.statLatency(), 0);
        }
        return fig(probed.latency(), p.latency(), d.latency());
    }

    private static Copy copy(Calibration probed, Calibration p) {
        Calibration c = probed.copyStream() != null ? probed : p.copyStream() != null ? p : null;
        if (c == null) {
            return null;
        }
        Origin o = c == probed ? Origin.PROBE : Origin.PLAN;
        return new Copy(new Figure(c.copyStream(), o), c.copyLatency() == null ? null : new Figure(c.copyLatency(), o),
                c.copyBandwidth() == null ? null : new Figure(c.copyBandwidth(), o), c.copyBandwidth() == null ? 0 : orZero(c.copyStreams()),
                c.copyLimit() == null ? null : new Figure(c.copyLimit(), o));
    }

    /** Rehearsed starts: from a calibration file they came from {@code probe PLAN --from-run}, a rehearsal. */
    private static java.util.Map<Estimate.Kind, Figure> starts(Calibration probed, Calibration p,
                                                                java.util.function.Function<Calibration, Double> copy,
                                                                java.util.function.Function<Calibration, Double> delta,
                                                                java.util.function.Function<Calibration, Double> verify) {
        java.util.Map<Estimate.Kind, Figure> out = new java.util.EnumMap<>(Estimate.Kind.class);
        put(out, Estimate.Kind.COPY, copy.apply(probed), copy.apply(p));
        put(out, Estimate.Kind.DELTA, delta.apply(probed), delta.apply(p));
        put(out, Estimate.Kind.VERIFY, verify.apply(probed), verify.apply(p));
        return java.util.Map.copyOf(out);
    }

    private static void put(java.util.Map<Estimate.Kind, Figure> out, Estimate.Kind kind, Double rehearsed, Double plan) {
        if (rehearsed != null) {
            out.put(kind, new Figure(rehearsed, Origin.REHEARSAL));
        } else if (plan != null) {
            out.put(kind, new Figure(plan, Origin.PLAN));
        }
    }

    /** Whether the endpoint has a known stat limit (the scheduler shares it among the steps that stat). */
    public boolean limitsStats() {
        return Double.isFinite(statLimit.value);
    }

    public static Throughput of(Location loc) {
        return of(loc, Calibration.NONE);
    }

    /** bytes/s one read stream gets. */
    public long readRate() {
        return (long) stream.value;
    }

    /** bytes/s a database dump into files reads at (its compression included), else the stream's. */
    public long dumpRate() {
        return db.dumpStream() != null ? (long) db.dumpStream().value : readRate();
    }

    /** Where {@link #dumpRate} came from. */
    public Figure dumpFigure() {
        return db.dumpStream() != null ? db.dumpStream() : stream;
    }

    /** bytes/s one write stream gets. */
    public long writeRate() {
        return (long) writeStream.value;
    }

    public long bandwidthRate() {
        return (long) bandwidth.value;
    }

    /**
     * bytes/s that {@code p} streams of {@code stream} bytes/s each get here together: the bandwidth, except below the
     * streams it was measured at, where the endpoint has only shown one stream's rate and the bandwidth at N: fewer
     * streams get the straight line between the two (an endpoint that gives N streams less than N times one may give
     * p streams less than p times one, too).
     */
    public double bandwidthAt(int p, double stream) {
        double bw = bandwidth.value;
        if (bandwidthStreams <= 1 || p >= bandwidthStreams || bw <= stream) {
            return bw;
        }
        return Math.min(bw, stream + (bw - stream) * (p - 1) / (bandwidthStreams - 1));
    }

    /** Whether the endpoint has a known request limit (the scheduler shares it among the steps). */
    public boolean limitsRequests() {
        return Double.isFinite(requestLimit.value);
    }

    /** Whether every figure is a default: nothing measured or declared. */
    public boolean allGuesses() {
        return stream.guess() && latency.guess() && writeStream.guess() && writeLatency.guess() && bandwidth.guess();
    }

    /**
     * Conservative defaults: a cloud store over the internet, a local disk, a database through its dump tools (where
     * the "latency" is a table's round trips, small beside its bytes). No default request limit: none is known. A step's
     * start is half a second at each end: the one second a step was always given before the probe measured it.
     */
    static Calibration defaults(String uri, boolean database) {
        if (database) {
            return new Calibration(40 * MIB, 0.01, 40 * MIB, 0.01, 200 * MIB, Double.POSITIVE_INFINITY, START);
        }
        String scheme = URI.create(uri.replace(" ", "%20")).getScheme();
        scheme = scheme == null ? "file" : scheme.toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "file" -> new Calibration(200 * MIB, 0.0005, 200 * MIB, 0.0005, 800 * MIB, Double.POSITIVE_INFINITY, START);
            default -> new Calibration(30 * MIB, 0.025, 30 * MIB, 0.025, 250 * MIB, Double.POSITIVE_INFINITY, START);
        };
    }

    private static Figure fig(Number probed, Number plan, Number dflt) {
        if (probed != null) {
            return new Figure(probed.doubleValue(), Origin.PROBE);
        }
        return plan != null ? new Figure(plan.doubleValue(), Origin.PLAN) : new Figure(dflt.doubleValue(), Origin.DEFAULT);
    }

    private static int orZero(Integer n) {
        return n == null ? 0 : n;
    }

    private static <T> T pick(T a, T b) {
        return a != null ? a : b;
    }
}
