package dev.migrator.provider;

import java.nio.file.Path;

/**
 * What every {@link Database} adapter that reaches its server at a location and dumps it with the engine's own
 * tools has: the location, where the tools are, the engine's name and the display URI that follows from the
 * location. Each engine adds its SQL and its tools.
 *
 * @param <L> the engine's location (host, port, user, database and its connection settings)
 */
public abstract class ToolDatabase<L extends ToolDatabase.Location> implements Database {
    /** Where a database is. */
    public interface Location {
        /** {@code scheme://user@host:port/db}: what people see; never the password. */
        String display();
    }

    private final String engine;
    protected final L location;
    /** Where the dump and restore tools are, or {@code null} for the engine's default choice (server version, then PATH). */
    protected final Path binDir;

    protected ToolDatabase(String engine, L location, Path binDir) {
        this.engine = engine;
        this.location = location;
        this.binDir = binDir;
    }

    public final L location() {
        return location;
    }

    @Override
    public final String displayUri() {
        return location.display();
    }

    @Override
    public final String engine() {
        return engine;
    }

    /** Nothing is held between calls: every call opens and closes its own connections and processes. */
    @Override
    public void close() {
    }

    @Override
    public final String toString() {
        return displayUri();
    }
}
