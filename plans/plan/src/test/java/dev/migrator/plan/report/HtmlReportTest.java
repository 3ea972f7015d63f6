package dev.migrator.plan.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.executor.Executor;
import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html from a real run, rendered by headless Chromium (Debian's chromium; .ci/run installs it). */
class HtmlReportTest {
    @TempDir
    Path dir;

    RunReport runAPlan() throws Exception {
        String src = dir.resolve("src").toUri().toString();
        try (ObjectStore s = Stores.openAdapter(src, StoreOptions.DEFAULTS)) {
            for (int i = 0; i < 6; i++) {
                s.put("media/" + i + ".jpg", Content.of(new byte[2048]), new ObjectMetadata("image/jpeg", null, null, null, Map.of()));
            }
        }
        Path file = dir.resolve("exit.yaml");
        Files.writeString(file, """
                name: html <report> & co
                deadline: 1h
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{name: media, from: old, to: new, shards: 2}]
                hooks:
                  freeze: [{name: read-only, run: 'true', timeout: 10s, estimate: 1s}]
                  switch: [{name: dns, run: 'true', timeout: 10s, estimate: 1s}]
                """.formatted(src, dir.resolve("dst").toUri()));
        Plan plan = PlanParser.parse(file);
        RunReport r = PlanRunner.run(plan, PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        assertThat(r.exitCode()).as(r.summary()).isZero();
        return r;
    }

    static Path chromium() {
        for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
            for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                Path p = Path.of(d, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Runs headless Chromium on {@code page} with {@code mode} (--dump-dom or --screenshot=FILE); returns stdout. */
    String chromium(Path page, String... mode) throws Exception {
        Path browser = chromium();
        Assumptions.assumeTrue(browser != null, "no chromium on PATH (apt-get install chromium; .ci/run does)");
        List<String> cmd = new ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"), "--window-size=1100,900"));
        cmd.addAll(List.of(mode));
        cmd.add(page.toUri().toString());
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.err").toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("chromium.err"))).isZero();
        return out;
    }

    @Test
    void theReportRendersInChromiumWithTheChartAndTheKeyFigures() throws Exception {
        RunReport r = runAPlan();
        Path page = dir.resolve("state/report.html");
        String html = Files.readString(page);
        assertThat(html).doesNotContain("<script").doesNotContain("src=").doesNotContain("href=").doesNotContain("<report>")
                .contains("html &lt;report&gt; &amp; co");
        String dom = chromium(page, "--dump-dom");
        assertThat(dom).contains("<svg").contains("id=\"chart\"").contains("id=\"freeze-window\"")
                .contains("Complete and verified (exit code 0)")
                .contains("Verification</dt><dd id=\"figure-verification\">2 of 2 verify steps found source and target identical")
                .contains("id=\"figure-freeze\">").contains("MEETS the deadline 1h");
        int steps = r.result().outcomes().size();
        assertThat(count(dom, "<rect class=\"planned\"")).as("a planned bar per step").isEqualTo(steps);
        assertThat(count(dom, "<rect class=\"actual DONE\"")).as("an actual bar per step run").isEqualTo(steps);
        for (StepOutcome o : r.result().outcomes()) {
            assertThat(dom).contains("data-step=\"" + o.step().id() + "\"");
        }
        assertThat(dom).doesNotContain("id=\"failures\"");

        Path png = dir.resolve("report.png");
        chromium(page, "--screenshot=" + png, "--hide-scrollbars");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1100);
        Set<Integer> colours = new HashSet<>();
        for (int x = 0; x < image.getWidth(); x += 2) {
            for (int y = 0; y < image.getHeight(); y += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("a drawn page, not a blank one").isGreaterThan(20);
        assertThat(colours).as("the done bars' green is drawn").contains(0xff2e7d32);
    }

    @Test
    void failuresComeFirst() throws Exception {
        RunReport ok = runAPlan();
        List<StepOutcome> outcomes = new ArrayList<>(ok.result().outcomes());
        StepOutcome last = outcomes.remove(outcomes.size() - 1);
        outcomes.add(new StepOutcome(last.step(), StepOutcome.Status.FAILED, null, 0.5, last.startedAt(), 3,
                "hook 'dns' exited 1: nsupdate: <refused>", "FAILED", false));
        RunReport failed = new RunReport(ok.plan(), false, ok.phases(), new Executor.Result(outcomes, 3, false, false), ok.estimate(),
                ok.estimateFreeze(), ok.measuredFreeze(), ok.verdict(), List.of(), ok.plannedStart(), List.of("media: 12 KiB egress ≈ $0.00"));
        String html = HtmlReport.render(failed);
        assertThat(html.indexOf("id=\"failures\"")).as("failures before the figures").isPositive().isLessThan(html.indexOf("id=\"figures\""));
        assertThat(html).contains(last.step().id() + "</b> failed after 3 attempt(s): hook &#39;dns&#39; exited 1: nsupdate: &lt;refused&gt;")
                .contains("Not complete (exit code 4)").contains("<section id=\"cost\"><h2>Cost</h2>").contains("media: 12 KiB egress ≈ $0.00")
                .contains("<rect class=\"actual FAILED\"");
    }

    static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
