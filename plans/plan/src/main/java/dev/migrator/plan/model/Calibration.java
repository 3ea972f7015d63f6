package dev.migrator.plan.model;

import java.util.Locale;

/**
 * The throughput figures of one endpoint that a plan's location section may declare and {@code migrator probe}
 * measures: what the planner's model is built from. Each figure is null when neither says (the planner then uses a
 * default, flagged as a guess). The same keys are read from the plan and from a calibration file
 * ({@code plan --calibration FILE}, docs/plan-format.md).
 *
 * @param stream       bytes/s one stream reads ({@code stream:})
 * @param latency      seconds one read request takes, excluding its bytes ({@code latency:}; {@code requests: R/s} means 1/R)
 * @param writeStream  bytes/s one stream writes ({@code write-stream:})
 * @param writeLatency seconds one write request takes, excluding its bytes ({@code write-latency:})
 * @param bandwidth    bytes/s the endpoint carries for all streams together ({@code bandwidth:})
 * @param requestLimit requests/s the endpoint serves for all streams together ({@code request-limit:})
 * @param overhead     seconds a step takes to start on the endpoint: opening it and its first listing page ({@code step-start:})
 * @param bandwidthStreams streams at once at which {@code bandwidth} was measured ({@code bandwidth-streams:}): fewer
 *                     streams may not reach it
 * @param statLatency  seconds one stat (HEAD) of an existing object takes ({@code stat-latency:}): what a delta or a
 *                     verify costs per object at each side
 * @param statLimit    stats/s the endpoint serves for all streams together ({@code stat-limit:}), measured apart from
 *                     {@code request-limit} because stats are far cheaper than writes
 * @param copyStream   bytes/s one stream copies from the source of the moves into this location, reading and writing at
 *                     once on the same machine ({@code copy-stream:}, a target's figure: {@code probe PLAN --write})
 * @param copyLatency  seconds one small object's copy into this location takes, its read and its write ({@code copy-latency:})
 * @param copyBandwidth bytes/s all copy streams into this location carry together ({@code copy-bandwidth:}), measured at
 *                     {@code copyStreams} streams ({@code copy-streams:})
 * @param copyLimit    small objects/s all copy streams into this location carry together ({@code copy-limit:}), when
 *                     clearly fewer than they would scale to
 * @param copyStart    seconds a pre-copy step into this location takes to start, measured in a rehearsal drill
 *                     ({@code copy-start:}; {@code probe PLAN --from-run}); replaces both ends' {@code step-start}
 * @param deltaStart   the same for a cut-over delta ({@code delta-start:})
 * @param verifyStart  the same for a verify ({@code verify-start:})
 * @param copyPerObject seconds each object of a pre-copy into this location costs one stream beyond the model's figures,
 *                     measured in a rehearsal with steps of different sizes ({@code copy-per-object:})
 * @param deltaPerObject the same for a delta ({@code delta-per-object:})
 * @param verifyPerObject the same for a verify ({@code verify-per-object:})
 * @param dumpStart    seconds a database dump step takes before its data, on this source: its tool's start, its
 *                     connections and the schema ({@code dump-start:}; {@code probe} times a dump of the schema alone)
 * @param restoreStart the same for a restore into this target ({@code restore-start:}; {@code probe --write} times the
 *                     restore tool on that schema-only dump and a connection to the target)
 * @param fingerprintStart seconds a database verify takes at this end before it hashes rows: a connection and the
 *                     schema part of the fingerprint ({@code fingerprint-start:})
 * @param hashRate     bytes/s of rows this database fingerprints, the verify's per-row query timed on the sample
 *                     ({@code hash-rate:})
 * @param dumpStream   bytes/s of table data one dump job writes into files at on this source, its compression included
 *                     ({@code dump-stream:}; {@code probe} times the dump tool on the largest table, in its stored bytes):
 *                     what a dump step and a bundle's dump run at. {@code stream} stays the uncompressed read (a direct
 *                     copy, replication)
 */
