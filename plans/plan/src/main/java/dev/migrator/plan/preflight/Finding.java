package dev.migrator.plan.preflight;

/**
 * One line of a preflight report.
 *
 * @param check   the check's name, e.g. {@code access}
 * @param subject what was checked, e.g. {@code target new-media} or {@code hook freeze-1}
 * @param status  the verdict
 * @param message what was found; for WARN and FAIL also what to do. Never a credential.
 */
public record Finding(String check, String subject, Status status, String message) {
}
