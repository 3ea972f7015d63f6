package dev.migrator.plan.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migrator.plan.executor.Executor;
import dev.migrator.plan.executor.StepOutcome;
import dev.migrator.plan.planner.ObjectParams;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Step;
import dev.migrator.provider.Sizes;
import dev.migrator.provider.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The end-of-run report: each step's planned vs actual duration, bytes, objects and verification, the
 * measured total and freeze window against the estimate and the deadline. Written as report.json and
 * report.md into the state directory.
 *
 * @param plan         the plan's name
 * @param drill        whether this was a drill
 * @param phases       the phases run
 * @param result       the executor's result
 * @param estimate     the schedule's total for the phases run (seconds)
 * @param estimateFreeze the schedule's freeze window (seconds), or 0 when the cut-over was not run
 * @param measuredFreeze the cut-over's wall time in this run (seconds), or -1 when not measured (not run, or resumed)
 * @param verdict      measured total against the deadline
 * @param notes        extra lines (e.g. drill cleanup)
 * @param plannedStart each step's planned start in the schedule (seconds), for the Gantt chart of report.html; empty if unknown
 * @param cost         the cost summary's lines (e.g. "media: 1.8 TiB egress ≈ $178 at $0.09/GB"), shown in report.html's
 *                     cost section when not empty: the hook for the plan's cost estimate ({@link #withCost})
 */
