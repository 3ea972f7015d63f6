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
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run a provider exit on an embedded default, with nothing installed beyond Java:",
            "starts an embedded S3-compatible store as the 'old cloud', seeds it with a synthetic microblog's media,",
            "copies it to a local folder (the 'new host') and verifies the result."})
final class DemoCommand implements Callable<Integer> {
    static final String BUCKET = "microblog-media";

    @Option(names = "--to", paramLabel = "DIR", defaultValue = "migrator-demo/new-host",
            description = "The new host's folder. Default: ${DEFAULT-VALUE}.")
    Path to;

    @Option(names = "--users", paramLabel = "N", defaultValue = "200",
            description = "Users to invent (each has an avatar and a few posts with media). Default: ${DEFAULT-VALUE}.")
    int users;

    @Mixin
    StoreArgs store;

    @Override
    public Integer call() {
        if (users < 1 || users > 100_000) {
            throw dev.migrator.provider.MigratorException.badInput("--users must be between 1 and 100000");
        }
        try (EmbeddedS3Server oldCloud = EmbeddedS3Server.inMemory()) {
            oldCloud.createBucket(BUCKET);
            String source = oldCloud.s3Uri(BUCKET, "");
            String target = to.toAbsolutePath().normalize().toUri().toString();
            System.out.println("Old cloud: embedded S3-compatible store at " + oldCloud.endpoint());
            long[] seeded;
            try (ObjectStore s3 = store.open(source)) {
                seeded = seed(s3, users);
            }
            System.out.printf("Seeded %s objects (%s) into %s%n%n", Human.count(seeded[0]), Human.bytes(seeded[1]),
                    Redaction.uri(source));

            System.out.println("$ migrator copy " + Redaction.uri(source) + " " + target);
            int copy = Main.run("copy", source, target, "--part-size", store.partSize);
            if (copy != 0) {
                return copy;
            }
            System.out.println();
            System.out.println("$ migrator verify " + Redaction.uri(source) + " " + target);
            int verify = Main.run("verify", source, target);
            if (verify == 0) {
                System.out.println();
                System.out.println("Done: the old cloud's media is on the new host at " + to.toAbsolutePath().normalize()
                        + ", verified. Run the demo again and every object is skipped as already identical.");
            }
            return verify;
        }
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
