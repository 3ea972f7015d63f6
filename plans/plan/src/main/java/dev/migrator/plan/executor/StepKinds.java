package dev.migrator.plan.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migrator.plan.planner.Phase;
import dev.migrator.plan.planner.Step;
import dev.migrator.plan.planner.StepParams;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The step kinds by name. Adding a kind of step is one {@link #register} call; the executor, the frozen plan
 * and the report know no kinds: they ask the kind of each step for its action, its encoding and whether it verifies.
 */
public final class StepKinds {
    private final Map<String, StepKind<?>> kinds = new TreeMap<>();

    public StepKinds register(StepKind<?> kind) {
        kinds.put(kind.name(), kind);
        return this;
    }

    public Optional<StepKind<?>> find(String name) {
        return Optional.ofNullable(kinds.get(name));
    }

    public Set<String> kinds() {
        return kinds.keySet();
    }

    /** The kind that runs {@code s}, or BAD_INPUT naming the step when this build has none or its parameters do not fit. */
    public StepKind<?> of(Step s) {
        StepKind<?> k = kinds.get(s.kind());
        if (k == null) {
            throw MigratorException.badInput("step " + s.id() + " is of kind '" + s.kind() + "', which this build cannot run; known kinds: "
                    + kinds.keySet());
        }
        if (!k.params().isInstance(s.params())) {
            throw MigratorException.badInput("step " + s.id() + " of kind '" + s.kind() + "' carries " + s.params().getClass().getSimpleName()
                    + ", not the " + k.params().getSimpleName() + " the kind takes");
        }
        return k;
    }

    /** Whether {@code s} is of a kind that verifies. */
    public boolean verifies(Step s) {
        StepKind<?> k = kinds.get(s.kind());
        return k != null && k.verifies();
    }

    /** {@code s} as the frozen plan holds it: its fields, with the parameters in its kind's encoding. */
    public ObjectNode encode(Step s) {
        ObjectNode n = StepKind.JSON.createObjectNode();
        n.put("id", s.id()).put("kind", s.kind()).put("phase", s.phase().name()).put("move", s.move());
        s.after().forEach(n.putArray("after")::add);
        n.set("params", of(s).encode(s.params()));
        n.put("bytes", s.bytes()).put("objects", s.objects()).put("seconds", s.seconds());
        ObjectNode demand = n.putObject("demand");
        s.demand().forEach(demand::put);
        n.put("explain", s.explain());
        return n;
    }

    /** A step back from the frozen plan; an IOException when it does not read as one of this build's kinds. */
    public Step decode(JsonNode n) throws IOException {
        String name = n.path("kind").asText();
        StepKind<?> k = kinds.get(name);
        if (k == null || !n.path("params").isObject()) {
            throw new IOException("step " + n.path("id").asText() + ": kind '" + name + "' with parameters " + n.path("params")
                    + " is not one this build runs");
        }
        StepParams params;
        try {
            params = k.decode(n.path("params"));
        } catch (RuntimeException e) {
            throw new IOException("step " + n.path("id").asText() + ": unreadable parameters", e);
        }
        List<String> after = new ArrayList<>();
        n.path("after").forEach(a -> after.add(a.asText()));
        Map<String, Long> demand = new LinkedHashMap<>();
        n.path("demand").fields().forEachRemaining(e -> demand.put(e.getKey(), e.getValue().asLong()));
        return new Step(n.path("id").asText(), name, Phase.valueOf(n.path("phase").asText()), n.path("move").asText(null), after,
                params, n.path("bytes").asLong(), n.path("objects").asLong(), n.path("seconds").asDouble(), demand,
                n.path("explain").asText());
    }
}
