package dev.migrator.testkit.fault;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@link FaultProxy} instances as a process for the benchmark scripts: one latency-only proxy (no faults) in
 * front of each target given, each adding the same delay to every request, as distant endpoints would.
 *
 * <pre>
 * java -cp provider-testkit/target/classes dev.migrator.testkit.fault.LatencyProxyMain 20 http://127.0.0.1:9000 ...
 * </pre>
 *
 * Prints one line {@code TARGET PROXY_ENDPOINT} per target once all listen, then runs until killed.
 */
public final class LatencyProxyMain {
    private LatencyProxyMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: LatencyProxyMain DELAY_MS TARGET_URL...");
            System.exit(2);
        }
        Duration delay = Duration.ofMillis(Long.parseLong(args[0]));
        List<FaultProxy> proxies = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            FaultProxy proxy = FaultProxy.start(URI.create(args[i]), FaultPlan.none());
            proxy.delay(delay);
            proxies.add(proxy);
            System.out.println(args[i] + " " + proxy.endpoint());
        }
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> proxies.forEach(FaultProxy::close)));
        Thread.currentThread().join(); // until killed
    }
}
