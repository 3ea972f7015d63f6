package dev.migrator.plan.preflight;

/** A check's verdict: ready, ready with a caveat worth reading, or not ready (the run would fail). */
public enum Status {
    OK, WARN, FAIL
}
