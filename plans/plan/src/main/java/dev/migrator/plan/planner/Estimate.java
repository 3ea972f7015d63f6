package dev.migrator.plan.planner;

import dev.migrator.plan.planner.Throughput.Figure;
import java.util.ArrayList;
import java.util.List;

/**
 * How long a step over objects takes, and which figure bounds it. By Little's law, {@code p} streams each holding
 * one object for its requests' latency plus its bytes at the stream's rate need
 * {@code (objects × latency + bytes / stream) / p} seconds; the endpoints cap that at their bandwidth
 * ({@code bytes / bandwidth}) and request limit ({@code objects / limit}). The largest of the three is the estimate,
 * and its name is the bound {@code plan} shows. Fewer objects than streams keep only that many in flight. A step also
 * costs its start on both endpoints (opening them, the first listing page: {@link Throughput#overhead}), whatever it moves.
 *
 * @param seconds  estimated duration, the start included
 * @param bound    what bounds it: {@code per-request (...)}, {@code stream (...)}, {@code bandwidth of 'x'}, {@code request limit of 'x'}
 * @param work     the arithmetic of the work, for a person (without the bound and the start)
 * @param overhead seconds the step takes to start, both endpoints together
 * @param origin   where {@code overhead} came from ({@link Throughput.Origin#word}, one per endpoint when they differ)
 */
public record Estimate(double seconds, String bound, String work, double overhead, String origin) {
    /** The bounds a person can be told about, as {@link #bound} starts. */
    public static final String PER_REQUEST = "per-request";
    public static final String STREAM = "stream";
    public static final String BANDWIDTH = "bandwidth";
    public static final String REQUEST_LIMIT = "request limit";

    public static final String STAT_LIMIT = "stat limit";

    /** What a step over objects does, for its start: a pre-copy, a cut-over delta or a verify. */
    public enum Kind {
        COPY, DELTA, VERIFY
    }

    /** A per-object cost or a stream rate, with the role it plays for the explanation. */
    private record Term(String name, String role, Figure figure) {
    }

    /** A cap of all streams together at one endpoint: its value at the step's streams, and the figure it came from. */
    private record Cap(String name, String what, double value, Figure figure, String note) {
    }

    /** A pre-copy from {@code a} to {@code b}, as {@link #copy(String, Throughput, String, Throughput, long, long, int, Kind)}. */
    static Estimate copy(String from, Throughput a, String to, Throughput b, long bytes, long objects, int parallelism) {
        return copy(from, a, to, b, bytes, objects, parallelism, Kind.COPY);
    }

    /**
     * A copy from {@code a} to {@code b}. Where the target has a copy-through figure ({@code probe PLAN --write} read the
     * source and wrote the target at once, as a copy does), that is the per-object cost and the stream rate; else per
     * object a read at the source and a write at the target, bytes at the slower stream. Both endpoints' own bandwidth and
     * request limits cap it either way.
     */
    static Estimate copy(String from, Throughput a, String to, Throughput b, long bytes, long objects, int parallelism, Kind kind) {
        int inFlight = inFlight(objects, parallelism);
        List<Term> perObject = new ArrayList<>();
        Term stream;
        List<Cap> bandwidth = new ArrayList<>();
        Throughput.Copy c = b.copy();
        if (c != null) {
            perObject.add(new Term(to, "copy-through", c.latency() != null ? c.latency() : sum(a.latency(), b.writeLatency())));
            stream = new Term(to, "copy-through", c.stream());
            if (c.bandwidth() != null) {
                bandwidth.add(new Cap(to, "copy-through bandwidth", at(c.bandwidth().value(), c.bandwidthStreams(), inFlight, c.stream().value()),
                        c.bandwidth(), fewer(c.bandwidth().value(), c.bandwidthStreams(), inFlight, c.stream().value())));
            }
        } else {
            perObject.add(new Term(from, "source reads", a.latency()));
            perObject.add(new Term(to, "target writes", b.writeLatency()));
            stream = a.stream().value() <= b.writeStream().value() ? new Term(from, "source reads", a.stream())
                    : new Term(to, "target writes", b.writeStream());
        }
        rehearsed(perObject, to, b, kind);
        bandwidth.add(new Cap(from, "bandwidth", a.bandwidthAt(inFlight, a.stream().value()), a.bandwidth(),
                fewer(a.bandwidth().value(), a.bandwidthStreams(), inFlight, a.stream().value())));
        bandwidth.add(new Cap(to, "bandwidth", b.bandwidthAt(inFlight, b.writeStream().value()), b.bandwidth(),
                fewer(b.bandwidth().value(), b.bandwidthStreams(), inFlight, b.writeStream().value())));
        List<Cap> limits = new ArrayList<>(List.of(new Cap(from, REQUEST_LIMIT, a.requestLimit().value(), a.requestLimit(), ""),
                new Cap(to, REQUEST_LIMIT, b.requestLimit().value(), b.requestLimit(), "")));
        if (c != null && c.limit() != null) {
            limits.add(new Cap(to, "copy-through limit", c.limit().value(), c.limit(), ""));
        }
        return of(perObject, stream, bandwidth, limits, bytes, objects, inFlight, start(a, b, kind));
    }

