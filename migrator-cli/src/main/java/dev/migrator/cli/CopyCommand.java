package dev.migrator.cli;

import dev.migrator.metrics.Metrics;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.ObjectStore;
import dev.migrator.transfer.CopyOptions;
import dev.migrator.transfer.CopySummary;
import dev.migrator.transfer.Copier;
import dev.migrator.transfer.StorageClassOverride;
import dev.migrator.transfer.VersionCopier;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "copy", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Copy every object under SRC to DST, verified end to end.",
            "Databases (postgresql://, mysql://): stream SRC's dump tool straight into DST's restore tool, then verify.",
            "Objects already identical at DST are skipped; a different object at DST is never replaced unless --overwrite.",
            "After a crash or Ctrl-C, run the same command again: finished objects are not copied again."})
final class CopyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC", description = "Source: s3://, gs://, file:// URI, a local path, or a database URI.")
    String src;

    @Parameters(index = "1", paramLabel = "DST", description = "Target: s3://, gs://, file:// URI, a local path, or a database URI.")
    String dst;

    @Option(names = "--transfers", paramLabel = "N|auto", defaultValue = "auto",
            description = "Objects copied in parallel: a number, or auto to grow per endpoint until it throttles "
                    + "(429/503) and back off when it does. Default: ${DEFAULT-VALUE}.")
    String transfers;

    @Option(names = "--overwrite", description = "Replace objects at DST that differ from SRC.")
    boolean overwrite;

    @Option(names = {"-n", "--dry-run"}, description = "Only report what would be copied, skipped or in conflict.")
    boolean dryRun;

    @Mixin
    OutputArgs output;

    @Mixin
    StateArgs state;

    @Option(names = "--no-verify", description = "Databases: skip comparing the fingerprints of SRC and DST after the copy.")
    boolean noVerify;

    @Option(names = "--follow", description = {"Databases (PostgreSQL): copy a snapshot while SRC stays live, then apply its"
            + " changes until Ctrl-C or --until-lag, printing the lag. Needs wal_level=logical on SRC. Run it again to resume."})
    boolean follow;

    @Option(names = "--until-lag", paramLabel = "DURATION", description = "With --follow: stop once a change at SRC reaches"
            + " DST within DURATION (e.g. 2s).")
    String untilLag;

    @Option(names = "--storage-class", paramLabel = "CLASS", description = "Write every object at DST in this storage class of DST's provider (e.g. STANDARD_IA, NEARLINE, Cool) instead of the source's class mapped by the table in docs/architecture.md.")
    String storageClass;

    @Mixin
    StoreArgs store;

    @Mixin
    VersionArgs versions;

    @Mixin
    DatabaseArgs database;

    @Mixin
    BandwidthArgs bandwidth;

    @Mixin
    MetricsArgs metrics;

    // --- buckets begin: copy --bucket-settings
    @Mixin
    BucketSettingsArgs bucketSettings;
    // --- buckets end

    @Override
    public Integer call() {
        try (Metrics m = metrics.start(); var limit = bandwidth.register()) { // metrics first: stores opened from now on are counted
            return copy(m);
        }
    }

    private int copy(Metrics m) {
        if (follow || untilLag != null) {
            return DatabaseCommands.follow(src, dst, database, untilLag, output.json, output.quiet);
        }
        if (DatabaseCommands.involved(src, dst)) {
            return DatabaseCommands.copy(src, dst, database, !noVerify, dryRun, output.json, output.quiet);
        }
        PrintStream out = System.out;
        boolean allVersions = versions.all();
        // The target keeps what lets an upload cut by kill -9 continue (GCS sessions) in the state folder.
        try (ObjectStore opened = store.open(src);
             ObjectStore target = StoreArgs.open(dst, store.options().withUploadState(state.root().resolve("uploads")))) {
            ObjectStore source = versions.source(opened);
            Path journal = state.forRun("copy", source.displayUri() + "\n" + target.displayUri()).resolve("journal");
            CopyOptions options = new CopyOptions(CopyOptions.parseTransfers(transfers), overwrite, dryRun, journal, store.retry());
            bucketSettings.check(source, target); // --- buckets: refused before anything is copied
            CopySummary summary;
            try (ConsoleProgress progress = output.progress(dryRun ? "Checking" : "Copying")) {
                MetricsArgs.eta(m, progress);
                if (allVersions) {
                    summary = new VersionCopier(source, StorageClassOverride.around(target, storageClass), options, progress).run();
                } else {
                    Copier copier = new Copier(source, StorageClassOverride.around(target, storageClass), options, progress);
                    summary = runInterruptibly(copier);
                    if (!output.json && !output.quiet) {
                        copier.concurrency().forEach(line -> System.err.println("note: concurrency throttled, " + line));
                    }
                }
            }
            if (summary.copied() + summary.skipped() + summary.failed() + summary.vanished() == 0 && !summary.interrupted()) {
                System.err.println("note: " + source.displayUri() + " has no objects; nothing to copy (check the bucket and prefix)");
            }
            // --- buckets begin: after the objects, the settings (a lifecycle rule never acts on a half-copied bucket)
            if (!summary.interrupted() && summary.failed() == 0) {
                bucketSettings.apply(source, target, dryRun, output.json ? System.err : out);
            }
            // --- buckets end
            if (output.json) {
                out.println(Json.write(new JsonSummary(source.displayUri(), target.displayUri(), summary)));
            } else {
                printHuman(out, summary, journal);
            }
            return exitCode(summary);
        }
    }

    /** Ctrl-C cancels the copy and waits for it to close its journal, so the next run resumes cleanly. */
    private static CopySummary runInterruptibly(Copier copier) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            copier.cancel();
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return copier.run();
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: the JVM exits with 130 after it
            }
        }
    }

    static int exitCode(CopySummary s) {
        if (s.interrupted()) {
            return ErrorCode.INTERRUPTED.exitCode();
        }
        if (s.failed() == 0) {
            return 0;
        }
        return s.copied() + s.skipped() > 0 ? ErrorCode.PARTIAL.exitCode() : ErrorCode.FAILED.exitCode();
    }

    private static void printHuman(PrintStream out, CopySummary s, Path journal) {
        for (CopySummary.Failure f : s.failures()) {
            System.err.println("FAILED " + f.message());
        }
        if (s.failed() > s.failures().size()) {
            System.err.println("... and " + Human.count(s.failed() - s.failures().size()) + " more failures");
        }
        double rate = s.seconds() > 0 ? s.copiedBytes() / s.seconds() : 0;
        if (s.dryRun()) {
            out.printf("Dry run: would copy %s (%s); %s already identical at the target; %s in conflict.%n",
                    Human.count(s.copied(), "object"), Human.bytes(s.copiedBytes()), Human.count(s.skipped()), Human.count(s.failed()));
            return;
        }
        out.printf("Copied %s (%s) in %s, %s/s; skipped %s already at the target (%s); failed %s%s.%n",
                Human.count(s.copied(), "object"), Human.bytes(s.copiedBytes()), Human.seconds(s.seconds()), Human.bytes(rate),
                Human.count(s.skipped()), Human.bytes(s.skippedBytes()), Human.count(s.failed()),
                s.retries() > 0 ? "; " + Human.count(s.retries()) + " retries" : "");
        if (s.vanished() > 0) {
            out.printf("%s objects vanished from the source while copying.%n", Human.count(s.vanished()));
        }
        if (s.interrupted()) {
            out.println("Interrupted. Run the same command again to resume (journal: " + journal + ").");
        } else if (s.failed() > 0) {
            out.println("Some objects failed. Fix the cause and run the same command again: finished objects are skipped.");
        } else {
            out.println("Every object verified: sizes and MD5 of the bytes read match what the target stored.");
        }
    }

    /** The --json document. */
    record JsonSummary(String source, String target, long objects, long bytes, long skipped, long skippedBytes,
                       long failed, long vanished, long retries, double seconds, boolean dryRun, boolean interrupted,
                       java.util.List<CopySummary.Failure> failures) {
        JsonSummary(String source, String target, CopySummary s) {
            this(source, target, s.copied(), s.copiedBytes(), s.skipped(), s.skippedBytes(), s.failed(), s.vanished(),
                    s.retries(), Math.round(s.seconds() * 1000) / 1000.0, s.dryRun(), s.interrupted(), s.failures());
        }
    }
}
