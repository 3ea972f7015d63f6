package dev.migrator.plan.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migrator.plan.model.Calibration;
import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.planner.Cost;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Planner;
import dev.migrator.plan.planner.Schedule;
import dev.migrator.plan.planner.Step;
import dev.migrator.plan.planner.Throughput;
import dev.migrator.provider.Sizes;
import dev.migrator.provider.Redaction;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** What {@code migrator plan} shows: inventory, throughput model, steps with start/end, critical path, ETA, freeze window, deadline verdict. */
public final class PlanOutput {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PlanOutput() {
    }

    /**
     * The deadline verdict.
     *
     * @param deadline a description, or null when the plan has none
     * @param slack    seconds to spare (negative: late)
     */
    public record Verdict(String deadline, double slack) {
        public boolean met() {
            return deadline == null || slack >= 0;
        }

        public String text() {
            if (deadline == null) {
                return "no deadline in the plan";
            }
            return (met() ? "MEETS" : "MISSES") + " the deadline " + deadline + " with " + (met() ? "" : "-")
                    + Format.duration(Math.abs(slack)) + (met() ? " to spare" : " late");
        }
    }

    /** Compares {@code seconds} from {@code start} with the plan's deadline (a duration, or an instant). */
    public static Verdict verdict(Plan plan, Duration override, double seconds, Instant start) {
        if (override != null) {
            return new Verdict(Format.duration(override.toMillis() / 1000.0), override.toMillis() / 1000.0 - seconds);
        }
        if (plan.deadlineIn() != null) {
            return new Verdict(Format.duration(plan.deadlineIn().toMillis() / 1000.0), plan.deadlineIn().toMillis() / 1000.0 - seconds);
        }
        if (plan.deadlineAt() != null) {
            return new Verdict(plan.deadlineAt().toString(), Duration.between(start, plan.deadlineAt()).toMillis() / 1000.0 - seconds);
        }
        return new Verdict(null, 0);
    }

    /**
     * A DNS switch hook's timing: when its TTL is lowered, when the old TTL has expired, when the switch starts.
     *
     * @param warning null, or why the deadline does not allow the old TTL to expire before the switch and what to do
     */
    public record Dns(String hook, long ttl, double loweredAt, double switchAt, double waitSeconds, String warning) {
        public String text() {
            return "switch hook '" + hook + "': TTL " + Format.duration(ttl) + " lowered by " + Format.duration(loweredAt)
                    + ", so the old one has expired at " + Format.duration(loweredAt + ttl) + "; the switch starts at "
                    + Format.duration(switchAt) + (waitSeconds > 0 ? " (it waits " + Format.duration(waitSeconds) + " for that)" : "");
        }
    }

    /** The plan's DNS switch hooks ({@code ttl:}), with a warning where the deadline is too close for the old TTL to expire. */
    public static java.util.List<Dns> dns(Planner.Result r) {
        Schedule s = r.schedule();
        Verdict v = verdict(r.plan(), null, r.total(), Instant.now());
        java.util.List<Dns> out = new java.util.ArrayList<>();
        for (dev.migrator.plan.model.Hook h : r.plan().hooks()) {
            if (h.ttl() == null) {
                continue;
            }
            String waitId = Planner.ttlWaitId(h);
            double lowered = s.end().get(Planner.lowerTtlId(h));
            double wait = s.end().get(waitId) - s.start().get(waitId);
            String warning = null;
            if (!v.met() && wait > 0 && v.slack() + wait >= 0) {
                warning = "the deadline " + v.deadline() + " is missed only because the switch waits " + Format.duration(wait)
                        + " for the old TTL of '" + h.name() + "' to expire: lower the TTL by hand at least "
                        + Format.duration(h.ttl().toSeconds()) + " before the run (and set ttl: to the new value), or move the deadline";
            } else if (!v.met() && wait > 0) {
                warning = "the deadline " + v.deadline() + " does not leave time for the old TTL of '" + h.name() + "' ("
                        + Format.duration(h.ttl().toSeconds()) + ") to expire before the switch: lower the TTL by hand well before the run"
                        + " (and set ttl: to the new value)";
            }
            out.add(new Dns(h.name(), h.ttl().toSeconds(), lowered, s.end().get(waitId), wait, warning));
        }
        return out;
    }

