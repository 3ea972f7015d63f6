package dev.migrator.plan.planner;

import dev.migrator.plan.planner.Throughput.Figure;

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

    /** One side's share of a step: its latency per object and its stream rate, described for the explanation. */
    record Side(String name, String role, Figure latency, Figure stream, Throughput model) {
    }

    /** A copy from {@code a} to {@code b}: per object a read at the source and a write at the target, bytes at the slower stream. */
    static Estimate copy(String from, Throughput a, String to, Throughput b, long bytes, long objects, int parallelism) {
        return of(new Side(from, "source reads", a.latency(), a.stream(), a), new Side(to, "target writes", b.writeLatency(),
                b.writeStream(), b), bytes, objects, parallelism);
    }

    /** A comparison of both sides (a verify, a delta's unchanged objects): per object a stat at each side, no bytes. */
    static Estimate compare(String from, Throughput a, String to, Throughput b, long objects, int parallelism) {
        return of(new Side(from, "source stats", a.latency(), a.stream(), a), new Side(to, "target stats", b.latency(),
                b.stream(), b), 0, objects, parallelism);
    }

    private static Estimate of(Side x, Side y, long bytes, long objects, int parallelism) {
        int inFlight = (int) Math.max(1, Math.min(parallelism, Math.max(objects, 1)));
        double latency = x.latency.value() + y.latency.value();
        Side slow = x.stream.value() <= y.stream.value() ? x : y;
        Side slowRequests = x.latency.value() >= y.latency.value() ? x : y;
        double requests = objects * latency / inFlight;
        double streams = bytes / (slow.stream.value() * inFlight);
        double atX = x.model.bandwidthAt(inFlight, x.stream.value());
        double atY = y.model.bandwidthAt(inFlight, y.stream.value());
        double bandwidth = Math.min(atX, atY);
        Side narrow = atX <= atY ? x : y;
        boolean fewer = bandwidth < narrow.model.bandwidth().value(); // fewer streams than the bandwidth was measured at
        double limit = Math.min(x.model.requestLimit().value(), y.model.requestLimit().value());
        Side limited = x.model.requestLimit().value() <= y.model.requestLimit().value() ? x : y;
        double byBandwidth = bytes / bandwidth;
        double byLimit = objects / limit;
        double work = requests + streams;
        StringBuilder e = new StringBuilder();
        if (objects > 0) {
            e.append(Planner.count(objects)).append(" objects × (").append(ms(x.latency.value())).append(' ').append(x.role)
                    .append(" (").append(x.latency.origin().word()).append(") + ").append(ms(y.latency.value())).append(' ')
                    .append(y.role).append(" (").append(y.latency.origin().word()).append(")) / ").append(inFlight)
                    .append(" in flight = ").append(seconds(requests));
        }
        if (bytes > 0) {
            e.append(e.length() > 0 ? "; " : "").append(Planner.human(bytes)).append(" / ").append(inFlight).append(" × ")
                    .append(Planner.human(slow.stream.value())).append("/s ").append(slow.role).append(" (")
                    .append(slow.stream.origin().word()).append(") = ").append(seconds(streams));
        }
        if (e.length() == 0) {
            e.append("nothing to move");
        }
        String bound;
        double seconds;
        if (byBandwidth > work && byBandwidth >= byLimit) {
            seconds = byBandwidth;
            bound = BANDWIDTH + " of '" + narrow.name + "'";
            e.append("; capped by the bandwidth of '").append(narrow.name).append("', ").append(Planner.human(bandwidth))
                    .append("/s (").append(narrow.model.bandwidth().origin().word())
                    .append(fewer ? ", at " + inFlight + " streams of the " + narrow.model.bandwidthStreams() + " it was measured at" : "")
                    .append(") = ").append(seconds(byBandwidth));
        } else if (byLimit > work) {
            seconds = byLimit;
            bound = REQUEST_LIMIT + " of '" + limited.name + "'";
            e.append("; capped by the request limit of '").append(limited.name).append("', ").append(Planner.count(Math.round(limit)))
                    .append("/s (").append(limited.model.requestLimit().origin().word()).append(") = ").append(seconds(byLimit));
        } else {
            seconds = work;
            bound = requests >= streams ? PER_REQUEST + " (" + slowRequests.role + ")" : STREAM + " (" + slow.role + ")";
        }
        Figure ox = x.model.overhead();
        Figure oy = y.model.overhead();
        String origin = ox.origin() == oy.origin() ? ox.origin().word() : ox.origin().word() + " + " + oy.origin().word();
        double overhead = ox.value() + oy.value();
        return new Estimate(overhead + seconds, bound, e.toString(), overhead, origin);
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
