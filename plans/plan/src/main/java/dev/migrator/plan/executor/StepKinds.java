package dev.migrator.plan.executor;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The actions by step kind. Adding a kind of step is one {@link #register} call; the executor knows no kinds. */
public final class StepKinds {
    private final Map<String, StepAction> actions = new TreeMap<>();

    public StepKinds register(String kind, StepAction action) {
        actions.put(kind, action);
        return this;
    }

    public Optional<StepAction> find(String kind) {
        return Optional.ofNullable(actions.get(kind));
    }

    public java.util.Set<String> kinds() {
        return actions.keySet();
    }
}
