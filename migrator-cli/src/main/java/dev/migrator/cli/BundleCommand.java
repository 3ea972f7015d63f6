package dev.migrator.cli;

import dev.migrator.metrics.Metrics;
import dev.migrator.bundle.BundleCheck;
import dev.migrator.bundle.BundleEndpoints;
import dev.migrator.bundle.BundleOptions;
import dev.migrator.bundle.BundleReader;
import dev.migrator.bundle.BundleRef;
import dev.migrator.bundle.BundleSource;
import dev.migrator.bundle.BundleWriter;
import dev.migrator.bundle.Damage;
import dev.migrator.bundle.Encryption;
import dev.migrator.bundle.Manifest;
import dev.migrator.bundle.RestoreOptions;
import dev.migrator.bundle.RestoreSummary;
import dev.migrator.bundle.RestoreTarget;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.Sizes;
import dev.migrator.provider.StoreOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code migrator bundle}: portable, verifiable tar+zstd snapshots (docs/bundle-format.md). */
@Command(name = "bundle", mixinStandardHelpOptions = true,
        description = {"Snapshot sources into a portable bundle, check it, and restore it anywhere.",
            "A bundle is tar + zstd parts, a manifest and SHA256SUMS; it restores with GNU tar and zstd alone: docs/bundle-format.md."},
        subcommands = {BundleCommand.Create.class, BundleCommand.Inspect.class, BundleCommand.Verify.class, BundleCommand.Restore.class})
final class BundleCommand {

    /** Options every bundle subcommand shares. */
    static class Common {
        @Mixin
        RetryArgs retries;

        @Mixin
        OutputArgs output;

        @Option(names = "--key-file", paramLabel = "FILE",
                description = "The encryption key (32 bytes as base64, e.g. from 'openssl rand -base64 32'). Default: the environment variable "
                        + Encryption.KEY_ENV + ".")
        Path keyFile;

        /** A reader of the bundle, with its key when the bundle is encrypted. */
        BundleReader reader(ObjectStore store, dev.migrator.transfer.Progress progress) {
            boolean encrypted = BundleReader.open(store, retry(), progress).inspect().encryption() != null;
            return BundleReader.open(store, retry(), progress, encrypted ? Encryption.load(keyFile) : null);
        }

        Retry retry() {
            return retries.retry();
        }

        ObjectStore store(String location) {
            return StoreArgs.open(location, storeOptions());
        }

        /** Opens sources, targets and the bundle's location by URI (the bundle module decides database or store). */
        BundleEndpoints endpoints() {
            return new BundleEndpoints(storeOptions());
        }

        /** Bundle commands have no --part-size/--part-concurrency of their own for stores (create's --part-size is the bundle's). */
        private StoreOptions storeOptions() {
            return new StoreOptions(StoreOptions.DEFAULT_PART_SIZE, 4, retry());
        }
    }

