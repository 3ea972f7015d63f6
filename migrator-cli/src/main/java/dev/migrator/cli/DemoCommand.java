package dev.migrator.cli;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Redaction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run a whole provider exit on embedded defaults, with nothing installed beyond Java.",
            "Starts an embedded S3-compatible store as the 'old cloud' and seeds it with a synthetic microblog's media",
            "(and a PostgreSQL database of users, posts and follows when a server and pg_dump are available),",
            "writes a plan, shows it, runs the pre-copy, lets the old system take a few more writes, runs the cut-over",
            "to the 'new host' (a local folder, and a second database), verifies, and prints the report.",
            "Run again, it first removes what the previous demo left in its folder (and says what)."})
final class DemoCommand implements Callable<Integer> {
    static final String BUCKET = "microblog-media";

    @Option(names = "--to", paramLabel = "DIR", defaultValue = "migrator-demo/new-host",
            description = "The new host's folder; the plan and its state go beside it. Default: ${DEFAULT-VALUE}.")
    Path to;

    @Option(names = "--users", paramLabel = "N", defaultValue = "200",
            description = "Users to invent (each has an avatar and a few posts with media). Default: ${DEFAULT-VALUE}.")
    int users;

    @Option(names = "--postgres", paramLabel = "URI", defaultValue = "postgresql://postgres@127.0.0.1:5432/",
            description = "PostgreSQL server for the database part. Default: ${DEFAULT-VALUE}.")
    String postgres;

    @Option(names = "--database-name", paramLabel = "NAME", defaultValue = "migrator_demo",
            description = "The demo creates and resets its own databases NAME_old, NAME_new and NAME_new_drill. Default: ${DEFAULT-VALUE}.")
    String databaseName;

    @Option(names = "--no-postgres", description = "Skip the database part.")
    boolean noPostgres;

    @Mixin
    StoreArgs store;

    @Spec
    CommandSpec spec;

    /**
     * Runs {@code migrator ARGS} on the command line this demo runs in (its handlers, exit codes and
     * {@code --debug}), without naming the top command: the demo is one of its subcommands, and the
     * dependency stays one way.
     */
    private int migrator(String... args) {
        CommandLine root = spec.root().commandLine();
        OptionSpec debug = spec.root().findOption("--debug");
        if (debug != null && Boolean.TRUE.equals(debug.getValue())) {
            String[] withDebug = new String[args.length + 1];
            withDebug[0] = "--debug";
            System.arraycopy(args, 0, withDebug, 1, args.length);
            args = withDebug;
        }
        return root.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        if (users < 1 || users > 100_000) {
            throw dev.migrator.provider.MigratorException.badInput("--users must be between 1 and 100000");
        }
        if (!databaseName.matches("[a-z_][a-z0-9_]{0,40}")) {
            throw dev.migrator.provider.MigratorException.badInput("--database-name '" + databaseName
                    + "': use lower-case letters, digits and '_' (at most 41 characters)");
        }
        Path newHost = to.toAbsolutePath().normalize();
        DemoFolder folder = new DemoFolder(newHost);
        Path home = folder.home();
        List<String> removed = folder.startClean();
        if (!removed.isEmpty()) {
            System.out.println("Starting clean: removed what the previous demo left in " + home + ": " + String.join(", ", removed));
        }
        try (EmbeddedS3Server oldCloud = EmbeddedS3Server.inMemory()) {
            oldCloud.createBucket(BUCKET);
            String source = oldCloud.s3Uri(BUCKET, "");
            System.out.println("Old cloud: embedded S3-compatible store at " + oldCloud.endpoint());
            long[] seeded;
            try (ObjectStore s3 = store.open(source)) {
                seeded = seed(s3, users);
            }
            System.out.printf("Seeded %s objects (%s) into %s%n", Human.count(seeded[0]), Human.bytes(seeded[1]),
                    Redaction.uri(source));
            DemoDatabase db = noPostgres ? null : DemoDatabase.prepare(postgres, databaseName + "_old", databaseName + "_new", users);
            if (db != null) {
                System.out.println("Seeded PostgreSQL database " + db.sourceUri() + " (users, posts, follows)");
            }
            System.out.println();

            Path plan = home.resolve("exit.yaml");
            Files.writeString(plan, planYaml(source, newHost, home, db));
            System.out.println("Wrote the plan " + plan + " (format: docs/plan-format.md).");
            System.out.println();
            System.out.println("$ migrator plan " + plan);
            int planned = migrator("plan", plan.toString());
            if (planned != 0) {
                return planned;
            }

            System.out.println();
            System.out.println("$ migrator run " + plan + " --phase presync     # bulk copy while the old system is live");
            int presync = migrator("run", plan.toString(), "--phase", "presync");
            if (presync != 0) {
                return presync;
            }

            System.out.println();
            System.out.println("Meanwhile the old system keeps taking writes: a new post, a changed avatar, a deleted image"
                    + (db != null ? ", new rows" : "") + ".");
            try (ObjectStore s3 = store.open(source)) {
                liveWrites(s3);
            }
            if (db != null) {
                db.liveWrites();
            }

            System.out.println();
            System.out.println("$ migrator run " + plan + " --phase cutover     # freeze, delta, database, verify, switch");
            int cutover = migrator("run", plan.toString(), "--phase", "cutover");
            if (cutover == 0) {
                System.out.println();
                System.out.println("Done: the old cloud is on the new host at " + newHost + (db != null ? " and in " + db.targetUri() : "")
                        + ", verified. Report: " + home.resolve("exit.yaml.state/report.html") + " (and report.md)");
                System.out.println("See where it stands: 'migrator status " + plan + "'. (The embedded old cloud stops with the demo, "
                        + "so run and drill this plan only against a store that stays up, e.g. 'migrator serve-s3'.)");
            }
            return cutover;
        }
    }

