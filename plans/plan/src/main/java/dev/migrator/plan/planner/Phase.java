package dev.migrator.plan.planner;

import java.util.Locale;

/** The two phases of an exit: a bulk pre-copy while the old system is live (repeatable), then the cut-over. */
public enum Phase {
    PRESYNC, CUTOVER;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
