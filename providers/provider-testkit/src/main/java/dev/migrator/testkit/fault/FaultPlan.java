package dev.migrator.testkit.fault;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Which requests {@link FaultProxy} disturbs, and how. The proxy asks the plan about every request in
 * arrival order, one at a time, so a plan needs no locking and a seeded plan is reproducible for a
 * given order of requests.
 */
@FunctionalInterface
public interface FaultPlan {

    /** The fault for {@code request}, or {@code null} to forward it untouched. */
    Fault decide(Request request);

    /**
     * A request as the plan sees it.
     *
     * @param index  0-based arrival number among the requests this plan was asked about
     * @param method HTTP method, e.g. {@code GET}
     * @param target the request target (path and query), still percent-encoded
     */
    record Request(long index, String method, String target) {
    }

    /** Forward everything. */
    static FaultPlan none() {
        return r -> null;
    }

    /** Request {@code i} gets {@code faults[i]} ({@code null}: forwarded); later requests are forwarded. */
    static FaultPlan sequence(Fault... faults) {
        Fault[] copy = Arrays.copyOf(faults, faults.length);
        return r -> r.index() < copy.length ? copy[(int) r.index()] : null;
    }

    /** Every {@code n}-th request (the n-th, 2n-th, ...) gets {@code fault}. */
    static FaultPlan everyNth(int n, Fault fault) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
        Objects.requireNonNull(fault, "fault");
        return r -> (r.index() + 1) % n == 0 ? fault : null;
    }

    /** Each request, with {@code probability}, gets one of {@code faults} chosen uniformly; seeded, so reproducible. */
    static FaultPlan random(long seed, double probability, Fault... faults) {
        if (faults.length == 0 || probability < 0 || probability > 1) {
            throw new IllegalArgumentException("need at least one fault and a probability in [0, 1]");
        }
        Random random = new Random(seed);
        Fault[] copy = Arrays.copyOf(faults, faults.length);
        return r -> random.nextDouble() < probability ? copy[random.nextInt(copy.length)] : null;
    }

    /**
     * This plan, applied only to requests {@code which} accepts (they are numbered among themselves);
     * every other request is forwarded. E.g. {@code FaultPlan.sequence(RESET).only(r -> r.method().equals("PUT"))}.
     */
    default FaultPlan only(Predicate<Request> which) {
        AtomicLong matching = new AtomicLong();
        return r -> which.test(r) ? decide(new Request(matching.getAndIncrement(), r.method(), r.target())) : null;
    }

    /** This plan, but at most {@code max} faults in total; later requests are forwarded. */
    default FaultPlan limit(int max) {
        AtomicLong injected = new AtomicLong();
        return r -> {
            if (injected.get() >= max) {
                return null;
            }
            Fault f = decide(r);
            if (f != null) {
                injected.incrementAndGet();
            }
            return f;
        };
    }

    /** Only requests with one of these HTTP methods. */
    static Predicate<Request> methods(String... methods) {
        java.util.Set<String> set = java.util.Set.of(methods);
        return r -> set.contains(r.method());
    }
}
