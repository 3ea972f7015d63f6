package dev.migrator.cli;

import dev.migrator.provider.Database.DumpOptions;
import dev.migrator.provider.Database.RestoreOptions;
import dev.migrator.provider.MigratorException;
import picocli.CommandLine.Option;

/** Options of commands that dump or restore databases (ignored for object stores). */
final class DatabaseArgs {
    @Option(names = "--jobs", paramLabel = "N", defaultValue = "2",
            description = "Databases: parallel jobs of the dump and restore tools. Default: ${DEFAULT-VALUE}.")
    int jobs;

    @Option(names = "--no-owner", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Databases: do not restore object owners, which name roles the new host may lack "
                    + "(default; --owner keeps them).")
    boolean noOwner;

    @Option(names = "--no-privileges", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Databases: do not restore grants (default; --privileges keeps them).")
    boolean noPrivileges;

    @Option(names = "--allow-non-empty",
            description = "Databases: restore into a target database that already holds tables, views or functions.")
    boolean allowNonEmpty;

    DumpOptions dump() {
        return new DumpOptions(checkedJobs(), noOwner, noPrivileges);
    }

    RestoreOptions restore() {
        return new RestoreOptions(checkedJobs(), noOwner, noPrivileges, allowNonEmpty);
    }

    private int checkedJobs() {
        if (jobs < 1) {
            throw MigratorException.badInput("--jobs must be at least 1");
        }
        return jobs;
    }
}
