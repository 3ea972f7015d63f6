package dev.migrator.plan.model;

import dev.migrator.provider.MigratorException;

/** Where something was written in a plan file, for messages: {@code plan.yaml:12:5}. Lines and columns count from 1. */
public record Pos(String file, int line, int column) {
    public static final Pos NONE = new Pos("(plan)", 0, 0);

    @Override
    public String toString() {
        return line == 0 ? file : file + ":" + line + ":" + column;
    }

    /** Bad input at this place: one line naming file, line and column, and what is expected. */
    public MigratorException error(String message) {
        return MigratorException.badInput(this + ": " + message);
    }
}