    /** A comparison of both sides (a verify, a delta's unchanged objects): per object a stat at each side, no bytes. */
    static Estimate compare(String from, Throughput a, String to, Throughput b, long objects, int parallelism) {
        return compare(from, a, to, b, objects, parallelism, Kind.VERIFY);
    }

    /**
     * The same; stats are capped by each endpoint's stat limit, never by its request limit (measured on writes, which
     * cost an endpoint far more than a stat).
     */
    static Estimate compare(String from, Throughput a, String to, Throughput b, long objects, int parallelism, Kind kind) {
        int inFlight = inFlight(objects, parallelism);
        List<Term> perObject = new ArrayList<>(List.of(new Term(from, "source stats", a.statLatency()),
                new Term(to, "target stats", b.statLatency())));
        rehearsed(perObject, to, b, kind);
        List<Cap> limits = List.of(new Cap(from, STAT_LIMIT, a.statLimit().value(), a.statLimit(), ""),
                new Cap(to, STAT_LIMIT, b.statLimit().value(), b.statLimit(), ""));
        return of(perObject, null, List.of(), limits, 0, objects, inFlight, start(a, b, kind));
    }

    /** The cost per object a rehearsal measured beyond the other figures, for steps of {@code kind} into {@code b}. */
    private static void rehearsed(List<Term> perObject, String to, Throughput b, Kind kind) {
        Figure f = b.perObject().get(kind);
        if (f != null) {
            perObject.add(new Term(to, "more per object", f));
        }
    }

    static int inFlight(long objects, int parallelism) {
        return (int) Math.max(1, Math.min(parallelism, Math.max(objects, 1)));
    }

    /** The step's start: the one a rehearsal measured into the target for this kind, else both ends' own. */
    private static Figure[] start(Throughput a, Throughput b, Kind kind) {
        Figure rehearsed = b.starts().get(kind);
        return rehearsed != null ? new Figure[]{rehearsed} : new Figure[]{a.overhead(), b.overhead()};
    }

    /** The seconds of {@code kind}'s start the model gives a step from {@code a} to {@code b} ({@link Rehearsal}). */
    static double plannedStart(Throughput a, Throughput b, Kind kind) {
        double s = 0;
        for (Figure f : start(a, b, kind)) {
            s += f.value();
        }
        return s;
    }

    private static Figure sum(Figure x, Figure y) {
        return new Figure(x.value() + y.value(), x.origin() == y.origin() ? x.origin() : x.guess() ? x.origin() : y.origin());
    }

    /** {@link Throughput#bandwidthAt} for any figure measured at {@code measuredAt} streams. */
    private static double at(double bw, int measuredAt, int p, double stream) {
        if (measuredAt <= 1 || p >= measuredAt || bw <= stream) {
            return bw;
        }
        return Math.min(bw, stream + (bw - stream) * (p - 1) / (measuredAt - 1));
    }

    private static String fewer(double bw, int measuredAt, int p, double stream) {
        return at(bw, measuredAt, p, stream) < bw ? ", at " + p + " streams of the " + measuredAt + " it was measured at" : "";
    }

