package dev.migrator.plan.planner;

import dev.migrator.provider.MigratorException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * Resource-aware list scheduling by critical path (HLFET): whenever a step ends, start the ready steps
 * with the longest remaining path to the end first, as far as {@link Resources} allow. Each phase is
 * scheduled on its own; the cut-over starts when the pre-copy ends. O((n + e) log n) plus the scan of
 * ready steps that do not fit at an event.
 */
public final class Scheduler {
    private Scheduler() {
    }

    public static Schedule schedule(List<Step> steps, int concurrency, Map<String, Long> bandwidth) {
        Map<String, Double> start = new HashMap<>();
        Map<String, Double> end = new HashMap<>();
        List<Step> presync = steps.stream().filter(s -> s.phase() == Phase.PRESYNC).toList();
        List<Step> cutover = steps.stream().filter(s -> s.phase() == Phase.CUTOVER).toList();
        Phased a = schedulePhase(presync, concurrency, bandwidth, 0, start, end);
        Phased b = schedulePhase(cutover, concurrency, bandwidth, a.makespan, start, end);
        List<Step> ordered = new ArrayList<>(steps);
        double[] at = new double[ordered.size()];
        Integer[] order = new Integer[ordered.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = start.get(ordered.get(i).id());
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> at[i]).thenComparing(i -> steps.get(i).id()));
        ordered.clear();
        for (Integer i : order) {
            ordered.add(steps.get(i));
        }
        List<String> critical = new ArrayList<>(a.critical);
        critical.addAll(b.critical);
        // the freeze window ends with the switch: steps after it (full fingerprints) are not part of it
        double freeze = b.makespan;
        if (cutover.stream().anyMatch(Planner::afterSwitch)) {
            freeze = cutover.stream().filter(s -> !Planner.afterSwitch(s)).mapToDouble(s -> end.get(s.id())).max().orElse(a.makespan)
                    - a.makespan;
        }
        return new Schedule(ordered, start, end, a.makespan, freeze, b.makespan - freeze, critical, a.lowerBound + b.lowerBound,
                Map.of(Phase.PRESYNC, a.waited, Phase.CUTOVER, b.waited));
    }

    private record Phased(double makespan, List<String> critical, double lowerBound, Map<String, Double> waited) {
    }

    private static Phased schedulePhase(List<Step> steps, int concurrency, Map<String, Long> bandwidth, double offset,
                                        Map<String, Double> startOut, Map<String, Double> endOut) {
        int n = steps.size();
        if (n == 0) {
            return new Phased(0, List.of(), 0, Map.of());
        }
        Map<String, Integer> index = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            if (index.put(steps.get(i).id(), i) != null) {
                throw new MigratorException(dev.migrator.provider.ErrorCode.FAILED, "two steps named " + steps.get(i).id());
            }
        }
        int[] indegree = new int[n];
        List<List<Integer>> next = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            next.add(new ArrayList<>(2));
        }
        for (int i = 0; i < n; i++) {
            for (String dep : steps.get(i).after()) {
                Integer d = index.get(dep);
                if (d != null) { // dependencies on another phase are met by the phase order
                    next.get(d).add(i);
                    indegree[i]++;
                }
            }
        }
        int[] topo = topological(steps, indegree, next);
        // Longest path from each step to the end, itself included: the priority.
        double[] level = new double[n];
        int[] succ = new int[n];
        Arrays.fill(succ, -1);
        for (int k = n - 1; k >= 0; k--) {
            int i = topo[k];
            double best = 0;
            for (int j : next.get(i)) {
                if (level[j] > best) {
                    best = level[j];
                    succ[i] = j;
                }
            }
            level[i] = steps.get(i).seconds() + best;
        }
        // Lower bound: the critical path, total work over the concurrency, and each endpoint's bytes over its bandwidth.
        double cp = 0;
        int head = -1;
        double work = 0;
        Map<String, Double> endpointSeconds = new HashMap<>();
        int[] remaining = indegree.clone();
        for (int i = 0; i < n; i++) {
            Step s = steps.get(i);
            work += s.seconds();
            if (remaining[i] == 0 && level[i] > cp) {
                cp = level[i];
                head = i;
            }
            for (Map.Entry<String, Long> d : s.demand().entrySet()) {
                Long cap = bandwidth.get(d.getKey());
                if (cap != null && d.getValue() > 0) {
                    // the step moves rate*busy bytes through the endpoint at most cap bytes/s
                    double busy = s.seconds() * Math.min(d.getValue(), cap) / (double) cap;
                    endpointSeconds.merge(d.getKey(), busy, Double::sum);
                }
            }
        }
        double bound = Math.max(cp, work / concurrency);
        for (double v : endpointSeconds.values()) {
            bound = Math.max(bound, v);
        }
        List<String> critical = new ArrayList<>();
        for (int i = head; i >= 0; i = succ[i]) {
            critical.add(steps.get(i).id());
        }

        Resources resources = new Resources(concurrency, bandwidth);
        // Ready steps grouped by the endpoints they use: when a group's best step does not fit, the rest of that
        // group waits for the next event too, so each event costs O(groups), not O(ready steps).
        Comparator<Integer> byPriority = Comparator.comparingDouble((Integer i) -> -level[i]).thenComparingInt(i -> i);
        Map<String, TreeSet<Integer>> groups = new HashMap<>();
        String[] groupOf = new String[n];
        for (int i = 0; i < n; i++) {
            groupOf[i] = new TreeSet<>(steps.get(i).demand().keySet()).toString();
        }
        for (int i = 0; i < n; i++) {
            if (indegree[i] == 0) {
                groups.computeIfAbsent(groupOf[i], k -> new TreeSet<>(byPriority)).add(i);
            }
        }
        double[] end = new double[n];
        PriorityQueue<Integer> running = new PriorityQueue<>(Comparator.comparingDouble((Integer i) -> end[i]).thenComparingInt(i -> i));
        PriorityQueue<TreeSet<Integer>> heads = new PriorityQueue<>((a, b) -> byPriority.compare(a.first(), b.first()));
        double now = 0;
        int done = 0;
        Map<String, Double> waited = new HashMap<>();
        double makespan = 0;
        while (done < n) {
            heads.clear();
            for (TreeSet<Integer> g : groups.values()) {
                if (!g.isEmpty()) {
                    heads.add(g);
                }
            }
            java.util.Set<String> blocked = new java.util.HashSet<>();
            while (!heads.isEmpty() && !resources.full()) {
                TreeSet<Integer> g = heads.poll();
                int i = g.first();
                Step s = steps.get(i);
                String by = resources.blockedBy(s);
                if (by != null) {
                    blocked.add(by);
                } else {
                    g.pollFirst();
                    resources.acquire(s);
                    end[i] = now + s.seconds();
                    startOut.put(s.id(), offset + now);
                    endOut.put(s.id(), offset + end[i]);
                    running.add(i);
                    if (!g.isEmpty()) {
                        heads.add(g);
                    }
                }
            }
            if (!heads.isEmpty()) {
                blocked.add(Resources.CONCURRENCY);
            }
            Integer first = running.poll();
            if (first == null) {
                throw new IllegalStateException("no step can start"); // unreachable: an idle endpoint always fits
            }
            double was = now;
            now = end[first];
            for (String by : blocked) {
                waited.merge(by, now - was, Double::sum);
            }
            List<Integer> finished = new ArrayList<>();
            finished.add(first);
            while (!running.isEmpty() && end[running.peek()] <= now) {
                finished.add(running.poll());
            }
            for (int i : finished) {
                resources.release(steps.get(i));
                done++;
                makespan = Math.max(makespan, end[i]);
                for (int j : next.get(i)) {
                    if (--indegree[j] == 0) {
                        groups.computeIfAbsent(groupOf[j], k -> new TreeSet<>(byPriority)).add(j);
                    }
                }
            }
        }
        return new Phased(makespan, critical, bound, waited);
    }

    /** A topological order, or bad input naming a step on a cycle. */
    private static int[] topological(List<Step> steps, int[] indegree, List<List<Integer>> next) {
        int n = steps.size();
        int[] deg = indegree.clone();
        int[] order = new int[n];
        int head = 0;
        int tail = 0;
        for (int i = 0; i < n; i++) {
            if (deg[i] == 0) {
                order[tail++] = i;
            }
        }
        while (head < tail) {
            int i = order[head++];
            for (int j : next.get(i)) {
                if (--deg[j] == 0) {
                    order[tail++] = j;
                }
            }
        }
        if (tail < n) {
            for (int i = 0; i < n; i++) {
                if (deg[i] > 0) {
                    throw MigratorException.badInput("the steps have a dependency cycle through " + steps.get(i).id());
                }
            }
        }
        return order;
    }

    /** For tests: a map of id to step. */
    static Map<String, Step> byId(List<Step> steps) {
        Map<String, Step> m = new LinkedHashMap<>();
        steps.forEach(s -> m.put(s.id(), s));
        return m;
    }
}