public record Calibration(Long stream, Double latency, Long writeStream, Double writeLatency, Long bandwidth, Double requestLimit,
                          Double overhead, Integer bandwidthStreams, Double statLatency, Double statLimit, Long copyStream,
                          Double copyLatency, Long copyBandwidth, Integer copyStreams, Double copyLimit, Double copyStart, Double deltaStart,
                          Double verifyStart, Double copyPerObject, Double deltaPerObject, Double verifyPerObject,
                          Double dumpStart, Double restoreStart, Double fingerprintStart, Long hashRate, Long dumpStream) {
    public static final Calibration NONE = new Calibration(null, null, null, null, null, null, null, null);

    /** The figures of one endpoint alone: no stats, copies or rehearsed starts. */
    public Calibration(Long stream, Double latency, Long writeStream, Double writeLatency, Long bandwidth, Double requestLimit,
                       Double overhead, Integer bandwidthStreams) {
        this(stream, latency, writeStream, writeLatency, bandwidth, requestLimit, overhead, bandwidthStreams, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The same figures without a database's (the 21 an object store has). */
    public Calibration(Long stream, Double latency, Long writeStream, Double writeLatency, Long bandwidth, Double requestLimit,
                       Double overhead, Integer bandwidthStreams, Double statLatency, Double statLimit, Long copyStream,
                       Double copyLatency, Long copyBandwidth, Integer copyStreams, Double copyLimit, Double copyStart, Double deltaStart,
                       Double verifyStart, Double copyPerObject, Double deltaPerObject, Double verifyPerObject) {
        this(stream, latency, writeStream, writeLatency, bandwidth, requestLimit, overhead, bandwidthStreams, statLatency, statLimit,
                copyStream, copyLatency, copyBandwidth, copyStreams, copyLimit, copyStart, deltaStart, verifyStart, copyPerObject,
                deltaPerObject, verifyPerObject, null, null, null, null, null);
    }

    /** Only a database's step starts and hashing rate, as {@code probe} measured them on a sample (or nulls). */
    public static Calibration database(Double dumpStart, Double restoreStart, Double fingerprintStart, Long hashRate) {
        return database(dumpStart, restoreStart, fingerprintStart, hashRate, null);
    }

    /** The same and the rate a dump into files runs at (or null). */
    public static Calibration database(Double dumpStart, Double restoreStart, Double fingerprintStart, Long hashRate,
                                       Long dumpStream) {
        return new Calibration(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, dumpStart, restoreStart, fingerprintStart, hashRate, dumpStream);
    }

    /** Only a stat latency and limit (either may be null). */
    public static Calibration stats(Double latency, Double limit) {
        return new Calibration(null, null, null, null, null, null, null, null, latency, limit, null, null, null, null, null, null, null,
                null, null, null, null);
    }

    /**
     * Only copy-through figures: one stream's bytes/s, a small object's copy, the bandwidth at {@code streams} and the
     * small copies/s at them (or nulls).
     */
    public static Calibration copy(Long stream, Double latency, Long bandwidth, Integer streams, Double limit) {
        return new Calibration(null, null, null, null, null, null, null, null, null, null, stream, latency, bandwidth, streams,
                limit, null, null, null, null, null, null);
    }

    /** Only the starts of a pre-copy, a delta and a verify step, and their costs per object, as a rehearsal measured them (or nulls). */
    public static Calibration starts(Double copy, Double delta, Double verify, Double copyPerObject, Double deltaPerObject,
                                     Double verifyPerObject) {
        return new Calibration(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, copy, delta,
                verify, copyPerObject, deltaPerObject, verifyPerObject);
    }

    /** The throughput figures and a step's start. */
    public Calibration(Long stream, Double latency, Long writeStream, Double writeLatency, Long bandwidth, Double requestLimit,
                       Double overhead) {
        this(stream, latency, writeStream, writeLatency, bandwidth, requestLimit, overhead, null);
    }

    /** The six throughput figures, no step start. */
    public Calibration(Long stream, Double latency, Long writeStream, Double writeLatency, Long bandwidth, Double requestLimit) {
        this(stream, latency, writeStream, writeLatency, bandwidth, requestLimit, null);
    }

    /** Each figure {@code over} has, else this one's. */
    public Calibration with(Calibration over) {
        return new Calibration(pick(over.stream, stream), pick(over.latency, latency), pick(over.writeStream, writeStream),
                pick(over.writeLatency, writeLatency), pick(over.bandwidth, bandwidth), pick(over.requestLimit, requestLimit),
                pick(over.overhead, overhead), over.bandwidth != null ? over.bandwidthStreams : bandwidthStreams,
                pick(over.statLatency, statLatency), pick(over.statLimit, statLimit), pick(over.copyStream, copyStream),
                pick(over.copyLatency, copyLatency), pick(over.copyBandwidth, copyBandwidth),
                over.copyBandwidth != null ? over.copyStreams : copyStreams, pick(over.copyLimit, copyLimit), pick(over.copyStart, copyStart),
                pick(over.deltaStart, deltaStart), pick(over.verifyStart, verifyStart), pick(over.copyPerObject, copyPerObject),
                pick(over.deltaPerObject, deltaPerObject), pick(over.verifyPerObject, verifyPerObject), pick(over.dumpStart, dumpStart),
                pick(over.restoreStart, restoreStart), pick(over.fingerprintStart, fingerprintStart), pick(over.hashRate, hashRate),
                pick(over.dumpStream, dumpStream));
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    /** The figures as the lines of a location section, each with {@code indent}, in a form the parser reads back. */
    public String yaml(String indent) {
        StringBuilder b = new StringBuilder();
        if (stream != null) {
            b.append(indent).append("stream: ").append(rate(stream)).append('\n');
        }
        if (latency != null) {
            b.append(indent).append("latency: ").append(millis(latency)).append('\n');
        }
        if (writeStream != null) {
            b.append(indent).append("write-stream: ").append(rate(writeStream)).append('\n');
        }
        if (writeLatency != null) {
            b.append(indent).append("write-latency: ").append(millis(writeLatency)).append('\n');
        }
        if (bandwidth != null) {
            b.append(indent).append("bandwidth: ").append(rate(bandwidth)).append('\n');
        }
        if (requestLimit != null) {
            b.append(indent).append("request-limit: ").append(String.format(Locale.ROOT, "%.0f/s", requestLimit)).append('\n');
        }
        if (bandwidth != null && bandwidthStreams != null) {
            b.append(indent).append("bandwidth-streams: ").append(bandwidthStreams).append('\n');
        }
        if (overhead != null) {
            b.append(indent).append("step-start: ").append(millis(overhead)).append('\n');
        }
        if (statLatency != null) {
            b.append(indent).append("stat-latency: ").append(millis(statLatency)).append('\n');
        }
        if (statLimit != null) {
            b.append(indent).append("stat-limit: ").append(String.format(Locale.ROOT, "%.0f/s", statLimit)).append('\n');
        }
        if (copyStream != null) {
            b.append(indent).append("copy-stream: ").append(rate(copyStream)).append('\n');
        }
        if (copyLatency != null) {
            b.append(indent).append("copy-latency: ").append(millis(copyLatency)).append('\n');
        }
        if (copyBandwidth != null) {
            b.append(indent).append("copy-bandwidth: ").append(rate(copyBandwidth)).append('\n');
            if (copyStreams != null) {
                b.append(indent).append("copy-streams: ").append(copyStreams).append('\n');
            }
        }
        if (copyLimit != null) {
            b.append(indent).append("copy-limit: ").append(String.format(Locale.ROOT, "%.0f/s", copyLimit)).append('\n');
        }
        if (copyStart != null) {
            b.append(indent).append("copy-start: ").append(millis(copyStart)).append('\n');
        }
        if (deltaStart != null) {
            b.append(indent).append("delta-start: ").append(millis(deltaStart)).append('\n');
        }
        if (verifyStart != null) {
            b.append(indent).append("verify-start: ").append(millis(verifyStart)).append('\n');
        }
        if (copyPerObject != null) {
            b.append(indent).append("copy-per-object: ").append(millis(copyPerObject)).append('\n');
        }
        if (deltaPerObject != null) {
            b.append(indent).append("delta-per-object: ").append(millis(deltaPerObject)).append('\n');
        }
        if (verifyPerObject != null) {
            b.append(indent).append("verify-per-object: ").append(millis(verifyPerObject)).append('\n');
        }
        if (dumpStart != null) {
            b.append(indent).append("dump-start: ").append(millis(dumpStart)).append('\n');
        }
        if (restoreStart != null) {
            b.append(indent).append("restore-start: ").append(millis(restoreStart)).append('\n');
        }
        if (fingerprintStart != null) {
            b.append(indent).append("fingerprint-start: ").append(millis(fingerprintStart)).append('\n');
        }
        if (hashRate != null) {
            b.append(indent).append("hash-rate: ").append(rate(hashRate)).append('\n');
        }
        if (dumpStream != null) {
            b.append(indent).append("dump-stream: ").append(rate(dumpStream)).append('\n');
        }
        return b.toString();
    }

    /** {@code 2.5ms}, {@code 0.35ms}: latencies as the parser reads them ({@link #seconds}). */
    public static String millis(double seconds) {
        double ms = seconds * 1000;
        // Three significant digits, never an exponent (%.3g writes 1200 ms as 1.20e+03, which no parser reads back).
        return ms >= 100 ? String.format(Locale.ROOT, "%.0fms", ms) : String.format(Locale.ROOT, "%.3gms", ms);
    }

    /**
     * A latency such as {@code 12ms}, {@code 0.4ms}, {@code 350us} or {@code 0.02s} in seconds, or null when it is none
     * (sub-millisecond latencies matter here: {@link Units#duration} keeps whole milliseconds).
     */
    public static Double seconds(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?(?:e-?[0-9]+)?)\\s*(us|µs|ms|s)\\s*")
                .matcher(text);
        if (!m.matches()) {
            return null;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "us", "µs" -> v / 1e6;
            case "ms" -> v / 1e3;
            default -> v;
        };
    }

    private static String rate(long bytesPerSecond) {
        return String.format(Locale.ROOT, "%.1fMiB/s", bytesPerSecond / 1048576.0).replace(".0MiB", "MiB");
    }

    private static <T> T pick(T a, T b) {
        return a != null ? a : b;
    }
}
