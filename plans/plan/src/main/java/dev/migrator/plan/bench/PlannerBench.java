package dev.migrator.plan.bench;

import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.planner.Inventory;
import dev.migrator.plan.planner.Planner;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times planning a large plan, offline (declared sizes, so only the planner is measured): {@code moves}
 * buckets of 3 shards each, across 20 source and 20 target endpoints with bandwidth limits, gives
 * 9 steps per move (copy, delta, verify per shard) plus hooks. Prints the median and worst of several runs.
 * Run by bench/planner-10k.sh.
 */
public final class PlannerBench {
    private PlannerBench() {
    }

    public static void main(String[] args) throws Exception {
        int moves = args.length > 0 ? Integer.parseInt(args[0]) : 1111;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        StringBuilder y = new StringBuilder("name: bench\ndeadline: 48h\nsources:\n");
        for (int e = 0; e < 20; e++) {
            y.append("  src").append(e).append(": {uri: 's3://old-").append(e).append("/', bandwidth: ").append(100 + 20 * e)
                    .append("MiB/s, stream: 30MiB/s, requests: 50/s, objects: 1, size: 1}\n");
        }
        y.append("targets:\n");
        for (int e = 0; e < 20; e++) {
            y.append("  dst").append(e).append(": {uri: 'file:///srv/new/").append(e).append("', bandwidth: 400MiB/s}\n");
        }
        y.append("moves:\n");
        for (int m = 0; m < moves; m++) {
            // each move names its own source location with a declared size: sources are reused by endpoint
            y.append("  - {name: m").append(m).append(", from: src").append(m % 20).append(", to: dst").append((m * 7) % 20)
                    .append(", shards: 3, include: ['p").append(m).append("/']}\n");
        }
        y.append("limits: {concurrency: 32}\nhooks:\n  freeze: [{run: 'true', estimate: 10s}]\n  switch: [{run: 'true', estimate: 30s}]\n");
        Plan base = PlanParser.parse(Path.of("bench.yaml"), y.toString());
        // Vary sizes per move (declared sizes are per source; give each move its own from a seeded generator).
        java.util.Random r = new java.util.Random(1);
        long[] bytes = new long[moves];
        long[] objects = new long[moves];
        for (int m = 0; m < moves; m++) {
            bytes[m] = (long) (Math.exp(r.nextGaussian() * 1.5) * (2L << 30));
            objects[m] = Math.max(1, bytes[m] / (300 * 1024));
        }
        Inventory.Source sizes = (loc, move) -> {
            int m = Integer.parseInt(move.name().substring(1));
            return new Inventory(objects[m], bytes[m], java.util.List.of(), false);
        };
        double[] times = new double[runs];
        double[] cpu = new double[runs];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Planner.Result result = null;
        for (int i = 0; i < runs; i++) {
            long c = threads.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            result = Planner.plan(base, sizes);
            times[i] = (System.nanoTime() - t) / 1e9;
            cpu[i] = (threads.getCurrentThreadCpuTime() - c) / 1e9;
        }
        double[] cpuSorted = cpu.clone();
        Arrays.sort(cpuSorted);
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "steps=%d runs=%d first=%.3fs median=%.3fs (cpu %.3fs) worst-after-first=%.3fs makespan=%.0fs lower-bound=%.0fs ratio=%.3f%n",
                result.steps().size(), runs, times[0], sorted[runs / 2], cpuSorted[runs / 2],
                Arrays.stream(times, 1, runs).max().orElse(times[0]), result.schedule().total(), result.schedule().lowerBound(),
                result.schedule().total() / result.schedule().lowerBound());
    }
}
