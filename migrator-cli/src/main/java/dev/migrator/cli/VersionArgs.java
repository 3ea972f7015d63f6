package dev.migrator.cli;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.transfer.PointInTime;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --versions} and {@code --versions-at}, for copy and verify of versioned buckets. */
final class VersionArgs {
    @Option(names = "--versions", paramLabel = "latest|all", defaultValue = "latest",
            description = "latest: each key's current object (the default). all: the whole version history, delete markers"
                    + " included, recreated in order on DST, which must keep versions (copy), or compared version by version (verify).")
    String versions;

    @Option(names = "--versions-at", paramLabel = "TIME",
            description = "The versioned SRC as it was at TIME (ISO-8601, e.g. 2026-11-30T12:00:00Z): each key's newest version"
                    + " not newer than TIME; keys deleted or not yet written then are left out.")
    String at;

    /** Whether the whole history was asked for; bad values and contradictory options are bad input. */
    boolean all() {
        String v = versions.trim().toLowerCase(Locale.ROOT);
        if (!v.equals("latest") && !v.equals("all")) {
            throw MigratorException.badInput("--versions must be 'latest' or 'all', got '" + versions + "'");
        }
        if (v.equals("all") && at != null) {
            throw MigratorException.badInput("--versions all and --versions-at exclude each other: the first copies every"
                    + " version, the second one point in time");
        }
        return v.equals("all");
    }

    /** {@code source}, or its state at {@code --versions-at}. */
    ObjectStore source(ObjectStore source) {
        return at == null ? source : PointInTime.of(source, instant());
    }

    private Instant instant() {
        try {
            return Instant.parse(at.trim());
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(at.trim()).toInstant();
            } catch (DateTimeParseException again) {
                throw MigratorException.badInput("--versions-at '" + at + "' is not an ISO-8601 time with a zone,"
                        + " e.g. 2026-11-30T12:00:00Z or 2026-11-30T13:00:00+01:00");
            }
        }
    }
}
