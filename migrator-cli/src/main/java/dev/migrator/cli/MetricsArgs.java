package dev.migrator.cli;

import dev.migrator.metrics.Metrics;
import picocli.CommandLine.Option;

/** {@code --metrics-port}, shared by the long-running commands (run, drill, copy, bundle). */
final class MetricsArgs {
    @Option(names = "--metrics-port", paramLabel = "[HOST:]PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics while the command runs: objects, bytes, retries and "
                    + "throttles per endpoint, step states, ETA, replication lag. PORT alone listens on every interface.")
    String address;

    /** Starts serving when asked (and says where, on stderr); null otherwise. Close it when the command ends. */
    Metrics start() {
        if (address == null) {
            return null;
        }
        Metrics m = Metrics.serve(address);
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? "localhost" : address.substring(0, colon);
        System.err.println("Metrics: http://" + host + ":" + m.port() + "/metrics");
        return m;
    }

    /** A transfer's ETA for the metrics, when they are served. */
    static void eta(Metrics m, ConsoleProgress progress) {
        if (m != null) {
            m.eta(progress::eta);
        }
    }
}
