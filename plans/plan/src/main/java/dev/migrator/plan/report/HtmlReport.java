package dev.migrator.plan.report;

import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Step;
import dev.migrator.provider.Sizes;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * report.html: the run report for people, one self-contained file (inline CSS and SVG, no script, nothing
 * fetched), so it opens from a CI artifact or a mail attachment as it is. Failures come first, then the key
 * figures (time against estimate and deadline, freeze window, verification, bytes, cost when the report has it),
 * then a Gantt chart of planned against actual per step with the freeze window marked, then the steps' table.
 */
public final class HtmlReport {
    private static final int ROW = 22;
    private static final int LABEL = 300;
    private static final int CHART = 640;

    private HtmlReport() {
    }

    public static String render(RunReport r) {
        List<StepOutcome> outcomes = r.result().outcomes();
        StringBuilder h = new StringBuilder(8192);
        String title = (r.drill() ? "Drill" : "Run") + " report: " + r.plan();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(title)).append("</title>\n");
        h.append("<style>").append(CSS).append("</style></head>\n<body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        boolean ok = r.exitCode() == 0;
        h.append("<p class=\"verdict ").append(ok ? "ok" : "bad").append("\" id=\"verdict\">")
                .append(ok ? "Complete and verified" : r.result().interrupted() ? "Interrupted" : "Not complete")
                .append(" (exit code ").append(r.exitCode()).append(")</p>\n");

        List<StepOutcome> failed = outcomes.stream().filter(o -> o.status() == StepOutcome.Status.FAILED
                || o.status() == StepOutcome.Status.BLOCKED).toList();
        if (!failed.isEmpty() || r.verificationFailed()) {
            h.append("<section id=\"failures\"><h2>Failures</h2><ul>\n");
            for (StepOutcome o : failed) {
                h.append("<li><b>").append(esc(o.step().id())).append("</b> ").append(o.status().name().toLowerCase(Locale.ROOT))
                        .append(o.status() == StepOutcome.Status.FAILED ? " after " + o.attempts() + " attempt(s)" : "").append(": ")
                        .append(esc(String.valueOf(o.error()))).append("</li>\n");
            }
            for (StepOutcome o : outcomes) {
                if (o.result() != null && Boolean.FALSE.equals(o.result().verified())) {
                    h.append("<li><b>").append(esc(o.step().id())).append("</b> found differences: ")
                            .append(esc(String.join("; ", o.result().details()))).append("</li>\n");
                }
            }
            h.append("</ul></section>\n");
        }

        long bytes = outcomes.stream().filter(o -> o.status() == StepOutcome.Status.DONE && o.result() != null && !o.verifies())
                .mapToLong(o -> o.result().bytes()).sum();
        long verified = outcomes.stream().filter(o -> o.result() != null && Boolean.TRUE.equals(o.result().verified())).count();
        long verifySteps = outcomes.stream().filter(StepOutcome::verifies).count();
        h.append("<section id=\"figures\"><h2>Key figures</h2><dl>\n");
        figure(h, "took", "Took", Format.duration(r.result().seconds()) + " (estimate " + Format.duration(r.estimate()) + ")");
        figure(h, "deadline", "Deadline", r.verdict().text());
        if (r.estimateFreeze() > 0) {
            figure(h, "freeze", "Freeze window", (r.measuredFreeze() < 0 ? "not measured" : Format.duration(r.measuredFreeze()))
                    + " (estimate " + Format.duration(r.estimateFreeze()) + ")");
        }
        figure(h, "verification", "Verification", verified + " of " + verifySteps + " verify steps found source and target identical");
        figure(h, "moved", "Moved", Sizes.format(bytes));
        figure(h, "steps", "Steps", r.count(StepOutcome.Status.DONE) + " done, " + r.count(StepOutcome.Status.RESUMED) + " done earlier, "
                + r.count(StepOutcome.Status.FAILED) + " failed, " + r.count(StepOutcome.Status.BLOCKED) + " blocked");
        h.append("</dl></section>\n");
        List<String> accuracy = Accuracy.of(r).lines();
        if (!accuracy.isEmpty()) {
            h.append("<section id=\"accuracy\"><h2>Estimates against actuals</h2><ul>\n");
            accuracy.forEach(l -> h.append("<li>").append(esc(l)).append("</li>\n"));
            h.append("</ul></section>\n");
        }
        if (!r.cost().isEmpty()) {
            h.append("<section id=\"cost\"><h2>Cost</h2><ul>\n");
            r.cost().forEach(c -> h.append("<li>").append(esc(c)).append("</li>\n"));
            h.append("</ul></section>\n");
        }

        h.append("<section id=\"gantt\"><h2>Planned against actual</h2>\n");
        gantt(h, r, outcomes);
        h.append("<p class=\"legend\"><span class=\"key planned\"></span> planned <span class=\"key DONE\"></span> done "
                + "<span class=\"key FAILED\"></span> failed <span class=\"key RESUMED\"></span> done earlier "
                + "<span class=\"key freeze\"></span> freeze window</p></section>\n");

        h.append("<section id=\"steps\"><h2>Steps</h2><table><thead><tr><th>Step</th><th>Status</th><th>Planned</th><th>Actual</th>"
                + "<th>Bytes</th><th>Objects</th><th>Verified</th><th>Notes</th></tr></thead><tbody>\n");
        for (StepOutcome o : outcomes) {
            var res = o.result();
            h.append("<tr class=\"").append(o.status().name()).append("\"><td>").append(esc(o.step().id())).append("</td><td>")
                    .append(o.status().name()).append("</td><td>").append(Format.duration(o.step().seconds())).append("</td><td>")
                    .append(o.startedAt() < 0 ? "-" : Format.duration(o.seconds())).append("</td><td>")
                    .append(res == null ? "" : Sizes.format(res.bytes())).append("</td><td>")
                    .append(res == null ? "" : Format.count(res.objects())).append("</td><td>")
                    .append(res == null || res.verified() == null ? "" : res.verified() ? "yes" : "NO").append("</td><td>")
                    .append(esc(o.error() != null ? o.error() : res == null ? "" : String.join("; ", res.details()))).append("</td></tr>\n");
        }
        h.append("</tbody></table></section>\n");
        if (!r.notes().isEmpty()) {
            h.append("<section id=\"notes\"><h2>Notes</h2><ul>\n");
            r.notes().forEach(n -> h.append("<li>").append(esc(n)).append("</li>\n"));
            h.append("</ul></section>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    /**
     * One row per step: the planned bar (the schedule's start, or after its dependencies when the report has no
     * schedule) and the actual bar of this run, on one time axis; the freeze window as a band behind them.
     */
    private static void gantt(StringBuilder h, RunReport r, List<StepOutcome> outcomes) {
        Map<String, Double> planned = plannedStarts(r, outcomes);
        double first = planned.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double end = 1;
        for (StepOutcome o : outcomes) {
            end = Math.max(end, planned.get(o.step().id()) - first + o.step().seconds());
            if (o.startedAt() >= 0) {
                end = Math.max(end, o.startedAt() + o.seconds());
            }
        }
        double scale = CHART / end;
        int height = ROW * outcomes.size() + 30;
        h.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"chart\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Gantt chart of planned against actual step times\">%n",
                LABEL + CHART + 40, height, LABEL + CHART + 40, height));
        // The freeze window: the cut-over as it ran (or as planned, when it did not run in full now).
        double fs = Double.MAX_VALUE;
        double fe = -1;
        for (StepOutcome o : outcomes) {
            if (o.step().phase() != Phase.CUTOVER) {
                continue;
            }
            double s = r.measuredFreeze() >= 0 ? o.startedAt() : planned.get(o.step().id()) - first;
            double d = r.measuredFreeze() >= 0 ? o.seconds() : o.step().seconds();
            fs = Math.min(fs, s);
            fe = Math.max(fe, s + d);
        }
        if (fe >= 0) {
            h.append(String.format(Locale.ROOT, "<rect class=\"freeze\" id=\"freeze-window\" x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"%d\"/>"
                    + "<text class=\"freeze-label\" x=\"%.1f\" y=\"%d\">freeze window %s</text>%n", LABEL + fs * scale,
                    Math.max(1, (fe - fs) * scale), height - 20, LABEL + fs * scale + 2, height - 6, Format.duration(fe - fs)));
        }
        int y = 0;
        for (StepOutcome o : outcomes) {
            String id = esc(o.step().id());
            h.append(String.format(Locale.ROOT, "<g class=\"row\" data-step=\"%s\"><text class=\"label\" x=\"%d\" y=\"%d\">%s</text>", id,
                    LABEL - 6, y + 15, id));
            double ps = planned.get(o.step().id()) - first;
            h.append(String.format(Locale.ROOT, "<rect class=\"planned\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"8\"><title>%s planned: %s"
                    + "</title></rect>", LABEL + ps * scale, y + 3, Math.max(1, o.step().seconds() * scale), id, Format.duration(o.step().seconds())));
            if (o.startedAt() >= 0) {
                h.append(String.format(Locale.ROOT, "<rect class=\"actual %s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"8\"><title>%s actual: "
                        + "%s</title></rect>", o.status().name(), LABEL + o.startedAt() * scale, y + 11, Math.max(1, o.seconds() * scale), id,
                        Format.duration(o.seconds())));
            } else if (o.status() == StepOutcome.Status.RESUMED) {
                h.append(String.format(Locale.ROOT, "<rect class=\"actual RESUMED\" x=\"%d\" y=\"%d\" width=\"3\" height=\"8\"><title>%s done by "
                        + "an earlier run</title></rect>", LABEL, y + 11, id));
            }
            h.append("</g>\n");
            y += ROW;
        }
        h.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", LABEL, y + 2, LABEL + CHART, y + 2));
        for (int i = 0; i <= 4; i++) {
            h.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%d\">%s</text>", LABEL + CHART * i / 4.0, y + 14,
                    Format.duration(end * i / 4)));
        }
        h.append("</svg>\n");
    }

    /** The schedule's starts, or (a report without them) each step after the latest planned end of what it waits for. */
    private static Map<String, Double> plannedStarts(RunReport r, List<StepOutcome> outcomes) {
        Map<String, Double> start = new HashMap<>();
        Map<String, Step> steps = new HashMap<>();
        outcomes.forEach(o -> steps.put(o.step().id(), o.step()));
        for (StepOutcome o : outcomes) {
            start.put(o.step().id(), r.plannedStart().containsKey(o.step().id()) ? r.plannedStart().get(o.step().id())
                    : after(o.step(), steps, start, r.plannedStart(), 0));
        }
        return start;
    }

    private static double after(Step s, Map<String, Step> steps, Map<String, Double> known, Map<String, Double> schedule, int depth) {
        double at = 0;
        for (String dep : s.after()) {
            Step d = steps.get(dep);
            if (d == null || depth > 1000) {
                continue;
            }
            double ds = known.containsKey(dep) ? known.get(dep) : schedule.containsKey(dep) ? schedule.get(dep) : after(d, steps, known, schedule, depth + 1);
            at = Math.max(at, ds + d.seconds());
        }
        return at;
    }

    private static void figure(StringBuilder h, String id, String name, String value) {
        h.append("<dt>").append(esc(name)).append("</dt><dd id=\"figure-").append(id).append("\">").append(esc(value)).append("</dd>\n");
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1b1f24;max-width:1100px}
            h1{font-size:22px;margin:0 0 8px}h2{font-size:16px;margin:20px 0 6px}
            .verdict{display:inline-block;padding:4px 10px;border-radius:4px;font-weight:600}
            .verdict.ok{background:#dff3e4;color:#135c2b}.verdict.bad{background:#fde2e1;color:#8a1c16}
            #failures{border-left:4px solid #c62828;background:#fff5f5;padding:4px 12px}
            dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:0}dt{color:#57606a}dd{margin:0;font-weight:600}
            table{border-collapse:collapse;width:100%;font-size:12px}th,td{border-bottom:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
            tr.FAILED td,tr.BLOCKED td{background:#fff5f5}
            svg text{font-size:11px;fill:#1b1f24}.label{text-anchor:end}.tick{fill:#57606a}.axis{stroke:#8c959f}
            .planned{fill:#b6c2cf}.actual.DONE{fill:#2e7d32}.actual.FAILED{fill:#c62828}.actual.RESUMED{fill:#8c959f}
            .actual.CANCELLED,.actual.BLOCKED{fill:#ef6c00}.freeze{fill:#fff3c4}.freeze-label{fill:#8a6d00}
            .legend .key{display:inline-block;width:14px;height:8px;margin:0 4px 0 12px}.key.planned{background:#b6c2cf}
            .key.DONE{background:#2e7d32}.key.FAILED{background:#c62828}.key.RESUMED{background:#8c959f}.key.freeze{background:#fff3c4}
            """;
}
