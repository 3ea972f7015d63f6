package dev.migrator.plan.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Schedule quality on generated DAGs: the makespan against the lower bound max(critical path, work /
 * concurrency, bytes per endpoint / bandwidth), and the limits checked at every instant.
 */
class SchedulerTest {
    /** Graham's bound for list scheduling on m identical slots is 2 - 1/m; we assert 2 for concurrency-only DAGs. */
    static final double CONCURRENCY_FACTOR = 2.0;
    /** With bandwidth as a second resource the classic bound is (resources + 1); we assert 3. */
    static final double BANDWIDTH_FACTOR = 3.0;

    @Test
    void concurrencyOnlyDagsAreWithinTwiceTheLowerBound() {
        double worst = 0;
        double sum = 0;
        int runs = 0;
        for (long seed = 1; seed <= 60; seed++) {
            Random r = new Random(seed);
            int concurrency = 1 + r.nextInt(8);
            List<Step> steps = randomDag(r, 20 + r.nextInt(300), List.of(), 0);
            Schedule s = Scheduler.schedule(steps, concurrency, Map.of());
            checkFeasible(steps, s, concurrency, Map.of());
            double ratio = s.total() / s.lowerBound();
            assertThat(ratio).as("seed %d", seed).isGreaterThanOrEqualTo(1 - 1e-9).isLessThanOrEqualTo(CONCURRENCY_FACTOR);
            worst = Math.max(worst, ratio);
            sum += ratio;
            runs++;
        }
        System.out.printf("concurrency-only: mean makespan/lower bound %.3f, worst %.3f over %d DAGs%n", sum / runs, worst, runs);
    }

    @Test
    void bandwidthLimitsAreRespectedAndScheduleStaysNearTheBound() {
        double worst = 0;
        for (long seed = 100; seed <= 140; seed++) {
            Random r = new Random(seed);
            List<String> endpoints = List.of("a", "b", "c", "d");
            Map<String, Long> bandwidth = new HashMap<>();
            for (String e : endpoints) {
                bandwidth.put(e, (50L + r.nextInt(300)) << 20);
            }
            int concurrency = 2 + r.nextInt(8);
            List<Step> steps = randomDag(r, 50 + r.nextInt(250), endpoints, 200L << 20);
            Schedule s = Scheduler.schedule(steps, concurrency, bandwidth);
            checkFeasible(steps, s, concurrency, bandwidth);
            double ratio = s.total() / s.lowerBound();
            assertThat(ratio).as("seed %d", seed).isGreaterThanOrEqualTo(1 - 1e-9).isLessThanOrEqualTo(BANDWIDTH_FACTOR);
            worst = Math.max(worst, ratio);
        }
        System.out.printf("with bandwidth: worst makespan/lower bound %.3f%n", worst);
    }

