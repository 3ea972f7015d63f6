package dev.migrator.provider;

import java.nio.file.Path;
import java.util.List;

/**
 * A relational database reached through its own dump and restore tools (pg_dump/pg_restore,
 * mariadb-dump/mariadb). Ops engineers trust those tools; this interface drives them, runs them in
 * parallel and checks their result. Instances come from {@link ProviderFactory#database}.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>Every message and every returned string is redacted: no password ever appears.</li>
 *   <li>A missing dump tool, a tool too old for the server, rejected credentials, a missing database
 *       are {@link ErrorCode#BAD_INPUT}/{@link ErrorCode#AUTH}/{@link ErrorCode#NOT_FOUND} with a message
 *       saying which tool/version or which setting is needed.</li>
 *   <li>{@link #restore} and {@link #copyTo} refuse a target that already holds tables, views, sequences
 *       or routines ({@link ErrorCode#CONFLICT}, naming what is there) unless
 *       {@link RestoreOptions#allowNonEmpty()}.</li>
 *   <li>{@link #dump} takes a consistent snapshot: with writes going on, it restores to one point in time.</li>
 *   <li>{@link #fingerprint} is computed inside the database (row counts, ordered hash aggregates), so
 *       memory does not grow with table size.</li>
 *   <li>Thread-safe for distinct calls; each call opens its own connections and processes.</li>
 * </ul>
 */
public interface Database extends AutoCloseable {

    /** The URI with any password removed, e.g. {@code postgresql://app@db1:5432/shop}. */
    String displayUri();

    /** {@code postgresql} or {@code mysql}: a dump restores only into the same engine. */
    String engine();

    /** Size and tables, from the catalog (cheap: estimates, not counts). */
    Inventory inventory();

    /**
     * Writes a consistent snapshot into {@code dir}, which exists and is empty. Everything needed to
     * restore it is in the files of {@code dir} plus the returned {@link Dump}.
     */
    Dump dump(Path dir, DumpOptions options);

    /** Restores a dump written by {@link #dump} of the same engine from {@code dir} into this database. */
    void restore(Path dir, Dump dump, RestoreOptions options);

    /**
     * Streams a snapshot of this database straight into {@code target} (same engine) with no
     * intermediate file: the fastest path in an emergency.
     */
    void copyTo(Database target, DumpOptions dumpOptions, RestoreOptions restoreOptions);

    /** Schema and data fingerprint, for {@link Fingerprint#differences}. */
    Fingerprint fingerprint();

    // --- eta2 begin
    /**
     * What a bounded sample measured for the planner ({@code migrator probe}): {@code dumpBytes} of {@code table}'s rows
     * read out the way a dump reads them in {@code dumpSeconds}, and, when a target was given, the same bytes loaded into
     * a scratch place of the target in {@code restoreSeconds} (both 0 without a target). {@code source} and {@code target}
     * (null: not measured) are each end's fixed costs and its fingerprint's hashing of those rows. {@code fileDumpBytes} in
     * {@code fileDumpSeconds}: the table dumped into files by the dump tool itself with a dump step's flags (its
     * compression included), beyond the step's start; counted in the table's stored size (its indexes included), the
     * unit the planner divides a database's size by (0: not measured).
     */
    record Rates(String table, long dumpBytes, double dumpSeconds, long restoreBytes, double restoreSeconds, End source, End target,
                 long fileDumpBytes, double fileDumpSeconds) {
        public Rates(String table, long dumpBytes, double dumpSeconds, long restoreBytes, double restoreSeconds) {
            this(table, dumpBytes, dumpSeconds, restoreBytes, restoreSeconds, null, null);
        }

        public Rates(String table, long dumpBytes, double dumpSeconds, long restoreBytes, double restoreSeconds, End source, End target) {
            this(table, dumpBytes, dumpSeconds, restoreBytes, restoreSeconds, source, target, 0, 0);
        }
    }

    /**
     * One end's costs beside its rate, in seconds: {@code stepStart}, a dump step's (source) or a restore step's
     * (target) before its data, its tool started and connected through the schema alone; {@code fingerprintStart},
     * a {@link #fingerprint}'s before its rows (a connection and the schema part); {@code hashSeconds}, the
     * fingerprint's per-row hashing of the sample's {@code hashBytes} (0: not measured).
     */
    record End(double stepStart, double fingerprintStart, long hashBytes, double hashSeconds) {
    }

    /**
     * Times the dump of a sample of this database's largest table, stopping at {@code maxBytes} or {@code maxSeconds},
     * each end's step start (a dump of the schema alone with {@code jobs} jobs) and its fingerprint's hashing of the
     * sample; with {@code target} (same engine), also the sample's load into a scratch place of the target that cannot
     * outlive the probe. Writes nothing to this database, nothing lasting to the target. Null when there is no table.
     */
    default Rates sampleRates(Database target, long maxBytes, double maxSeconds, int jobs) {
        throw MigratorException.badInput("the " + engine() + " adapter cannot probe dump and restore rates; declare the"
                + " location's stream: (dump) and write-stream: (restore) in the plan");
    }
    // --- eta2 end

