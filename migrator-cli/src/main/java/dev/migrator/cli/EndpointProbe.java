package dev.migrator.cli;

import dev.migrator.plan.model.Calibration;
import dev.migrator.provider.Content;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Measures one object store the way a plan uses it, for the planner's model ({@link Calibration}): the latency of
 * one request on small objects and the bytes/s of one stream on large ones, then the same at {@code concurrency}
 * streams at once. Where N streams get clearly less than N times one (under {@link #SCALES} of it), the endpoint
 * caps them, and the aggregate is its request limit or bandwidth. Reads use the store's own objects; writes (only
 * when asked) go to a scratch prefix that is deleted afterwards, also when the probe fails or is interrupted.
 */
final class EndpointProbe {
    /** N streams reaching less than this share of N times one stream: the endpoint caps them. */
    static final double SCALES = 0.8;
    /** Scratch objects for the write probe live under this prefix and a random name. */
    static final String SCRATCH = ".migrator-probe-";
    static final int SMALL_WRITE = 16 * 1024;
    /** Objects smaller than this are all latency: a stream is timed on larger ones. */
    static final long MIN_LARGE = 1 << 20;
    /** Times a step's start is measured; the median is the figure. */
    static final int STARTS = 5;

    private final ObjectStore store;
    private final int objects;
    private final long budget;
    private final int concurrency;
    private final StringBuilder log = new StringBuilder();

    /**
     * @param objects     small requests to time at one stream (four times that at {@code concurrency})
     * @param budget      bytes to read (or write) to time streams, at each of one stream and {@code concurrency}
     * @param concurrency streams at once for the second measurement
     */
    EndpointProbe(ObjectStore store, int objects, long budget, int concurrency) {
        this.store = store;
        this.objects = Math.max(1, objects);
        this.budget = Math.max(1 << 20, budget);
        this.concurrency = Math.max(1, concurrency);
    }

    /** What the probe did, one {@code # } line per measurement, for a person. */
    String log() {
        return log.toString();
    }

    /** Read figures from the store's objects, stats included; {@link Calibration#NONE} when it has none. */
    Calibration reads() {
        Sample sample = sample();
        if (sample == null) {
            note("no objects to read: read figures not measured");
            return Calibration.NONE;
        }
        return measure("read", sample.small, sample.large, o -> {
            long n = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = store.open(o.key(), 0, o.size())) {
                for (int r; (r = in.read(buf)) > 0; ) {
                    n += r;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return n;
        }).with(stats(sample.small));
    }

    /** The store's smallest objects (for per-request costs) and its largest (for streams), of its first 1,000. */
    private record Sample(List<Item> small, List<Item> large) {
    }

    private Sample sample() {
        List<ObjectInfo> listed = new ArrayList<>();
        long t0 = System.nanoTime();
        try (Stream<ObjectInfo> listing = store.list("")) {
            listing.filter(o -> !o.key().startsWith(SCRATCH)).limit(1000).forEach(listed::add);
        }
        note("listed %d objects in %.2f s", listed.size(), since(t0));
        if (listed.isEmpty()) {
            return null;
        }
        List<ObjectInfo> bySize = new ArrayList<>(listed);
        bySize.sort(Comparator.comparingLong(ObjectInfo::size));
        List<Item> items = bySize.stream().map(o -> new Item(o.key(), o.size())).toList();
        List<Item> large = new ArrayList<>(items.subList(Math.max(0, items.size() - 64), items.size()));
        java.util.Collections.reverse(large);
        return new Sample(items.subList(0, Math.min(objects, items.size())), large);
    }

    /**
     * Stats (HEAD) of existing objects, what a delta and a verify do per object at each side: the median at one stream
     * is the stat latency; at {@code concurrency} streams, a rate clearly below what they would scale to is the stat
     * limit. Measured apart from the requests of reads and writes: an endpoint serves stats far faster than writes.
     */
    private Calibration stats(List<Item> small) {
        Request stat = o -> {
            store.stat(o.key());
            return 0;
        };
        stat.run(small.get(0));
        double[] times = new double[small.size()];
        for (int i = 0; i < small.size(); i++) {
            long t = System.nanoTime();
            stat.run(small.get(i));
            times[i] = since(t);
        }
        Arrays.sort(times);
        double latency = Math.max(times[times.length / 2], 1e-6);
        note("stat: %d stats at one stream: median %s, p90 %s", small.size(), Calibration.millis(latency),
                Calibration.millis(times[(int) (times.length * 0.9)]));
        return Calibration.stats(latency, concurrency == 1 ? null : limit("stat", small, stat, latency));
    }

    /**
     * What a step costs to start on this store, as the runner starts one in a warm process: opening the store again
     * ({@code open}) and reading the first page of its listing. The median of {@link #STARTS} tries.
     */
    Calibration start(java.util.function.Supplier<ObjectStore> open) {
        double[] times = new double[STARTS];
        for (int i = 0; i < STARTS; i++) {
            long t = System.nanoTime();
            try (ObjectStore s = open.get(); Stream<ObjectInfo> listing = s.list("")) {
                listing.findFirst();
            }
            times[i] = since(t);
        }
        Arrays.sort(times);
        double start = times[STARTS / 2];
        note("step start (open the store, first listing page), %d tries: median %s, max %s", STARTS, Calibration.millis(start),
                Calibration.millis(times[STARTS - 1]));
        return new Calibration(null, null, null, null, null, null, start);
    }

    /** Write figures, on scratch objects under a fresh prefix, deleted before this returns (and on interrupt). */
    Calibration writes() {
        byte[] smallBytes = new byte[SMALL_WRITE];
        new Random(1).nextBytes(smallBytes);
        long largeSize = Math.max(1 << 20, Math.min(16L << 20, budget / 4));
        byte[] largeBytes = new byte[(int) largeSize];
        new Random(2).nextBytes(largeBytes);
        List<Item> small = new ArrayList<>();
        for (int i = 0; i < objects; i++) {
            small.add(new Item("small-" + i, SMALL_WRITE));
        }
        List<Item> large = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            large.add(new Item("large-" + i, largeSize));
        }
        return scratch(store, put -> {
            Calibration w = measure("write", small, large, o -> put.put(o.key(),
                    Content.of(o.size() == SMALL_WRITE ? smallBytes : largeBytes)));
            // A target is often empty: its stats (a delta's and a verify's at this end) are timed on the objects just written.
            List<Item> written = put.keys().stream().filter(k -> k.contains("/small-")).limit(objects)
                    .map(k -> new Item(k, SMALL_WRITE)).toList();
            return written.isEmpty() ? w : w.with(stats(written));
        });
    }

    /**
     * Copy-through figures: what a copy from this store into {@code target} gets, each request reading one of this
     * store's objects and writing it to a scratch prefix of {@code target} at once, as a copy step does on this machine
     * (its reads, writes and checksums sharing the same cores and links). Small objects give a copy's per-object cost,
     * large ones a copy stream's bytes/s, {@code concurrency} streams of them the bandwidth when it does not scale.
     * {@link Calibration#NONE} when this store has no objects; the scratch objects are deleted before this returns.
     */
    Calibration copies(ObjectStore target) {
        Sample sample = sample();
        if (sample == null) {
            note("no objects to copy: copy-through not measured");
            return Calibration.NONE;
        }
        return scratch(target, put -> measure("copy", sample.small, sample.large, o -> put.put(o.key(), new Content() {
            @Override
            public long size() {
                return o.size();
            }

            @Override
            public InputStream open() {
                return store.open(o.key(), 0, o.size());
            }
        })));
    }

    /** Puts scratch objects under a fresh prefix of a store. */
    interface ScratchPut {
        /** Puts {@code content} under the prefix, at a key made of {@code name}; returns the bytes put. */
        long put(String name, Content content);

        /** The keys put so far. */
        List<String> keys();
    }

    /**
     * Runs {@code body} with puts under a fresh scratch prefix of {@code into}, every key of which is deleted before this
     * returns, and on Ctrl-C: no new put starts, the ones under way land, then every scratch key goes (a key deleted
     * while its put is in flight would come back).
     */
    private Calibration scratch(ObjectStore into, java.util.function.Function<ScratchPut, Calibration> body) {
        String prefix = SCRATCH + UUID.randomUUID() + "/";
        ConcurrentLinkedQueue<String> written = new ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicInteger putting = new AtomicInteger();
        Runnable deleteAll = () -> {
            stopping.set(true);
            long until = System.nanoTime() + 30_000_000_000L;
            while (putting.get() > 0 && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            delete(into, written);
            sweep(into, prefix);
        };
        Thread cleanup = new Thread(deleteAll, "probe-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C: the scratch prefix goes too
        AtomicInteger unique = new AtomicInteger();
        try {
            return body.apply(new ScratchPut() {
                @Override
                public long put(String name, Content content) {
                    String key = prefix + name + "-" + unique.incrementAndGet();
                    putting.incrementAndGet();
                    try {
                        if (stopping.get()) {
                            throw new MigratorException(dev.migrator.provider.ErrorCode.INTERRUPTED, "probe interrupted");
                        }
                        written.add(key);
                        into.put(key, content, ObjectMetadata.EMPTY);
                    } finally {
                        putting.decrementAndGet();
                    }
                    return content.size();
                }

                @Override
                public List<String> keys() {
                    return List.copyOf(written);
                }
            });
        } finally {
            int n = written.size();
            deleteAll.run();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            note("deleted the %d scratch objects under %s", n, prefix);
        }
    }

    private void delete(ObjectStore into, ConcurrentLinkedQueue<String> keys) {
        for (String k; (k = keys.poll()) != null; ) {
            try {
                into.delete(k);
            } catch (MigratorException e) {
                note("could not delete scratch object %s: %s", k, e.getMessage());
            }
        }
    }

    /**
     * Deletes what is still listed under {@code prefix} until a listing comes back empty: a put that Ctrl-C cut off
     * on our side (the S3 client aborts requests in flight at shutdown) can still land on the server after its key
     * was deleted.
     */
    private void sweep(ObjectStore into, String prefix) {
        for (int round = 0; round < 10; round++) {
            ConcurrentLinkedQueue<String> left = new ConcurrentLinkedQueue<>();
            try (Stream<ObjectInfo> listed = into.list(prefix)) {
                listed.forEach(o -> left.add(o.key()));
            } catch (MigratorException e) {
                note("could not list the scratch prefix %s: %s", prefix, e.getMessage());
                return;
            }
            if (left.isEmpty() && round > 0) {
                return;
            }
            delete(into, left);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** An object a request reads or writes. */
    record Item(String key, long size) {
    }

    /** A request on one object; returns the bytes it moved. */
    interface Request {
        long run(Item o);
    }

    private Calibration measure(String what, List<Item> small, List<Item> large, Request request) {
        // One stream, small objects: the median request is the latency (the bytes of a small object are next to nothing).
        request.run(small.get(0)); // warm the connection pool
        double[] times = new double[small.size()];
        long smallBytes = 0;
        for (int i = 0; i < small.size(); i++) {
            long t = System.nanoTime();
            smallBytes += request.run(small.get(i));
            times[i] = since(t);
        }
        Arrays.sort(times);
        double latency = Math.max(times[times.length / 2], 1e-6);
        note("%s: %d small requests (%s in all) at one stream: median %s, p90 %s", what, small.size(), Sizes.format(smallBytes),
                Calibration.millis(latency), Calibration.millis(times[(int) (times.length * 0.9)]));
        if (large.get(0).size() < MIN_LARGE) {
            note("%s: the largest object is %s, too small to time a stream (give the probe objects of %s or more)", what,
                    Sizes.format(large.get(0).size()), Sizes.format(MIN_LARGE));
            return figures(what, null, latency, null, concurrency == 1 ? null : limit(what, small, request, latency));
        }
        // One stream, large objects: bytes over the time beyond each request's latency.
        long[] moved = new long[1];
        int[] requests = new int[1];
        long t1 = System.nanoTime();
        for (int i = 0; moved[0] < budget && i < 1000; i++) {
            moved[0] += request.run(large.get(i % large.size()));
            requests[0]++;
        }
        double oneSeconds = since(t1);
        long stream = (long) (moved[0] / Math.max(oneSeconds - requests[0] * latency, oneSeconds / 10));
        note("%s: %s in %d requests at one stream in %.2f s: %s/s a stream", what, Sizes.format(moved[0]), requests[0], oneSeconds,
                Sizes.format(stream));
        if (concurrency == 1) {
            return figures(what, stream, latency, null, null);
        }
        Double limit = limit(what, small, request, latency);
        AtomicLong bytes = new AtomicLong();
        AtomicInteger largeNext = new AtomicInteger();
        long target = Math.max(budget, (long) concurrency * large.get(0).size());
        long t3 = System.nanoTime();
        parallel(() -> {
            while (bytes.get() < target) {
                bytes.addAndGet(request.run(large.get(largeNext.getAndIncrement() % large.size())));
            }
        });
        double allSeconds = since(t3);
        long aggregate = (long) (bytes.get() / allSeconds);
        Long bandwidth = aggregate < SCALES * concurrency * stream ? aggregate : null;
        note("%s: %s at %d streams in %.2f s: %s/s (%s/s if they scaled)%s", what, Sizes.format(bytes.get()), concurrency, allSeconds,
                Sizes.format(aggregate), Sizes.format(concurrency * stream), bandwidth == null ? "" : ": the endpoint's bandwidth");
        return figures(what, stream, latency, bandwidth, limit);
    }

    /** Small requests at {@code concurrency} streams: their rate when it is the endpoint's limit, else null. */
    private Double limit(String what, List<Item> small, Request request, double latency) {
        int smallN = Math.max(4 * small.size(), 4 * concurrency);
        AtomicInteger next = new AtomicInteger();
        long t2 = System.nanoTime();
        parallel(() -> {
            for (int i; (i = next.getAndIncrement()) < smallN; ) {
                request.run(small.get(i % small.size()));
            }
        });
        double perSecond = smallN / since(t2);
        Double limit = perSecond < SCALES * concurrency / latency ? perSecond : null;
        note("%s: %d small requests at %d streams: %.0f/s (%.0f/s if they scaled)%s", what, smallN, concurrency, perSecond,
                concurrency / latency, limit == null ? "" : ": the endpoint's request limit");
        return limit;
    }

    private Calibration figures(String what, Long stream, double latency, Long bandwidth, Double limit) {
        Integer at = bandwidth == null ? null : concurrency; // fewer streams than this may not reach it (Throughput#bandwidthAt)
        return switch (what) {
            case "read" -> new Calibration(stream, latency, null, null, bandwidth, limit, null, at);
            case "copy" -> Calibration.copy(stream, latency, bandwidth, at, limit);
            default -> new Calibration(null, null, stream, latency, bandwidth, limit, null, at);
        };
    }

    private void parallel(Runnable task) {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "probe");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                all.add(pool.submit(task));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(dev.migrator.provider.ErrorCode.INTERRUPTED, "probe interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private void note(String format, Object... args) {
        synchronized (log) {
            log.append("#   ").append(String.format(Locale.ROOT, format, args)).append('\n');
        }
    }

    private static double since(long t) {
        return (System.nanoTime() - t) / 1e9;
    }
}