public record RunReport(String plan, boolean drill, List<Phase> phases, Executor.Result result, double estimate,
                        double estimateFreeze, double measuredFreeze, PlanOutput.Verdict verdict, List<String> notes,
                        Map<String, Double> plannedStart, List<String> cost) {

    public RunReport {
        plannedStart = Map.copyOf(plannedStart);
        cost = List.copyOf(cost);
    }

    /** A report without a schedule or cost (the chart then lays planned bars after their dependencies). */
    public RunReport(String plan, boolean drill, List<Phase> phases, Executor.Result result, double estimate,
                     double estimateFreeze, double measuredFreeze, PlanOutput.Verdict verdict, List<String> notes) {
        this(plan, drill, phases, result, estimate, estimateFreeze, measuredFreeze, verdict, notes, Map.of(), List.of());
    }

    /** This report with the schedule's planned starts. */
    public RunReport withPlannedStart(Map<String, Double> starts) {
        return new RunReport(plan, drill, phases, result, estimate, estimateFreeze, measuredFreeze, verdict, notes, starts, cost);
    }

    /** This report with cost lines (the plan's cost estimate, or a drill's measured cost). */
    public RunReport withCost(List<String> lines) {
        return new RunReport(plan, drill, phases, result, estimate, estimateFreeze, measuredFreeze, verdict, notes, plannedStart, lines);
    }

    /** Cut-over wall time of this run: first cut-over start to last cut-over end before the switch's followers; -1 if any cut-over step did not run now. */
    public static double freezeWindow(Executor.Result r) {
        double first = Double.MAX_VALUE;
        double last = -1;
        for (StepOutcome o : r.outcomes()) {
            if (o.step().phase() != Phase.CUTOVER || dev.migrator.plan.planner.Planner.afterSwitch(o.step())) {
                continue; // the freeze ends with the switch
            }
            if (o.startedAt() < 0) {
                return -1;
            }
            first = Math.min(first, o.startedAt());
            last = Math.max(last, o.startedAt() + o.seconds());
        }
        return last < 0 ? -1 : last - first;
    }

    public boolean verificationFailed() {
        return result.outcomes().stream().anyMatch(o -> ErrorCode.DIFFERENCES.name().equals(o.code()));
    }

    /** 0 done and verified; 130 interrupted; 3 verification found differences; 4 some failed, some done; 1 failed or deadline missed. */
    public int exitCode() {
        if (result.interrupted()) {
            return ErrorCode.INTERRUPTED.exitCode();
        }
        if (verificationFailed()) {
            return ErrorCode.DIFFERENCES.exitCode();
        }
        if (!result.ok()) {
            boolean someDone = result.outcomes().stream().anyMatch(StepOutcome::ok);
            return someDone ? ErrorCode.PARTIAL.exitCode() : ErrorCode.FAILED.exitCode();
        }
        return verdict.met() ? 0 : ErrorCode.FAILED.exitCode();
    }

    public long count(StepOutcome.Status status) {
        return result.outcomes().stream().filter(o -> o.status() == status).count();
    }

    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s %s: %d steps done, %d done earlier (resumed), %d failed, %d blocked, %d cancelled, %d pending.%n",
                drill ? "Drill" : "Run", result.ok() ? "complete" : result.interrupted() ? "interrupted" : "incomplete",
                count(StepOutcome.Status.DONE), count(StepOutcome.Status.RESUMED), count(StepOutcome.Status.FAILED),
                count(StepOutcome.Status.BLOCKED), count(StepOutcome.Status.CANCELLED), count(StepOutcome.Status.PENDING)));
        long bytes = result.outcomes().stream().filter(o -> o.status() == StepOutcome.Status.DONE && o.result() != null
                && !o.verifies()).mapToLong(o -> o.result().bytes()).sum();
        b.append(String.format(Locale.ROOT, "Took %s (estimate %s), moved %s.", Format.duration(result.seconds()),
                Format.duration(estimate), Sizes.format(bytes)));
        if (estimateFreeze > 0) {
            b.append(String.format(Locale.ROOT, " Freeze window %s (estimate %s).", measuredFreeze < 0 ? "not measured (not every cut-over step ran in this run)"
                    : Format.duration(measuredFreeze), Format.duration(estimateFreeze)));
        }
        b.append('\n');
        long verified = result.outcomes().stream().filter(o -> o.result() != null && Boolean.TRUE.equals(o.result().verified())).count();
        long verifySteps = result.outcomes().stream().filter(StepOutcome::verifies).count();
        b.append(String.format(Locale.ROOT, "Verification: %d of %d verify steps found source and target identical.%n", verified, verifySteps));
        b.append("Deadline: ").append(verdict.text()).append('\n');
        for (StepOutcome o : result.outcomes()) {
            // Deletions are never only in the report file: the summary the console prints names each pruning step.
            // A shard that deleted nothing is not worth a line (ObjectSteps writes ", N deleted at the target").
            if (o.status() == StepOutcome.Status.DONE && o.step().params() instanceof ObjectParams p && p.deleteExtraneous() && o.result() != null
                    && !o.result().details().isEmpty() && !o.result().details().get(0).contains(", 0 deleted at the target")) {
                b.append("Pruned by ").append(o.step().id()).append(": ").append(o.result().details().get(0)).append('\n');
            }
        }
        for (StepOutcome o : result.outcomes()) {
            if (o.status() == StepOutcome.Status.FAILED) {
                b.append("FAILED ").append(o.step().id()).append(" after ").append(o.attempts()).append(" attempt(s): ").append(o.error()).append('\n');
            }
        }
        Accuracy.of(this).lines().forEach(l -> b.append(l).append('\n'));
        notes.forEach(n -> b.append(n).append('\n'));
        return b.toString();
    }

    public ObjectNode json() {
        ObjectNode root = PlanOutput.JSON.createObjectNode();
        root.put("plan", plan);
        root.put("drill", drill);
        root.putPOJO("phases", phases.stream().map(Phase::word).toList());
        root.put("ok", result.ok());
        root.put("interrupted", result.interrupted());
        root.put("resumed", result.resumed());
        root.put("exitCode", exitCode());
        root.put("seconds", PlanOutput.round(result.seconds()));
        root.put("estimateSeconds", PlanOutput.round(estimate));
        root.put("freezeWindowSeconds", measuredFreeze < 0 ? null : PlanOutput.round(measuredFreeze));
        root.put("estimateFreezeWindowSeconds", PlanOutput.round(estimateFreeze));
        ObjectNode d = root.putObject("deadline");
        d.put("deadline", verdict.deadline());
        d.put("met", verdict.met());
        d.put("slackSeconds", PlanOutput.round(verdict.slack()));
        ArrayNode steps = root.putArray("steps");
        for (StepOutcome o : result.outcomes()) {
            Step s = o.step();
            ObjectNode n = steps.addObject();
            n.put("id", s.id()).put("kind", s.kind()).put("phase", s.phase().word()).put("status", o.status().name());
            n.put("plannedSeconds", PlanOutput.round(s.seconds())).put("actualSeconds", PlanOutput.round(o.seconds()));
            String bound = Accuracy.bound(s);
            if (bound != null) {
                n.put("bound", bound);
            }
            n.put("attempts", o.attempts());
            if (o.result() != null) {
                n.put("bytes", o.result().bytes()).put("objects", o.result().objects()).put("skipped", o.result().skipped());
                if (o.result().verified() != null) {
                    n.put("verified", o.result().verified());
                }
                n.putPOJO("details", o.result().details());
            }
            if (o.error() != null) {
                n.put("error", o.error());
            }
        }
        Accuracy accuracy = Accuracy.of(this);
        ObjectNode a = root.putObject("accuracy");
        ArrayNode totals = a.putArray("totals");
        accuracy.totals().forEach(i -> totals.addObject().put("name", i.name()).put("estimateSeconds", PlanOutput.round(i.estimate()))
                .put("actualSeconds", PlanOutput.round(i.actual())).put("ratio", PlanOutput.round(i.ratio())));
        ArrayNode worst = a.putArray("worstSteps");
        accuracy.worst(3).forEach(i -> worst.addObject().put("id", i.name()).put("estimateSeconds", PlanOutput.round(i.estimate()))
                .put("actualSeconds", PlanOutput.round(i.actual())).put("ratio", PlanOutput.round(i.ratio())).put("bound", i.bound())
                .put("culprit", i.culprit()));
        root.putPOJO("notes", notes);
        return root;
    }

    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(drill ? "Drill" : "Run").append(" report: ").append(plan).append("\n\n");
        for (String line : summary().split("\n")) {
            b.append(line).append("  \n");
        }
        b.append("\n| Step | Status | Planned | Actual | Actual/planned | Bytes | Objects | Skipped | Verified | Notes |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (StepOutcome o : result.outcomes()) {
            StepOutcomeRow r = new StepOutcomeRow(o);
            b.append("| ").append(o.step().id()).append(" | ").append(o.status()).append(" | ").append(Format.duration(o.step().seconds()))
                    .append(" | ").append(o.startedAt() < 0 && o.status() != StepOutcome.Status.RESUMED ? "-" : Format.duration(o.seconds()))
                    .append(" | ").append(o.startedAt() >= 0 && o.step().seconds() > 0
                            ? String.format(Locale.ROOT, "%.2fx", o.seconds() / o.step().seconds()) : "")
                    .append(" | ").append(r.bytes).append(" | ").append(r.objects).append(" | ").append(r.skipped).append(" | ")
                    .append(r.verified).append(" | ").append(r.notes.replace("|", "\\|")).append(" |\n");
        }
        return b.toString();
    }

    private static final class StepOutcomeRow {
        final String bytes;
        final String objects;
        final String skipped;
        final String verified;
        final String notes;

        StepOutcomeRow(StepOutcome o) {
            var r = o.result();
            bytes = r == null ? "" : Sizes.format(r.bytes());
            objects = r == null ? "" : Format.count(r.objects());
            skipped = r == null ? "" : Format.count(r.skipped());
            verified = r == null || r.verified() == null ? "" : r.verified() ? "yes" : "NO";
            notes = o.error() != null ? o.error() : r == null ? "" : String.join("; ", r.details());
        }
    }

    /** Writes report.json, report.md and report.html into {@code dir} (atomically); returns the Markdown file. */
    public Path write(Path dir) {
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve("report.json"), PlanOutput.JSON.writeValueAsString(json()));
            Path md = dir.resolve("report.md");
            writeAtomically(md, markdown());
            writeAtomically(dir.resolve("report.html"), HtmlReport.render(this));
            return md;
        } catch (IOException e) {
            throw new dev.migrator.provider.MigratorException(ErrorCode.FAILED, "cannot write the report into " + dir + ": " + e.getMessage(), e);
        }
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

}
