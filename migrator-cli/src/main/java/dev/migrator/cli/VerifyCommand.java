package dev.migrator.cli;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.ObjectStore;
import dev.migrator.transfer.Difference;
import dev.migrator.transfer.StorageClassOverride;
import dev.migrator.transfer.Verifier;
import dev.migrator.transfer.VersionVerifier;
import dev.migrator.transfer.VerifyReport;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Compare SRC and DST object by object: keys, sizes, checksums and metadata.",
            "Where the two stores share no checksum, both sides are read and hashed.",
            "Databases: schema (tables, columns, indexes, constraints, sequences, views, functions, triggers) and",
            "per-table row counts and content hashes, computed inside each database.",
            "Exit 0 when identical, 3 with the list of differences otherwise."})
final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC")
    String src;

    @Parameters(index = "1", paramLabel = "DST")
    String dst;

    @Option(names = "--checkers", paramLabel = "N", defaultValue = "8",
            description = "Objects compared in parallel. Default: ${DEFAULT-VALUE}.")
    int checkers;

    @Mixin
    OutputArgs output;

    @Option(names = "--storage-class", paramLabel = "CLASS", description = "Expect every object at DST in this storage class (as copied with copy --storage-class).")
    String storageClass;

    @Mixin
    StoreArgs store;

    @Mixin
    VersionArgs versions;

    @Override
    public Integer call() {
        if (DatabaseCommands.involved(src, dst)) {
            return DatabaseCommands.verify(src, dst, output.json);
        }
        if (checkers < 1) {
            throw dev.migrator.provider.MigratorException.badInput("--checkers must be at least 1");
        }
        PrintStream out = System.out;
        boolean allVersions = versions.all();
        try (ObjectStore opened = store.open(src); ObjectStore target = store.open(dst)) {
            ObjectStore source = versions.source(opened);
            VerifyReport report;
            try (ConsoleProgress progress = output.progress("Verifying")) {
                ObjectStore expected = StorageClassOverride.around(target, storageClass);
                report = allVersions
                        ? new VersionVerifier(source, expected, checkers, store.retry(), progress, dev.migrator.transfer.Selection.ALL).run()
                        : new Verifier(source, expected, checkers, store.retry(), progress).run();
            }
            if (output.json) {
                out.println(Json.write(new JsonReport(source.displayUri(), target.displayUri(), report)));
            } else {
                for (Difference d : report.differences()) {
                    out.println(d.kind() + " " + d.key() + ": " + d.detail());
                }
                if (report.differenceCount() > report.differences().size()) {
                    out.println("... and " + Human.count(report.differenceCount() - report.differences().size()) + " more");
                }
                out.printf("%s: %s objects in the source (%s), %s in the target, %s compared, %s difference%s, %s.%n",
                        report.identical() ? "Identical" : "DIFFERENT", Human.count(report.sourceCount()),
                        Human.bytes(report.bytes()), Human.count(report.targetCount()), Human.count(report.compared()),
                        Human.count(report.differenceCount()), report.differenceCount() == 1 ? "" : "s", Human.seconds(report.seconds()));
                if (!report.verifiedBy().isEmpty()) {
                    out.println("Contents " + report.evidence() + ".");
                }
            }
            return report.identical() ? 0 : ErrorCode.DIFFERENCES.exitCode();
        }
    }

    record JsonReport(String source, String target, boolean identical, long sourceObjects, long targetObjects,
                      long compared, long bytes, long differenceCount, java.util.List<Difference> differences, double seconds,
                      java.util.Map<String, Long> verifiedBy) {
        JsonReport(String source, String target, VerifyReport r) {
            this(source, target, r.identical(), r.sourceCount(), r.targetCount(), r.compared(), r.bytes(),
                    r.differenceCount(), r.differences(), Math.round(r.seconds() * 1000) / 1000.0, r.verifiedBy());
        }
    }
}