    @Test
    void independentEqualStepsFillEverySlot() {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            steps.add(step("s" + i, Phase.PRESYNC, List.of(), 10, Map.of()));
        }
        Schedule s = Scheduler.schedule(steps, 4, Map.of());
        assertThat(s.total()).isEqualTo(30.0); // 12 steps of 10 s on 4 slots: exactly the bound
        assertThat(s.lowerBound()).isEqualTo(30.0);
    }

    @Test
    void theLongestChainGoesFirst() {
        // One slot: a short independent step must not delay the start of the long chain's head when that costs time;
        // with two slots the chain (3 x 10 s) and the filler (5 s) overlap fully.
        List<Step> steps = List.of(
                step("filler", Phase.PRESYNC, List.of(), 5, Map.of()),
                step("c1", Phase.PRESYNC, List.of(), 10, Map.of()),
                step("c2", Phase.PRESYNC, List.of("c1"), 10, Map.of()),
                step("c3", Phase.PRESYNC, List.of("c2"), 10, Map.of()));
        Schedule s = Scheduler.schedule(steps, 2, Map.of());
        assertThat(s.total()).isEqualTo(30.0);
        assertThat(s.start().get("c1")).isZero();
        assertThat(s.criticalPath()).containsExactly("c1", "c2", "c3");
    }

    @Test
    void theCutOverStartsAfterThePreCopy() {
        List<Step> steps = List.of(
                step("p", Phase.PRESYNC, List.of(), 7, Map.of()),
                step("c", Phase.CUTOVER, List.of(), 3, Map.of()));
        Schedule s = Scheduler.schedule(steps, 4, Map.of());
        assertThat(s.start().get("c")).isEqualTo(7.0);
        assertThat(s.presync()).isEqualTo(7.0);
        assertThat(s.cutover()).isEqualTo(3.0);
    }

    @Test
    void tenThousandStepsAreScheduledQuickly() {
        Random r = new Random(7);
        List<Step> steps = randomDag(r, 10_000, List.of("a", "b", "c"), 100L << 20);
        Map<String, Long> bandwidth = Map.of("a", 300L << 20, "b", 500L << 20, "c", 200L << 20);
        Scheduler.schedule(steps, 16, bandwidth); // warm up
        long t = System.nanoTime();
        Schedule s = Scheduler.schedule(steps, 16, bandwidth);
        double seconds = (System.nanoTime() - t) / 1e9;
        System.out.printf("10,000 steps scheduled in %.3f s%n", seconds);
        checkFeasible(steps, s, 16, bandwidth);
        assertThat(seconds).as("generous guard on a shared, noisy machine; bench/planner-10k.sh measures").isLessThan(5.0);
    }

    /** Random layered DAG: each step depends on up to 3 earlier ones; durations 1..600 s; some use endpoints. */
    static List<Step> randomDag(Random r, int n, List<String> endpoints, long maxRate) {
        List<Step> steps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<String> after = new ArrayList<>();
            int deps = i == 0 ? 0 : r.nextInt(4);
            for (int d = 0; d < deps; d++) {
                String dep = "s" + (Math.max(0, i - 1 - r.nextInt(Math.min(i, 50))));
                if (!after.contains(dep)) {
                    after.add(dep);
                }
            }
            Map<String, Long> demand = new HashMap<>();
            if (!endpoints.isEmpty() && r.nextInt(4) != 0) {
                long rate = 1 + (long) (r.nextDouble() * maxRate);
                demand.put(endpoints.get(r.nextInt(endpoints.size())), rate);
                demand.put(endpoints.get(r.nextInt(endpoints.size())), rate);
            }
            steps.add(step("s" + i, Phase.PRESYNC, after, 1 + r.nextInt(600), demand));
        }
        return steps;
    }

    static Step step(String id, Phase phase, List<String> after, double seconds, Map<String, Long> demand) {
        return new Step(id, "test", phase, null, after, new StepParams.None(), 0, 0, seconds, demand, "");
    }

    /** Dependencies respected; at every start instant, running steps within concurrency and bandwidth. */
    static void checkFeasible(List<Step> steps, Schedule s, int concurrency, Map<String, Long> bandwidth) {
        Map<String, Step> byId = Scheduler.byId(steps);
        for (Step st : steps) {
            for (String dep : st.after()) {
                if (byId.get(dep).phase() == st.phase()) {
                    assertThat(s.start().get(st.id())).as(st.id() + " after " + dep).isGreaterThanOrEqualTo(s.end().get(dep) - 1e-9);
                }
            }
        }
        // Sweep over start and end events in time order (ends first at equal times): the running set at each start.
        List<double[]> events = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step st = steps.get(i);
            if (st.seconds() > 0) {
                events.add(new double[] {s.start().get(st.id()), 1, i});
                events.add(new double[] {s.end().get(st.id()), 0, i});
            }
        }
        events.sort((x, y) -> x[0] != y[0] ? Double.compare(x[0], y[0]) : Double.compare(x[1], y[1]));
        int running = 0;
        Map<String, Long> used = new HashMap<>();
        for (double[] e : events) {
            Step st = steps.get((int) e[2]);
            int sign = e[1] == 1 ? 1 : -1;
            running += sign;
            st.demand().forEach((endpoint, rate) -> {
                Long cap = bandwidth.get(endpoint);
                used.merge(endpoint, sign * (cap == null ? rate : Math.min(rate, cap)), Long::sum);
            });
            if (sign == 1) {
                assertThat(running).as("steps running at %.1f s", e[0]).isLessThanOrEqualTo(concurrency);
                for (var u : used.entrySet()) {
                    Long cap = bandwidth.get(u.getKey());
                    if (cap != null) {
                        assertThat(u.getValue()).as("bandwidth of %s at %.1f s", u.getKey(), e[0]).isLessThanOrEqualTo(cap);
                    }
                }
            }
        }
    }
}