    @Command(name = "create", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Snapshot every SRC (object stores; databases through their dump tools) into a new bundle at STORE.",
                "Streams: parts are built one at a time in the state directory and uploaded while the next is built.",
                "Prints the bundle's URI. After a crash or Ctrl-C, run the same command again: finished parts are kept."})
    static final class Create extends Common implements Callable<Integer> {
        @Mixin
        MetricsArgs metrics;

        @Parameters(paramLabel = "SRC", arity = "1..*", description = "Sources: s3://, gs://, file:// URIs or local paths; database URIs.")
        List<String> sources;

        @Option(names = "--to", paramLabel = "STORE", required = true,
                description = "Where the bundle goes: an empty location on any object store (s3://, gs://, file://, a local path).")
        String to;

        @Option(names = "--part-size", paramLabel = "SIZE", defaultValue = "1G",
                description = "Close a part at about this many stored bytes, e.g. 256M, 1G. Default: ${DEFAULT-VALUE}.")
        String partSize;

        @Option(names = "--uploads", paramLabel = "N", defaultValue = "4",
                description = "Parts uploaded at once (each waits as a local file of up to --part-size). Default: ${DEFAULT-VALUE}.")
        int uploads;

        @Option(names = "--readers", paramLabel = "N", defaultValue = "16",
                description = "Source objects read ahead in parallel. Default: ${DEFAULT-VALUE}.")
        int readers;

        @Option(names = "--level", paramLabel = "N", defaultValue = "3", description = "zstd level 1..19. Default: ${DEFAULT-VALUE}.")
        int level;

        @Option(names = "--threads", paramLabel = "N", description = "zstd compression threads. Default: the number of CPUs.")
        Integer threads;

        @Option(names = "--encrypt",
                description = "Encrypt every part (Tink streaming AEAD, AES256-GCM-HKDF) with the key of --key-file or " + Encryption.KEY_ENV + ".")
        boolean encrypt;

        // --- bver begin
        @Option(names = "--versions", paramLabel = "latest|all", defaultValue = "latest",
                description = "latest: each key's current object (the default). all: every version and delete marker of each"
                        + " key of a versioned SRC, in history order (a format version 3 bundle; restore recreates the history).")
        String versions;

        @Option(names = "--versions-at", paramLabel = "TIME",
                description = "Bundle the versioned SRC as it was at TIME (ISO-8601, e.g. 2026-11-30T12:00:00Z): each key's newest"
                        + " version not newer than TIME.")
        String versionsAt;

        @Option(names = "--bucket-settings",
                description = "Also store each object SRC's bucket settings (CORS, lifecycle, website, versioning, public access,"
                        + " policy) in the manifest, for 'bundle restore --bucket-settings'.")
        boolean bucketSettings;

        /** An object source as the version and settings options ask; a database source as it is. */
        private BundleSource withOptions(BundleSource source) {
            VersionArgs v = new VersionArgs();
            v.versions = versions;
            v.at = versionsAt;
            boolean all = v.all();
            if (source instanceof BundleSource.Objects o) {
                return new BundleSource.Objects(v.source(o.store()), all, bucketSettings);
            }
            return source;
        }
        // --- bver end

        @Mixin
        StateArgs state;

        @Mixin
        BandwidthArgs bandwidth;

        @Override
        public Integer call() {
            try (var limit = bandwidth.register()) {
                return create();
            }
        }

        private Integer create() {
            try (Metrics m = metrics.start(); BundleEndpoints ends = endpoints()) {
                ObjectStore target = ends.store(StoreArgs.toUri(to));
                List<BundleSource> list = new ArrayList<>();
                for (String s : sources) {
                    list.add(withOptions(ends.source(StoreArgs.toUri(s)))); // BundleWriter refuses a source that overlaps the bundle's location
                }
                // Another mode is another bundle: its interrupted run is not this one's to resume.
                String mode = (list.stream().anyMatch(x -> x instanceof BundleSource.Objects o && o.history()) ? "\nversions all" : "")
                        + (bucketSettings ? "\nbucket settings" : "");
                String id = String.join("\n", list.stream().map(BundleSource::displayUri).toList()) + "\n->" + target.displayUri() + mode;
                Path stateDir = state.forRun("bundle", id);
                BundleOptions options = new BundleOptions(Sizes.parse(partSize, "--part-size"), uploads, readers, level,
                        threads == null ? Runtime.getRuntime().availableProcessors() : threads, stateDir, retry(),
                        encrypt ? Encryption.load(keyFile) : null);
                BundleRef ref;
                try (ConsoleProgress progress = output.progress("Bundling")) {
                    MetricsArgs.eta(m, progress);
                    ref = createInterruptibly(new BundleWriter(target, options, progress), list);
                }
                if (output.json) {
                    System.out.println(Json.write(ref));
                } else {
                    System.err.printf("Bundled %s (%s) from %s into %s (%s stored) in %s%s%s.%n",
                            Human.count(ref.entries()) + (ref.entries() == 1 ? " entry" : " entries"), Human.bytes(ref.bytes()),
                            Human.count(ref.sources(), "source"), Human.count(ref.parts(), "part"), Human.bytes(ref.storedBytes()),
                            Human.seconds(ref.seconds()),
                            ref.resumed() > 0 ? "; kept " + Human.count(ref.resumed(), "part") + " of an interrupted run" : "",
                            ref.vanished() > 0 ? "; " + Human.count(ref.vanished()) + " objects vanished from the source while it was read" : "");
                    System.out.println(ref.uri());
                }
                return 0;
            }
        }
    }

    /**
     * Ctrl-C lets the parts being uploaded finish and be journaled before the JVM exits (130), so no
     * half-written upload is left at the target and the same command keeps them.
     */
    private static BundleRef createInterruptibly(BundleWriter writer, List<BundleSource> sources) {
        Thread hook = new Thread(writer::cancel, "interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return writer.create(sources);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: the JVM exits with 130 after it
            }
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Show a bundle's sources, entry counts, sizes and creation time, from its manifest (no data part is read).")
    static final class Inspect extends Common implements Callable<Integer> {
        @Parameters(paramLabel = "BUNDLE", description = "The bundle's location, as 'bundle create' printed it.")
        String bundle;

        @Override
        public Integer call() {
            try (ObjectStore store = store(bundle)) {
                Manifest.Header h = BundleReader.open(store, retry(), dev.migrator.transfer.Progress.NONE).inspect();
                PrintStream out = System.out;
                if (output.json) {
                    out.println(Json.write(h));
                    return 0;
                }
                out.printf("Bundle %s%n  format %s v%d, created %s by %s%n  %s in %s, %s (%s stored)%s%n", store.displayUri(),
                        h.format(), h.version(), h.createdAt(), h.tool(), Human.count(h.entries()) + " entries",
                        Human.count(h.parts().size(), "part"), Human.bytes(h.bytes()), Human.bytes(h.storedBytes()),
                        h.encryption() == null ? "" : ", encrypted (" + h.encryption().scheme() + ")");
                for (Manifest.Source s : h.sources()) {
                    long parts = h.parts().stream().filter(p -> p.source().equals(s.id())).count();
                    out.printf("  %s  %-8s %s: %s entries, %s, %s%n", s.id(), s.kind(), s.uri(), Human.count(s.entries()),
                            Human.bytes(s.bytes()), Human.count(parts, "part"));
                    // --- bver begin
                    if (s.hasHistory()) {
                        out.printf("      version history: every version and delete marker (restore recreates it; --versions latest: current objects only)%n");
                    }
                    if (s.bucketSettings() != null) {
                        out.printf("      bucket settings: %s (restore --bucket-settings applies them)%n", s.bucketSettings());
                    }
                    // --- bver end
                    if (s.dump() != null) {
                        out.printf("      %s dump (%s %s, server %s); by hand: %s%n", s.dump().format(), s.dump().tool(),
                                s.dump().toolVersion(), s.dump().serverVersion(), s.dump().restoreByHand());
                    }
                }
                return 0;
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Read every part and check every checksum (SHA256SUMS, parts, entries).",
                "Exit 0 when intact, 3 naming each damaged, truncated or missing part and entry."})
    static final class Verify extends Common implements Callable<Integer> {
        @Mixin
        MetricsArgs metrics;

        @Parameters(paramLabel = "BUNDLE")
        String bundle;

        @Override
        public Integer call() {
            try (Metrics m = metrics.start(); ObjectStore store = store(bundle)) {
                BundleCheck check;
                try (ConsoleProgress progress = output.progress("Verifying")) {
                    MetricsArgs.eta(m, progress);
                    check = reader(store, progress).verify(progress);
                }
                if (output.json) {
                    System.out.println(Json.write(new JsonCheck(store.displayUri(), check.intact(), check)));
                } else {
                    for (Damage d : check.damage()) {
                        System.out.println("DAMAGED " + d);
                    }
                    if (check.damageCount() > check.damage().size()) {
                        System.out.println("... and " + Human.count(check.damageCount() - check.damage().size()) + " more");
                    }
                    System.out.printf("%s: %s, %s entries (%s) checked, %s problems, %s.%n",
                            check.intact() ? "Intact" : "DAMAGED", Human.count(check.parts(), "part"), Human.count(check.entries()),
                            Human.bytes(check.bytes()), Human.count(check.damageCount()), Human.seconds(check.seconds()));
                }
                return check.intact() ? 0 : ErrorCode.DIFFERENCES.exitCode();
            }
        }

        record JsonCheck(String bundle, boolean intact, BundleCheck check) {
        }
    }

    @Command(name = "restore", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Restore a bundle's objects, with their metadata, into any object store (or a dump into a database).",
                "Each entry's checksum is checked before it is written. An object already identical at the target is skipped",
                "(so the same command resumes); a different one is a conflict, left alone unless --overwrite.",
                "Entries over 4 MiB and database dumps are staged in --state DIR (DIR/restore-<id>/staging), emptied when the",
                "restore ends and swept by the next run after a kill -9."})
    static final class Restore extends Common implements Callable<Integer> {
        @Mixin
        MetricsArgs metrics;

        @Parameters(paramLabel = "BUNDLE")
        String bundle;

        @Option(names = "--to", paramLabel = "DST", description = "Target of a single-source bundle.")
        String to;

        @Option(names = "--map", paramLabel = "SOURCE=DST",
                description = "Target of one source of a multi-source bundle, by the id 'bundle inspect' shows (s1, s2, ...). Repeatable; sources not mapped are not restored.")
        Map<String, String> map = new LinkedHashMap<>();

        @Option(names = "--overwrite", description = "Replace objects at the target that differ from the bundle's.")
        boolean overwrite;

        @Option(names = "--writers", paramLabel = "N", defaultValue = "8", description = "Objects written in parallel. Default: ${DEFAULT-VALUE}.")
        int writers;

        // --- bver begin
        @Option(names = "--versions", paramLabel = "latest|all",
                description = "For a source bundled with its version history: all (the default) recreates every version and"
                        + " delete marker in order on DST, which must keep versions; latest restores each key's current object only.")
        String versions;

        @Option(names = "--bucket-settings",
                description = "First apply the bundled bucket settings to DST where it has an equivalent (CORS, website, lifecycle"
                        + " rules that map, versioning) and print the rest as actions for the operator.")
        boolean bucketSettings;

        private RestoreOptions.Versions versionsOption() {
            if (versions == null) {
                return RestoreOptions.Versions.AS_BUNDLED;
            }
            return switch (versions.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "latest" -> RestoreOptions.Versions.LATEST;
                case "all" -> RestoreOptions.Versions.ALL;
                default -> throw MigratorException.badInput("--versions must be 'latest' or 'all', got '" + versions + "'");
            };
        }
        // --- bver end

        @Mixin
        StateArgs state;

        @Mixin
        BandwidthArgs bandwidth;

        @Override
        public Integer call() {
            try (var limit = bandwidth.register()) {
                return restore();
            }
        }

        private Integer restore() {
            try (Metrics m = metrics.start(); BundleEndpoints ends = endpoints()) {
                ObjectStore store = ends.store(StoreArgs.toUri(bundle));
                BundleReader reader = BundleReader.open(store, retry(), dev.migrator.transfer.Progress.NONE);
                Manifest.Header header = reader.inspect();
                Map<String, String> wanted = new LinkedHashMap<>(map);
                if (to != null) {
                    if (header.sources().size() != 1 || !wanted.isEmpty()) {
                        throw MigratorException.badInput("the bundle has " + Human.count(header.sources().size(), "source")
                                + "; give one --map SOURCE=DST per source instead of --to (ids: "
                                + String.join(", ", header.sources().stream().map(s -> s.id() + " = " + s.uri()).toList()) + ")");
                    }
                    wanted.put(header.sources().get(0).id(), to);
                }
                if (wanted.isEmpty()) {
                    throw MigratorException.badInput("say where to restore: --to DST, or --map SOURCE=DST per source");
                }
                Map<String, RestoreTarget> targets = new LinkedHashMap<>();
                for (Map.Entry<String, String> w : wanted.entrySet()) {
                    targets.put(w.getKey(), ends.target(StoreArgs.toUri(w.getValue()), overwrite));
                }
                // One state directory per bundle and set of targets, so the same command finds (and sweeps) its staging again.
                String id = store.displayUri() + "\n->" + String.join("\n", targets.entrySet().stream()
                        .map(t -> t.getKey() + "=" + t.getValue().displayUri()).toList());
                Path stateDir = state.forRun("restore", id);
                RestoreSummary s;
                try (ConsoleProgress progress = output.progress("Restoring")) {
                    MetricsArgs.eta(m, progress);
                    s = reader(store, progress).restore(targets, new RestoreOptions(writers, overwrite, retry(), stateDir,
                            versionsOption(), bucketSettings), progress);
                }
                if (output.json) {
                    System.out.println(Json.write(s));
                } else {
                    if (bucketSettings) {
                        System.out.println("Bucket settings: applied what the target has an equivalent for; "
                                + (s.actions().isEmpty() ? "nothing left to do by hand." : Human.count(s.actions().size(), "action")
                                + " for the operator:"));
                        s.actions().forEach(a -> System.out.println("  ACTION " + a));
                    }
                    s.problems().forEach(System.err::println);
                    System.out.printf("Restored %s (%s) in %s; skipped %s already identical at the target; %s in conflict.%n",
                            Human.count(s.restored(), "object"), Human.bytes(s.restoredBytes()), Human.seconds(s.seconds()),
                            Human.count(s.skipped()), Human.count(s.conflicts()));
                }
                if (s.conflicts() == 0) {
                    return 0;
                }
                return s.restored() + s.skipped() > 0 ? ErrorCode.PARTIAL.exitCode() : ErrorCode.FAILED.exitCode();
            }
        }
    }
}