    public static String text(Planner.Result r) {
        Plan plan = r.plan();
        Schedule s = r.schedule();
        StringBuilder b = new StringBuilder();
        b.append("Plan: ").append(plan.name()).append(" (").append(plan.file()).append(")\n\n");
        b.append("Inventory:\n");
        r.inventory().forEach((move, inv) -> {
            var m = plan.moves().stream().filter(x -> x.name().equals(move)).findFirst().orElseThrow();
            b.append(String.format(Locale.ROOT, "  %-14s %s -> %s: %s%s (%s)%n", move, uri(plan.location(m.from())),
                    uri(plan.location(m.to())), inv.objects() > 0 ? Format.count(inv.objects()) + " objects, " : "",
                    Sizes.format(inv.bytes()), inv.measured() ? "measured" : "declared"));
            if (inv.classes().size() > 1 || inv.archivedObjects() > 0) {
                inv.classes().forEach((cls, c) -> b.append(String.format(Locale.ROOT, "  %-14s   %-13s %s objects, %s%s%n", "", cls,
                        Format.count(c.objects()), Sizes.format(c.bytes()), c.archived()
                                ? " (archived: must be restored before it can be read; the move says 'archived: "
                                + m.archived().choice().name().toLowerCase(Locale.ROOT) + "')" : "")));
            }
        });
        b.append("\nCost at the sources (egress and requests; set 'price' on a source to override, docs/plan-format.md):\n");
        b.append(Cost.of(plan, r.inventory()).text());
        b.append("\nThroughput model (per endpoint; measure with 'migrator probe PLAN -o FILE' and plan with --calibration FILE):\n");
        r.throughput().forEach((name, t) -> b.append("  ").append(String.format(Locale.ROOT, "%-14s", name)).append(' ').append(model(t))
                .append('\n'));
        if (r.throughput().values().stream().anyMatch(t -> t.stream().guess() || t.latency().guess())) {
            b.append("  (figures marked 'default, a guess' are no measurement: probe the endpoints before trusting the ETA)\n");
        }
        b.append(String.format(Locale.ROOT, "%nLimits: %d steps at once, %d attempts per step%n", plan.limits().concurrency(), plan.limits().attempts()));
        if (r.workers() > 1) {
            b.append(String.format(Locale.ROOT, "Workers: %d (%d steps at once in all); the endpoints' own limits stay as they are%n",
                    r.workers(), plan.limits().concurrency() * r.workers()));
        }
        for (Phase phase : Phase.values()) {
            b.append('\n').append(phase == Phase.PRESYNC ? "Phase 1, pre-copy (old system live, repeatable):"
                    : "Phase 2, cut-over (writes frozen):").append('\n');
            for (Step st : s.steps()) {
                if (st.phase() != phase) {
                    continue;
                }
                b.append(String.format(Locale.ROOT, "  %9s -> %9s  %-38s %s%n", Format.duration(s.start().get(st.id())),
                        Format.duration(s.end().get(st.id())), st.id(), st.explain()));
            }
        }
        b.append("\nCritical path: ").append(String.join(" -> ", s.criticalPath())).append('\n');
        b.append(String.format(Locale.ROOT, "Total ETA:      %s (planning %s + pre-copy %s + cut-over %s%s)%n", Format.duration(r.total()),
                Format.duration(r.planning()), Format.duration(s.presync()), Format.duration(s.cutover()),
                s.afterSwitch() > 0 ? " + after the switch " + Format.duration(s.afterSwitch()) : ""));
        b.append(String.format(Locale.ROOT, "Freeze window:  %s (from the freeze hook to the switch hook)%n", Format.duration(s.cutover())));
        b.append(String.format(Locale.ROOT, "Planning:       %s (this command's inventory and schedule, measured: a run that plans anew spends "
                + "about as much before its first step)%n", Format.duration(r.planning())));
        b.append(String.format(Locale.ROOT, "Lower bound:    %s (no schedule can be shorter; this one is %.2fx)%n",
                Format.duration(s.lowerBound()), s.lowerBound() > 0 ? s.total() / s.lowerBound() : 1.0));
        b.append("Deadline:       ").append(verdict(plan, null, r.total(), Instant.now()).text()).append('\n');
        if (r.single() != null) {
            b.append(String.format(Locale.ROOT, "Workers:        %d: ETA %s against %s on one (%.2fx); pre-copy %.2fx, freeze window %.2fx%n",
                    r.workers(), Format.duration(s.total()), Format.duration(r.single().total()), r.single().total() / s.total(),
                    r.single().presync() / Math.max(s.presync(), 1e-9), r.single().cutover() / Math.max(s.cutover(), 1e-9)));
            r.caps().forEach(c -> b.append("CAP:            ").append(c).append('\n'));
        }
        for (Dns d : dns(r)) {
            b.append("DNS:            ").append(d.text()).append('\n');
            if (d.warning() != null) {
                b.append("WARN:           ").append(d.warning()).append('\n');
            }
        }
        return b.toString();
    }