    /** The demo plan: the bucket to the new host's folder, the database (if any) to a second database, hooks that leave flags. */
    static String planYaml(String source, Path newHost, Path home, DemoDatabase db) {
        StringBuilder y = new StringBuilder();
        y.append(DemoFolder.PLAN_HEADER).append(" Format: docs/plan-format.md\n");
        y.append("name: microblog exit (demo)\n");
        y.append("deadline: 30m\n");
        y.append("sources:\n");
        y.append("  media: '").append(source).append("'\n");
        if (db != null) {
            y.append("  db: '").append(db.sourceUri()).append("'\n");
        }
        y.append("targets:\n");
        y.append("  new-media: '").append(newHost.toUri()).append("'\n");
        if (db != null) {
            y.append("  new-db: '").append(db.targetUri()).append("'\n");
        }
        y.append("moves:\n");
        y.append("  - {name: media, from: media, to: new-media, shards: 4, delete-extraneous: true, delta: 2%}\n");
        if (db != null) {
            y.append("  - {name: db, from: db, to: new-db, via: direct}\n");
        }
        y.append("limits: {concurrency: 4}\n");
        y.append("hooks:\n");
        y.append("  freeze: [{name: read-only, run: 'date > app-read-only.flag', timeout: 10s, estimate: 1s}]\n");
        y.append("  switch: [{name: dns, run: 'rm -f app-read-only.flag && echo new-host > dns.flag', timeout: 10s, estimate: 1s}]\n");
        y.append("drill:\n");
        y.append("  targets:\n");
        y.append("    new-media: '").append(home.resolve("drill-scratch").toUri()).append("'\n");
        if (db != null) {
            y.append("    new-db: '").append(db.drillUri()).append("'\n");
        }
        y.append("  deadline: 10m\n");
        return y.toString();
    }

    /** What the live old system does between the pre-copy and the cut-over. */
    static void liveWrites(ObjectStore s3) {
        Random random = new Random(42);
        s3.put("media/2026/11/9999999.jpg", Content.of(bytes(random, 64 * 1024)), new ObjectMetadata("image/jpeg", null,
                "public, max-age=31536000, immutable", null, Map.of("post-id", "9999999", "user-id", "1")));
        s3.put("avatars/user-00001.jpg", Content.of(bytes(random, 12 * 1024)), new ObjectMetadata("image/jpeg", null,
                "public, max-age=86400", null, Map.of("user-id", "1")));
        s3.delete("media/2026/11/1000010.jpg");
        s3.delete("media/2026/11/1000010.png");
    }

    /** Writes a deterministic synthetic microblog; returns {objects, bytes}. */
    static long[] seed(ObjectStore s3, int users) {
        Random random = new Random(20261128L);
        long objects = 0;
        long bytes = 0;
        StringBuilder export = new StringBuilder("[\n");
        for (int u = 1; u <= users; u++) {
            String user = String.format(Locale.ROOT, "user-%05d", u);
            byte[] avatar = bytes(random, 4 * 1024 + random.nextInt(44 * 1024));
            s3.put("avatars/" + user + ".jpg", Content.of(avatar), new ObjectMetadata("image/jpeg", null,
                    "public, max-age=86400", null, Map.of("user-id", Integer.toString(u))));
            objects++;
            bytes += avatar.length;
            for (int p = 0; p < 1 + random.nextInt(3); p++) {
                long post = 1_000_000L + u * 10L + p;
                boolean png = random.nextInt(4) == 0;
                byte[] media = bytes(random, 20 * 1024 + random.nextInt(380 * 1024));
                s3.put("media/2026/11/" + post + (png ? ".png" : ".jpg"), Content.of(media),
                        new ObjectMetadata(png ? "image/png" : "image/jpeg", null, "public, max-age=31536000, immutable",
                                null, Map.of("post-id", Long.toString(post), "user-id", Integer.toString(u))));
                objects++;
                bytes += media.length;
            }
            export.append(String.format(Locale.ROOT, "  {\"id\": %d, \"handle\": \"@%s\", \"bio\": \"hello from %s ☕\"},%n", u, user, user));
        }
        export.append("  {}\n]\n");
        byte[] video = bytes(random, 20 * 1024 * 1024 + 12345);
        s3.put("media/video/launch-day.mp4", Content.of(video), new ObjectMetadata("video/mp4", null, null,
                "inline; filename=\"launch day.mp4\"", Map.of("duration-seconds", "93")));
        byte[] gz = gzip(export.toString().getBytes(StandardCharsets.UTF_8));
        s3.put("exports/users-2026-11-28.json.gz", Content.of(gz), new ObjectMetadata("application/json", "gzip", null,
                "attachment; filename=\"users.json\"", Map.of()));
        byte[] menu = bytes(random, 3000);
        s3.put("media/café ☕/menu (final) v2+.png", Content.of(menu), new ObjectMetadata("image/png", null, null, null, Map.of()));
        return new long[] {objects + 3, bytes + video.length + gz.length + menu.length};
    }

    private static byte[] bytes(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
