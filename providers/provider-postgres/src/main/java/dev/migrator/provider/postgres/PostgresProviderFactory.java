package dev.migrator.provider.postgres;

import dev.migrator.provider.Database;
import dev.migrator.provider.ProviderFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code postgresql://user@host:5432/database} (also {@code postgres://}): a PostgreSQL database,
 * dumped and restored with pg_dump/pg_restore. {@code MIGRATOR_PG_BINDIR} names the directory of the
 * tools to use when the default choice (the server version's Debian directory, then the PATH) is wrong.
 */
public final class PostgresProviderFactory implements ProviderFactory {
    @Override
    public Set<String> schemes() {
        return Set.of("postgresql", "postgres");
    }

    @Override
    public String usage() {
        return "postgresql://user@host:5432/database   PostgreSQL (pg_dump/pg_restore; libpq environment and ~/.pgpass honoured)";
    }

    /** {@code ?password=} (a password in the user info is hidden anyway); password-file= names a file, not a secret. */
    @Override
    public Set<String> secretParameters() {
        return Set.of("password");
    }

    @Override
    public boolean holdsDatabases() {
        return true;
    }

    @Override
    public Database database(URI uri) {
        String bin = System.getenv("MIGRATOR_PG_BINDIR");
        return new PostgresDatabase(PgLocation.parse(uri, System.getenv()), bin == null || bin.isBlank() ? null : Path.of(bin));
    }
}