    /**
     * Change capture from this database into {@code target} (same engine): see {@link Replication}. Engines that
     * cannot do it throw {@link ErrorCode#BAD_INPUT} saying which moves they support.
     */
    default Replication replicateTo(Database target, Replication.Options options) {
        throw Replication.unsupported(this);
    }

    /** The replication slots migrator left on this database's server (each retains WAL until dropped). */
    default List<Replication.Slot> replicationSlots() {
        throw Replication.unsupported(this);
    }

    /** Drops one of migrator's replication slots (and its publication); {@link ErrorCode#NOT_FOUND} if none has that name. */
    default void dropReplicationSlot(String name) {
        throw Replication.unsupported(this);
    }

    /**
     * What a check before a run needs to know about this database's server and the tools this adapter would
     * run, read without changing anything. Rejected credentials are {@link ErrorCode#AUTH}, an unreachable
     * server {@link ErrorCode#FAILED}, as for the other methods; a database that does not exist yet (a
     * restore creates it) is reported through {@link Facts#exists()}, not thrown. The default says the
     * adapter cannot tell ({@link ErrorCode#BAD_INPUT}).
     */
    default Facts facts() {
        throw MigratorException.badInput("the " + engine() + " adapter cannot report its server's settings; "
                + "check " + displayUri() + " by hand before the run");
    }

    @Override
    void close();

    /** Database size and its tables. */
    record Inventory(long bytes, List<Table> tables) {
        public Inventory {
            tables = List.copyOf(tables);
        }
    }

    /** One table: schema-qualified name, estimated rows, bytes on disk (with indexes). */
    record Table(String name, long rowEstimate, long bytes) {
    }

    /**
     * What a dump is and how to restore it. {@code restoreByHand} is a shell command a person with
     * only the engine's own tools can run from inside the dump's directory, with {@code $TARGET}
     * standing for the target connection (written into bundle manifests).
     */
    record Dump(String engine, String format, String tool, String toolVersion, String serverVersion,
                String restoreByHand) {
    }

    /** Options of a snapshot. {@code jobs} is the parallelism the dump tool may use. */
    record DumpOptions(int jobs, boolean noOwner, boolean noPrivileges) {
        public static DumpOptions defaults() {
            return new DumpOptions(2, true, true);
        }
    }

    /**
     * Options of a restore. {@code noOwner}/{@code noPrivileges} skip ownership and grants that name roles
     * the new host may not have; {@code allowNonEmpty} restores into a database that already holds objects.
     */
    record RestoreOptions(int jobs, boolean noOwner, boolean noPrivileges, boolean allowNonEmpty) {
        public static RestoreOptions defaults() {
            return new RestoreOptions(2, true, true, false);
        }
    }

    /**
     * A database server as a preflight check sees it. Lists are capped (a few dozen entries) so a huge
     * catalog stays a short report.
     *
     * @param serverVersion           the server's version, e.g. {@code 15.20} or {@code 10.11.19-MariaDB}
     * @param exists                  whether the database exists (false: a restore into it creates it)
     * @param tools                   the dump and restore tools this adapter would run, each checked against the server
     * @param settings                server settings a move may depend on, by the server's own names
     *                                (PostgreSQL: wal_level, max_replication_slots, max_wal_senders;
     *                                MariaDB/MySQL: log_bin, binlog_format, server_id)
     * @param freeReplicationSlots    replication slots not in use, or -1 where the engine has none
     * @param tablesWithoutPrimaryKey schema-qualified names of tables that have no primary key
     * @param longTransactions        transactions open for more than {@link #LONG_TRANSACTION_MINUTES} minutes,
     *                                each as "id, user, minutes open, start of the statement"
     * @param extensions              extensions installed in this database (empty where the engine has none)
     * @param availableExtensions     extensions this server could install
     */
    record Facts(String serverVersion, boolean exists, List<ToolCheck> tools, java.util.Map<String, String> settings,
                 int freeReplicationSlots, List<String> tablesWithoutPrimaryKey, List<String> longTransactions,
                 List<String> extensions, List<String> availableExtensions) {
        public static final int LONG_TRANSACTION_MINUTES = 5;

        public Facts {
            tools = List.copyOf(tools);
            settings = java.util.Map.copyOf(settings);
            tablesWithoutPrimaryKey = List.copyOf(tablesWithoutPrimaryKey);
            longTransactions = List.copyOf(longTransactions);
            extensions = List.copyOf(extensions);
            availableExtensions = List.copyOf(availableExtensions);
        }
    }

    /**
     * One tool the adapter would run.
     *
     * @param use     {@code dump} or {@code restore}
     * @param name    e.g. {@code pg_dump}
     * @param path    where it was found, or null when it was not
     * @param version what it says its version is, or null when it could not be run
     * @param problem null when it can serve the server; else what is wrong and what to install
     */
    record ToolCheck(String use, String name, String path, String version, String problem) {
    }
}