    private static Estimate of(List<Term> perObject, Term stream, List<Cap> bandwidths, List<Cap> limits, long bytes, long objects,
                               int inFlight, Figure[] start) {
        double latency = perObject.stream().mapToDouble(t -> t.figure().value()).sum();
        Term slowRequests = perObject.stream().max(java.util.Comparator.comparingDouble(t -> t.figure().value())).orElseThrow();
        double requests = objects * latency / inFlight;
        double streams = stream == null ? 0 : bytes / (stream.figure().value() * inFlight);
        Cap narrow = bandwidths.stream().min(java.util.Comparator.comparingDouble(Cap::value)).orElse(null);
        Cap limited = limits.stream().min(java.util.Comparator.comparingDouble(Cap::value)).orElseThrow();
        double byBandwidth = narrow == null ? 0 : bytes / narrow.value();
        double byLimit = objects / limited.value();
        double work = requests + streams;
        StringBuilder e = new StringBuilder();
        if (objects > 0) {
            e.append(Planner.count(objects)).append(" objects × (");
            for (int i = 0; i < perObject.size(); i++) {
                Term t = perObject.get(i);
                e.append(i > 0 ? " + " : "").append(ms(t.figure().value())).append(' ').append(t.role()).append(" (")
                        .append(t.figure().origin().word()).append(')');
            }
            e.append(") / ").append(inFlight).append(" in flight = ").append(seconds(requests));
        }
        if (bytes > 0 && stream != null) {
            e.append(e.length() > 0 ? "; " : "").append(Planner.human(bytes)).append(" / ").append(inFlight).append(" × ")
                    .append(Planner.human(stream.figure().value())).append("/s ").append(stream.role()).append(" (")
                    .append(stream.figure().origin().word()).append(") = ").append(seconds(streams));
        }
        if (e.length() == 0) {
            e.append("nothing to move");
        }
        String bound;
        double seconds;
        if (narrow != null && byBandwidth > work && byBandwidth >= byLimit) {
            seconds = byBandwidth;
            bound = BANDWIDTH + " of '" + narrow.name() + "'" + (narrow.what().equals(BANDWIDTH) ? "" : " (" + narrow.what() + ")");
            e.append("; capped by the ").append(narrow.what()).append(" of '").append(narrow.name()).append("', ")
                    .append(Planner.human(narrow.value())).append("/s (").append(narrow.figure().origin().word()).append(narrow.note())
                    .append(") = ").append(seconds(byBandwidth));
        } else if (byLimit > work) {
            seconds = byLimit;
            bound = limited.what() + " of '" + limited.name() + "'";
            e.append("; capped by the ").append(limited.what()).append(" of '").append(limited.name()).append("', ")
                    .append(Planner.count(Math.round(limited.value()))).append("/s (").append(limited.figure().origin().word())
                    .append(") = ").append(seconds(byLimit));
        } else {
            seconds = work;
            bound = requests >= streams ? PER_REQUEST + " (" + slowRequests.role() + ")" : STREAM + " (" + stream.role() + ")";
        }
        double overhead = 0;
        java.util.LinkedHashSet<String> origins = new java.util.LinkedHashSet<>();
        for (Figure f : start) {
            overhead += f.value();
            origins.add(f.origin().word());
        }
        return new Estimate(overhead + seconds, bound, e.toString(), overhead, String.join(" + ", origins));
    }

    /** The whole explanation: the work, the bound and the start. */
    public String explain() {
        return work + "; bound: " + bound + " + " + start();
    }

    /** {@code 0.12 s to start (probe)}: the start and its origin, for a person. */
    public String start() {
        return seconds(overhead).replace(".0 s", " s") + " to start (" + origin + ")";
    }

    private static String ms(double seconds) {
        long hundredths = Math.round(seconds * 100_000);
        return hundredths / 100 + "." + (hundredths % 100 < 10 ? "0" : "") + hundredths % 100 + " ms";
    }

    private static String seconds(double s) {
        if (s > 0 && s < 0.95) {
            return String.format(java.util.Locale.ROOT, "%.2f s", s); // a probed start is often a fraction of a second
        }
        long tenths = Math.round(s * 10);
        return tenths / 10 + "." + tenths % 10 + " s";
    }
}
