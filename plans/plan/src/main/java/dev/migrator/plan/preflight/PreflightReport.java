package dev.migrator.plan.preflight;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a preflight found: one line per check and subject, as text, JSON or JUnit XML. Ready (exit 0) when no
 * finding is a FAIL.
 *
 * @param plan     the plan's name
 * @param findings in the order the checks ran
 * @param seconds  how long the checks took
 */
public record PreflightReport(String plan, List<Finding> findings, double seconds) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public PreflightReport {
        findings = List.copyOf(findings);
    }

    public long count(Status s) {
        return findings.stream().filter(f -> f.status() == s).count();
    }

    public boolean ready() {
        return count(Status.FAIL) == 0;
    }

    /** 0 ready, 1 not. */
    public int exitCode() {
        return ready() ? 0 : ErrorCode.FAILED.exitCode();
    }

    /** The findings of one status, as text lines (for run and drill, which show what is not OK). */
    public String lines(Status... statuses) {
        StringBuilder b = new StringBuilder();
        for (Finding f : findings) {
            if (List.of(statuses).contains(f.status())) {
                b.append(line(f)).append('\n');
            }
        }
        return b.toString();
    }

    private static String line(Finding f) {
        return String.format(Locale.ROOT, "%-4s  %-17s %-26s %s", f.status(), f.check(), f.subject(), f.message());
    }

    public String text() {
        StringBuilder b = new StringBuilder(lines(Status.values()));
        b.append(String.format(Locale.ROOT, "%nPreflight of %s: %d OK, %d WARN, %d FAIL in %.1f s: %s%n", plan, count(Status.OK),
                count(Status.WARN), count(Status.FAIL), seconds, ready()
                        ? (count(Status.WARN) == 0 ? "ready." : "ready; read the WARN lines.")
                        : "NOT ready; fix the FAIL lines and run preflight again."));
        return b.toString();
    }

    public String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("plan", plan).put("ready", ready()).put("seconds", Math.round(seconds * 1000) / 1000.0);
        ObjectNode counts = root.putObject("counts");
        for (Status s : Status.values()) {
            counts.put(s.name(), count(s));
        }
        ArrayNode checks = root.putArray("checks");
        for (Finding f : findings) {
            checks.addObject().put("check", f.check()).put("subject", f.subject()).put("status", f.status().name())
                    .put("message", f.message());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** JUnit XML: a test suite per check, a test case per subject; FAIL is a failure, WARN a pass that says why on system-out. */
    public String junit() {
        Map<String, List<Finding>> byCheck = new LinkedHashMap<>();
        findings.forEach(f -> byCheck.computeIfAbsent(f.check(), k -> new ArrayList<>()).add(f));
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append(String.format(Locale.ROOT, "<testsuites name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" time=\"%.3f\">%n",
                xml("migrator preflight: " + plan), findings.size(), count(Status.FAIL), seconds));
        byCheck.forEach((check, list) -> {
            long failures = list.stream().filter(f -> f.status() == Status.FAIL).count();
            b.append(String.format(Locale.ROOT, "  <testsuite name=\"preflight.%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\">%n",
                    xml(check), list.size(), failures));
            for (Finding f : list) {
                b.append("    <testcase classname=\"preflight.").append(xml(check)).append("\" name=\"").append(xml(f.subject())).append('"');
                switch (f.status()) {
                    case OK -> b.append("/>\n");
                    case WARN -> b.append(">\n      <system-out>WARN: ").append(xml(f.message())).append("</system-out>\n    </testcase>\n");
                    case FAIL -> b.append(">\n      <failure message=\"").append(xml(f.message())).append("\"/>\n    </testcase>\n");
                }
            }
            b.append("  </testsuite>\n");
        });
        b.append("</testsuites>\n");
        return b.toString();
    }

    /** Writes {@link #junit()} to {@code file} atomically (a CI job never reads half a file). */
    public void writeJunit(Path file) {
        Path abs = file.toAbsolutePath();
        try {
            Files.createDirectories(abs.getParent());
            Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
            Files.writeString(tmp, junit(), StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw MigratorException.badInput("cannot write the JUnit XML to " + file + ": " + e.getMessage()
                    + "; choose a writable path for --junit");
        }
    }

    private static String xml(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\n', '\t' -> b.append(' ');
                default -> {
                    if (c >= 0x20 || c == '\r') {
                        b.append(c == '\r' ? ' ' : c);
                    }
                }
            }
        }
        return b.toString();
    }
}
