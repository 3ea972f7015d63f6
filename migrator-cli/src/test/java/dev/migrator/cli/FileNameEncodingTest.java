package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar} under {@code LANG=C} (cron, systemd, a container without a locale): the JVM names files in ASCII
 * for its whole life. A non-ASCII key is refused with the fix (exit 2, no Java exception), whether it comes from S3
 * into a folder or is listed from a folder; ASCII keys still copy. Each copy runs in a child JVM under LANG=C.
 */
class FileNameEncodingTest {
    @TempDir
    Path dir;

    @Test
    void underTheCLocaleANonAsciiKeyIsRefusedWithTheFixAndAsciiKeysStillCopy() throws Exception {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("media");
            String uri = s3.s3Uri("media", "");
            try (ObjectStore store = Stores.open(uri, StoreOptions.DEFAULTS)) {
                store.put("plain/menu.png", Content.of("ascii".getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
                store.put("café/menu.png", Content.of("accent".getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
            }
            Child plain = underCLocale("copy", s3.s3Uri("media", "plain/"), dir.resolve("plain").toString(), "-q",
                    "--state", dir.resolve("state1").toString());
            assertThat(plain.exit).as(plain.output).isZero();
            assertThat(dir.resolve("plain/menu.png")).hasContent("ascii");

            Child accented = underCLocale("copy", uri, dir.resolve("out").toString(), "-q", "--state", dir.resolve("state2").toString());
            assertThat(accented.exit).as("that object failed, the other copied: " + accented.output).isEqualTo(4);
            // The console is ASCII too under LANG=C: the key's é is printed as '?'.
            assertThat(accented.output).contains("the key 'caf?/menu.png' cannot be a file name here")
                    .contains("US-ASCII").contains("LANG=C").contains("LC_ALL=C.UTF-8")
                    .doesNotContain("InvalidPathException").doesNotContain("\tat ");
            assertThat(dir.resolve("out")).as("no mangled name").isDirectoryNotContaining(p -> !p.getFileName().toString()
                    .matches("[ -~]+"));
        }

        Path src = Files.createDirectories(dir.resolve("src/café"));
        Files.writeString(src.resolve("menu.png"), "accent");
        Child listed = underCLocale("copy", dir.resolve("src").toString(), dir.resolve("dst").toString(), "-q", "--state",
                dir.resolve("state3").toString());
        assertThat(listed.exit).as(listed.output).isEqualTo(2);
        assertThat(listed.output).contains("has a name that is not US-ASCII").contains("LC_ALL=C.UTF-8")
                .doesNotContain("Exception");
        assertThat(dir.resolve("dst")).as("nothing copied under a wrong key").doesNotExist();
    }

    private record Child(int exit, String output) {
    }

    private Child underCLocale(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("LC_"));
        env.put("LANG", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Child(p.exitValue(), out);
    }
}