    public static String json(Planner.Result r) {
        Schedule s = r.schedule();
        ObjectNode root = JSON.createObjectNode();
        root.put("plan", r.plan().name());
        ObjectNode inv = root.putObject("inventory");
        r.inventory().forEach((move, i) -> {
            ObjectNode one = inv.putObject(move).put("objects", i.objects()).put("bytes", i.bytes()).put("measured", i.measured());
            if (!i.classes().isEmpty()) {
                ObjectNode classes = one.putObject("classes");
                i.classes().forEach((cls, c) -> classes.putObject(cls).put("objects", c.objects()).put("bytes", c.bytes())
                        .put("archived", c.archived()));
                one.put("archivedObjects", i.archivedObjects()).put("archivedBytes", i.archivedBytes());
            }
        });
        Cost cost = Cost.of(r.plan(), r.inventory());
        ObjectNode costs = root.putObject("cost");
        ArrayNode perSource = costs.putArray("sources");
        for (Cost.Line l : cost.lines()) {
            perSource.addObject().put("source", l.source()).put("egressBytes", l.bytes()).put("gets", l.gets()).put("lists", l.lists())
                    .put("egressPerGb", l.price().egressPerGb()).put("getPer1000", l.price().getPer1000())
                    .put("listPer1000", l.price().listPer1000()).put("priceSource", l.price().source())
                    .put("dollars", round(l.dollars())).put("text", l.text());
        }
        costs.put("totalDollars", round(cost.total()));
        ObjectNode model = root.putObject("throughput");
        r.throughput().forEach((name, t) -> {
            ObjectNode n = model.putObject(name);
            figure(n, "streamBytesPerSecond", t.stream());
            figure(n, "latencySeconds", t.latency());
            figure(n, "writeStreamBytesPerSecond", t.writeStream());
            figure(n, "writeLatencySeconds", t.writeLatency());
            figure(n, "bandwidthBytesPerSecond", t.bandwidth());
            if (t.limitsRequests()) {
                figure(n, "requestLimitPerSecond", t.requestLimit());
            }
            figure(n, "statLatencySeconds", t.statLatency());
            if (t.limitsStats()) {
                figure(n, "statLimitPerSecond", t.statLimit());
            }
            if (t.copy() != null) {
                figure(n, "copyStreamBytesPerSecond", t.copy().stream());
            }
        });
        root.put("workers", r.workers());
        if (r.single() != null) {
            root.put("oneWorkerTotalSeconds", round(r.single().total()));
            root.putPOJO("caps", r.caps());
        }
        ArrayNode steps = root.putArray("steps");
        for (Step st : s.steps()) {
            ObjectNode n = steps.addObject();
            n.put("id", st.id()).put("kind", st.kind()).put("phase", st.phase().word());
            n.putPOJO("after", st.after());
            n.put("start", round(s.start().get(st.id()))).put("end", round(s.end().get(st.id())));
            n.put("bytes", st.bytes()).put("objects", st.objects()).put("explain", st.explain());
        }
        root.putPOJO("criticalPath", s.criticalPath());
        root.put("totalSeconds", round(r.total()));
        root.put("planningSeconds", round(r.planning()));
        root.put("presyncSeconds", round(s.presync()));
        root.put("freezeWindowSeconds", round(s.cutover()));
        root.put("afterSwitchSeconds", round(s.afterSwitch()));
        root.put("lowerBoundSeconds", round(s.lowerBound()));
        Verdict v = verdict(r.plan(), null, r.total(), Instant.now());
        ObjectNode d = root.putObject("deadline");
        d.put("deadline", v.deadline());
        d.put("met", v.met());
        d.put("slackSeconds", round(v.slack()));
        ArrayNode dns = root.putArray("dns");
        for (Dns x : dns(r)) {
            dns.addObject().put("hook", x.hook()).put("ttlSeconds", x.ttl()).put("loweredAtSeconds", round(x.loweredAt()))
                    .put("switchAtSeconds", round(x.switchAt())).put("waitSeconds", round(x.waitSeconds())).put("warning", x.warning());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Markdown with a Mermaid Gantt chart (times as seconds from the start). */
    public static String markdown(Planner.Result r) {
        Plan plan = r.plan();
        Schedule s = r.schedule();
        Set<String> critical = new HashSet<>(s.criticalPath());
        StringBuilder b = new StringBuilder();
        b.append("# Plan: ").append(plan.name()).append("\n\n");
        b.append("| | |\n|---|---|\n");
        b.append("| Total ETA | ").append(Format.duration(r.total())).append(" |\n");
        b.append("| Planning (inventory and schedule, measured) | ").append(Format.duration(r.planning())).append(" |\n");
        b.append("| Pre-copy | ").append(Format.duration(s.presync())).append(" |\n");
        b.append("| Freeze window (cut-over) | ").append(Format.duration(s.cutover())).append(" |\n");
        b.append("| Lower bound | ").append(Format.duration(s.lowerBound())).append(" |\n");
        b.append("| Deadline | ").append(verdict(plan, null, r.total(), Instant.now()).text()).append(" |\n");
        Cost cost = Cost.of(plan, r.inventory());
        b.append("| Cost at the sources | ≈ ").append(Cost.dollars(cost.total())).append(" |\n\n");
        cost.lines().forEach(l -> b.append("- ").append(l.text()).append('\n'));
        b.append('\n');
        b.append("```mermaid\ngantt\n    title ").append(plan.name().replace(":", " ")).append("\n    dateFormat X\n    axisFormat %H:%M:%S\n");
        for (Phase phase : Phase.values()) {
            b.append("    section ").append(phase == Phase.PRESYNC ? "pre-copy" : "cut-over (frozen)").append('\n');
            for (Step st : s.steps()) {
                if (st.phase() != phase) {
                    continue;
                }
                long start = (long) Math.floor(s.start().get(st.id()));
                long end = Math.max(start + 1, (long) Math.ceil(s.end().get(st.id())));
                b.append("    ").append(st.id().replace(":", " ")).append(" :").append(critical.contains(st.id()) ? "crit, " : "")
                        .append(start).append(", ").append(end).append('\n');
            }
        }
        b.append("```\n\n| Step | Start | End | Estimate |\n|---|---|---|---|\n");
        for (Step st : s.steps()) {
            b.append("| ").append(st.id()).append(" | ").append(Format.duration(s.start().get(st.id()))).append(" | ")
                    .append(Format.duration(s.end().get(st.id()))).append(" | ").append(st.explain().replace("|", "\\|")).append(" |\n");
        }
        b.append("\nCritical path: ").append(String.join(" → ", s.criticalPath())).append('\n');
        return b.toString();
    }

    /** One endpoint's figures, each with its origin. */
    static String model(Throughput t) {
        return "reads " + Sizes.format(t.readRate()) + "/s per stream (" + t.stream().origin().word() + "), "
                + Calibration.millis(t.latency().value()) + " a request (" + t.latency().origin().word() + "); writes "
                + Sizes.format(t.writeRate()) + "/s per stream (" + t.writeStream().origin().word() + "), "
                + Calibration.millis(t.writeLatency().value()) + " a request (" + t.writeLatency().origin().word() + "); "
                + Sizes.format(t.bandwidthRate()) + "/s in all (" + t.bandwidth().origin().word() + ")"
                + (t.limitsRequests() ? String.format(Locale.ROOT, ", %.0f requests/s in all (%s)", t.requestLimit().value(),
                t.requestLimit().origin().word()) : ", no known request limit")
                + "; stats " + Calibration.millis(t.statLatency().value()) + " (" + t.statLatency().origin().word() + ")"
                + (t.limitsStats() ? String.format(Locale.ROOT, ", %.0f/s in all (%s)", t.statLimit().value(), t.statLimit().origin().word()) : "")
                + (t.copy() == null ? "" : "; copies into it " + Sizes.format((long) t.copy().stream().value()) + "/s per stream ("
                + t.copy().stream().origin().word() + ", copy-through)");
    }

    private static String uri(Location l) {
        return Redaction.uri(l.uri());
    }

    private static void figure(ObjectNode n, String name, Throughput.Figure f) {
        n.putObject(name).put("value", f.value()).put("origin", f.origin().name().toLowerCase(Locale.ROOT));
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }


}
