package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a person gets it: migrator-VERSION.tar.gz unpacked with tar, and the demo, --version and a copy
 * run through its own bin/migrator (a POSIX sh script) with a clean environment. Runs after the package phase
 * (migrator-cli/pom.xml binds it to integration-test), when the tarball exists.
 */
class DistributionIT {
    @TempDir
    static Path dir;
    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Path target = Path.of("target");
        Path tarball;
        try (Stream<Path> files = Files.list(target)) {
            tarball = files.filter(f -> f.getFileName().toString().matches("migrator-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no migrator-VERSION.tar.gz in target/: run the package phase first"));
        }
        Run untar = run(List.of("tar", "xzf", tarball.toAbsolutePath().toString(), "-C", dir.toString()), Map.of());
        assertThat(untar.exit).as(untar.out).isZero();
        try (Stream<Path> top = Files.list(dir)) {
            home = top.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertThat(home.getFileName().toString()).isEqualTo(tarball.getFileName().toString().replace(".tar.gz", ""));
    }

    record Run(int exit, String out) {
    }

    /** Runs a command with only PATH, HOME and what {@code env} adds: no JAVA_HOME unless given. */
    static Run run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
        pb.environment().put("HOME", dir.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The files in a folder, each headed by its name. */
    static String logs(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.sorted().toList()) {
                all.append("==> ").append(f.getFileName()).append('\n').append(Files.readString(f));
            }
            return all.toString();
        } catch (IOException e) {
            return "cannot read " + folder + ": " + e.getMessage();
        }
    }

    String bin() {
        return home.resolve("bin/migrator").toString();
    }

    @Test
    void theDemoRunsFromTheDistributionsOwnBinAndLaterRunsUseTheClassArchive() throws Exception {
        Map<String, String> env = Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString());
        // The JVMs' CDS logs (the training run's, the dump's, the --version run's), one file per process: shown when the
        // archive goes unused, which JDK 17 does silently.
        Path cdsLogs = Files.createDirectories(dir.resolve("cds-logs"));
        String cdsLog = "-Xlog:cds=info,class+path=info:file=" + cdsLogs.resolve("%p.log");
        Map<String, String> training = new HashMap<>(env);
        training.put("JAVA_OPTS", cdsLog);
        Run demo = run(List.of(bin(), "demo", "--to", dir.resolve("demo/new-host").toString(), "--users", "3", "--no-postgres"), training);
        assertThat(demo.exit).as(demo.out).isZero();
        assertThat(demo.out).contains("Critical path").contains("Verification: ").contains("Done").doesNotContain("[warning]");
        try (Stream<Path> archives = Files.list(dir.resolve("cache/migrator"))) {
            assertThat(archives.map(a -> a.getFileName().toString()).toList()).as("the first run left a class archive")
                    .singleElement().asString().matches("cds-[0-9]+\\.jsa");
        }
        // The archive is a static one: it holds picocli's classes too (pre-Java 6 class files, which a dynamic archive skips).
        Path classes = dir.resolve("version-classes.log");
        Map<String, String> logged = new HashMap<>(env);
        logged.put("JAVA_OPTS", "-Xlog:class+load:file=" + classes + " " + cdsLog);
        Run version = run(List.of(bin(), "--version"), logged);
        assertThat(version.exit).as(version.out).isZero();
        assertThat(version.out).startsWith("migrator ").contains(", commit ").contains("providers: ");
        assertThat(Files.readAllLines(classes)).as(() -> logs(cdsLogs)).anyMatch(l -> l.contains("dev.migrator.cli.Main source: shared objects file"))
                .anyMatch(l -> l.contains("picocli.CommandLine source: shared objects file"));
    }

    @Test
    void aNewJarInTheSameFolderGetsANewClassArchive() throws Exception {
        // An upgrade unpacked over the old one: the same folder, another jar. The JVM silently ignores an archive made
        // from other jars, so without the jar in the archive's key every later run would go without one.
        Path copyOfHome = dir.resolve("upgraded");
        Run cp = run(List.of("cp", "-a", home.toString(), copyOfHome.toString()), Map.of());
        assertThat(cp.exit).as(cp.out).isZero();
        String bin = copyOfHome.resolve("bin/migrator").toString();
        Path cache = dir.resolve("upgrade-cache");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", cache.toString());
        Path src = Files.createDirectories(dir.resolve("upgrade-src"));
        Files.writeString(src.resolve("a.txt"), "hello");
        List<String> copy = List.of(bin, "copy", src.toString(), dir.resolve("upgrade-dst").toString(), "-q", "--state", dir.resolve("upgrade-state").toString());
        Run first = run(copy, env);
        assertThat(first.exit).as(first.out).isZero();

        Run touch = run(List.of("touch", "-d", "2020-01-02 03:04:05", copyOfHome.resolve("lib/migrator.jar").toString()), Map.of());
        assertThat(touch.exit).as(touch.out).isZero();
        Run retrain = run(copy, env);
        assertThat(retrain.exit).as(retrain.out).isZero();
        try (Stream<Path> archives = Files.list(cache.resolve("migrator"))) {
            assertThat(archives.map(a -> a.getFileName().toString()).filter(a -> a.endsWith(".jsa") || a.endsWith(".aot")).toList())
                    .as("the run after the new jar made its own archive").hasSize(2);
        }
        Path classes = dir.resolve("upgrade-classes.log");
        Map<String, String> logged = new HashMap<>(env);
        logged.put("JAVA_OPTS", "-Xlog:class+load:file=" + classes);
        Run later = run(copy, logged);
        assertThat(later.exit).as(later.out).isZero();
        assertThat(Files.readAllLines(classes)).anyMatch(l -> l.contains("dev.migrator.cli.Main source: shared objects file"));
    }

    /** A Java 25+ installed beside this one (the JVMs' usual parent folder), or MIGRATOR_TEST_JAVA25; empty when none. */
    static Optional<Path> java25() throws IOException {
        String given = System.getenv("MIGRATOR_TEST_JAVA25");
        if (given != null && !given.isBlank()) {
            return Optional.of(Path.of(given));
        }
        Path jvms = Path.of(System.getProperty("java.home")).toRealPath().getParent();
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(h -> {
                try {
                    return Files.isExecutable(h.resolve("bin/java")) && Files.readString(h.resolve("release"))
                            .matches("(?s).*\\bJAVA_VERSION=\"(2[5-9]|[3-9][0-9])[\".].*");
                } catch (IOException e) {
                    return false; // no release file: not a JDK this test can use
                }
            }).sorted().findFirst();
        }
    }

    @Test
    void onJava25TheFirstRunWritesAnAotCacheSilentlyAndLaterRunsLoadFromIt() throws Exception {
        Optional<Path> jdk = java25();
        Assumptions.assumeTrue(jdk.isPresent(), "no Java 25+ beside " + System.getProperty("java.home") + " (set MIGRATOR_TEST_JAVA25)");
        Path src = Files.createDirectories(dir.resolve("aot-src"));
        Files.writeString(src.resolve("a.txt"), "hello");
        Path cache = dir.resolve("aot-cache");
        Path classes = dir.resolve("aot-classes.log");
        Map<String, String> env = Map.of("JAVA_HOME", jdk.get().toString(), "XDG_CACHE_HOME", cache.toString());
        List<String> copy = List.of(bin(), "copy", src.toString(), dir.resolve("aot-dst").toString(), "--state", dir.resolve("aot-state").toString());

        Run first = run(copy, env);
        assertThat(first.exit).as(first.out).isZero();
        // Recording prints a VM line to stdout unless the launcher turns VM output off for that run.
        assertThat(first.out).startsWith("Copied 1 object").doesNotContain("AOT").doesNotContain("aot-");
        try (Stream<Path> archives = Files.list(cache.resolve("migrator"))) {
            assertThat(archives.map(a -> a.getFileName().toString()).toList()).singleElement().asString().matches("aot-[0-9]+\\.aot");
        }

        Map<String, String> logged = new HashMap<>(env);
        logged.put("JAVA_OPTS", "-Xlog:class+load:file=" + classes);
        Run second = run(List.of(bin(), "copy", src.toString(), dir.resolve("aot-dst2").toString(), "--state", dir.resolve("aot-state").toString()), logged);
        assertThat(second.exit).as(second.out).isZero();
        assertThat(Files.readString(dir.resolve("aot-dst2/a.txt"))).isEqualTo("hello");
        assertThat(Files.readAllLines(classes)).anyMatch(l -> l.contains("dev.migrator.cli.Main source: shared objects file"));
    }

    @Test
    void javaHomeIsHonouredAndAWrongOneIsOneClearLine() throws Exception {
        Run ok = run(List.of(bin(), "--version"), Map.of("JAVA_HOME", System.getProperty("java.home"), "PATH", "/usr/bin:/bin"));
        assertThat(ok.exit).as(ok.out).isZero();
        assertThat(ok.out).contains("Java " + System.getProperty("java.version"));
        Run wrong = run(List.of(bin(), "--version"), Map.of("JAVA_HOME", dir.resolve("no-such-jdk").toString()));
        assertThat(wrong.exit).isEqualTo(2);
        assertThat(wrong.out.strip()).startsWith("migrator: JAVA_HOME is ").contains("point JAVA_HOME at a Java 17+ installation").doesNotContain("\n");
    }

    @Test
    void aCopyRunsThroughALinkOnPath() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/photos"));
        Files.write(src.resolve("a.jpg"), new byte[12345]);
        Path onPath = Files.createDirectories(dir.resolve("path-bin"));
        Files.createSymbolicLink(onPath.resolve("migrator"), home.resolve("bin/migrator"));
        // sh finds migrator on the child's PATH (ProcessBuilder would look on this JVM's)
        Run copy = run(List.of("sh", "-c", "exec migrator \"$@\"", "sh", "copy", dir.resolve("src").toString(), dir.resolve("dst").toString(),
                "--state", dir.resolve("state").toString()), Map.of("PATH", onPath + ":" + Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin",
                "MIGRATOR_CDS", "off"));
        assertThat(copy.exit).as(copy.out).isZero();
        assertThat(Files.size(dir.resolve("dst/photos/a.jpg"))).isEqualTo(12345);
    }

    @Test
    void completionAndManPageAreInTheDistribution() throws Exception {
        Run completion = run(List.of("bash", "-c", "cd '" + home + "' && source completion/migrator_completion && complete -p migrator"), Map.of());
        assertThat(completion.exit).as(completion.out).isZero();
        assertThat(completion.out).contains("migrator");
        String man = Files.readString(home.resolve("man/man1/migrator.1"));
        assertThat(man).startsWith(".TH MIGRATOR 1").contains(".SS \"migrator copy\"").contains(".SS \"migrator bundle create\"")
                .contains("\\-\\-transfers");
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) { // one jar: the class path costs one jar's opening
            assertThat(lib.map(j -> j.getFileName().toString()).toList()).containsExactly("migrator.jar");
        }
    }
}
