package dev.migrator.provider.postgres;

import dev.migrator.provider.Database;
import dev.migrator.provider.ToolDatabase;
import dev.migrator.provider.DatabaseTools;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Fingerprint;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ToolProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A PostgreSQL database driven through pg_dump and pg_restore.
 *
 * <p>Snapshots use the directory format with {@code --jobs}: pg_dump then dumps tables in parallel
 * under one synchronized snapshot (so a dump taken during writes restores to one point in time), and
 * pg_restore can load data and build indexes in parallel from it. The custom format cannot be
 * dumped in parallel. On a pgbench scale-50 database (one dominant table) the two were within noise
 * of each other (docs/benchmarks.md, "Databases"); parallel dumping is what decides for databases with
 * many tables. Default compression stays on: dumps of typical data shrink many times, and its cost was
 * not measurable beside the noise.
 *
 * <p>Direct copy pipes {@code pg_dump -Fc -Z0} into {@code pg_restore --single-transaction} through an
 * operating-system pipe (a named one, so pg_dump can start before the target is ready): no file, no
 * compression (both ends are CPU-bound), no byte through the JVM, and restore runs while the dump is still reading.
 *
 * <p>The tools are taken from {@code /usr/lib/postgresql/<server major>/bin} when that exists (Debian and
 * Ubuntu install one directory per version), else from the PATH; a tool older than the server is refused
 * with the version that is needed.
 */
final class PostgresDatabase extends ToolDatabase<PgLocation> {
    static final String ENGINE = "postgresql";
    private static final Pattern VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?");
    private static final String INSTALL = "the PostgreSQL client tools (Debian/Ubuntu: postgresql-client)";
    /** The database every server has, to create, rename and drop others from. */
    private static final String MAINTENANCE = "postgres";
    /** Debian's and Ubuntu's tools of each major version, in {@code <major>/bin}. */
    private static final Path VERSIONED = Path.of("/usr/lib/postgresql");

    /** {@code binDir} overrides where the tools are found ({@code null}: per server version, then PATH). */
    PostgresDatabase(PgLocation location, Path binDir) {
        super(ENGINE, location, binDir);
    }

    @Override
    public Inventory inventory() {
        try (Connection c = location.connect(); Statement st = c.createStatement()) {
            long size;
            try (ResultSet rs = st.executeQuery("select pg_database_size(current_database())")) {
                rs.next();
                size = rs.getLong(1);
            }
            List<Table> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("""
                    select quote_ident(n.nspname) || '.' || quote_ident(c.relname),
                           greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid)
                    from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where c.relkind in ('r', 'm') and %s
                    order by 3 desc, 1""".formatted(PgCatalog.userObject("c")))) {
                while (rs.next()) {
                    tables.add(new Table(rs.getString(1), rs.getLong(2), rs.getLong(3)));
                }
            }
            return new Inventory(size, tables);
        } catch (SQLException e) {
            throw location.failure(e, "read the catalog of");
        }
    }

    @Override
    public Dump dump(Path dir, DumpOptions options) {
        int serverMajor = serverMajor(location);
        Tool pgDump = tool("pg_dump", serverMajor);
        if (pgDump.major < serverMajor) {
            throw tooOld(pgDump, "dump", serverMajor);
        }
        DatabaseTools.requireEmpty(dir);
        // A dump is the data: only its owner may read it. pg_dump creates its files by the umask (usually
        // 0644), so the directory is closed first (nobody else can reach the files while they are written)
        // and the files are made 0600 when it is done.
        setPermissions(dir, "rwx------");
        List<String> cmd = new ArrayList<>(List.of(pgDump.path, "--format=directory",
                "--jobs=" + Math.max(1, options.jobs()), "--file=" + dir));
        ownership(cmd, options.noOwner(), options.noPrivileges());
        run(List.of(new ProcessBuilder(cmd)), List.of(location), "dump " + displayUri());
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> setPermissions(f, "rw-------"));
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot read dump directory " + dir + ": " + e.getMessage(), e);
        }
        return new Dump(ENGINE, "directory", "pg_dump", pgDump.version, serverVersion(location),
                "pg_restore --jobs=4 --no-owner --no-privileges --exit-on-error --dbname=\"$TARGET\" .");
    }

    @Override
    public void restore(Path dir, Dump dump, RestoreOptions options) {
        if (!ENGINE.equals(dump.engine())) {
            throw MigratorException.badInput("a " + dump.engine() + " dump cannot be restored into PostgreSQL " + displayUri());
        }
        if (!Files.isRegularFile(dir.resolve("toc.dat"))) {
            throw MigratorException.badInput(dir + " holds no pg_dump directory archive (toc.dat is missing)");
        }
        boolean existed = exists();
        int serverMajor = existed ? prepareTarget(options.allowNonEmpty()) : serverMajor(location.withDatabase(MAINTENANCE));
        Tool pgRestore = tool("pg_restore", serverMajor);
        int dumpMajor = major(dump.toolVersion());
        if (pgRestore.major < dumpMajor) {
            throw MigratorException.badInput("pg_restore " + pgRestore.version + " cannot read a dump written by pg_dump "
                    + dump.toolVersion() + "; install pg_restore " + dumpMajor + " or later (Debian/Ubuntu: postgresql-client-"
                    + dumpMajor + ")");
        }
        // A parallel restore cannot be one transaction. So a database that does not exist yet is restored
        // under a temporary name and renamed when complete: a failed or killed restore never leaves a
        // half-filled database under the real name, and the same command run again starts over.
        String into = existed ? location.database() : partialName();
        if (!existed) {
            dropDatabase(into);
            createDatabase(into);
        }
        List<String> cmd = new ArrayList<>(List.of(pgRestore.path, "--jobs=" + Math.max(1, options.jobs()),
                "--exit-on-error", "--dbname=" + into));
        ownership(cmd, options.noOwner(), options.noPrivileges());
        cmd.add(dir.toString());
        try {
            run(List.of(new ProcessBuilder(cmd)), List.of(location.withDatabase(into)), "restore into " + displayUri());
        } catch (RuntimeException e) {
            if (!existed) {
                try {
                    dropDatabase(into);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        if (!existed) {
            maintenance("alter database " + PgCatalog.quoteIdent(into) + " rename to " + PgCatalog.quoteIdent(location.database()),
                    "rename the restored database " + into + " to " + location.database());
        }
    }

    private static void setPermissions(Path path, String permissions) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (IOException | UnsupportedOperationException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot make " + path + " private to its owner ("
                    + permissions + "): " + e.getMessage(), e);
        }
    }

    /** The temporary name a new database is restored under (at most 63 bytes, PostgreSQL's limit). */
    String partialName() {
        String name = location.database();
        String suffix = "_migrator_partial";
        while ((name + suffix).getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63) {
            name = name.substring(0, name.length() - 1);
        }
        return name + suffix;
    }

    // --- eta2 begin
    @Override
    public Rates sampleRates(Database target, long maxBytes, double maxSeconds, int jobs) {
        if (target != null && !(target instanceof PostgresDatabase)) {
            throw MigratorException.badInput("cannot probe a restore from " + displayUri() + " into " + target.displayUri()
                    + ": a dump restores only into the same engine");
        }
        List<Table> tables = inventory().tables();
        if (tables.isEmpty()) {
            return null;
        }
        PostgresDatabase t = (PostgresDatabase) target;
        PgLocation into = t == null ? null : t.location.withDatabase(t.exists() ? t.location.database() : MAINTENANCE);
        Path dir;
        try {
            dir = Files.createTempDirectory("migrator-probe-");
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot create a temporary directory for the probe's schema dump: "
                    + e.getMessage(), e);
        }
        try {
            Path schema = dir.resolve("schema");
            double dumpStart = schemaDump(schema, jobs);
            double restoreStart = t == null ? 0 : t.emptyRestore(schema, dir.resolve("nothing.list"), into);
            Table largest = tables.get(0);
            double[] file = tableDump(dir.resolve("table"), largest, maxSeconds, dumpStart);
            Rates r = PgRateSample.measure(location, largest.name(), into, maxBytes, maxSeconds, dumpStart, restoreStart);
            return new Rates(r.table(), r.dumpBytes(), r.dumpSeconds(), r.restoreBytes(), r.restoreSeconds(), r.source(), r.target(),
                    (long) file[0], file[1]);
        } finally {
            dev.migrator.provider.FileTrees.deleteQuietly(dir);
        }
    }

    /**
     * Seconds {@link #dump}'s fixed part takes: the server's version, the tool's, pg_dump with {@code jobs} jobs of the
     * schema alone (its start, connections, locks and catalog reads), the version once more.
     */
    private double schemaDump(Path dir, int jobs) {
        long t0 = System.nanoTime();
        int serverMajor = serverMajor(location);
        Tool pgDump = tool("pg_dump", serverMajor);
        if (pgDump.major < serverMajor) {
            throw tooOld(pgDump, "dump", serverMajor);
        }
        run(List.of(new ProcessBuilder(pgDump.path, "--format=directory", "--jobs=" + Math.max(1, jobs), "--schema-only",
                "--file=" + dir)), List.of(location), "dump the schema of " + displayUri() + " (probe)");
        serverVersion(location);
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * The dump step's rate on {@code table}, taken with the dump tool itself and {@link #dump}'s flags (directory format,
     * its default compression: on text-like rows pg_dump's gzip, not the read, sets the pace; one job, as one table
     * takes one job): {@code {bytes, seconds}}, the bytes in the table's stored size (what the planner divides the
     * database's size by) and the seconds beyond {@code dumpStart} (the same tool's start, connections and catalog reads,
     * which the step is charged apart). Bounded to {@code maxSeconds}: a dump still running then is stopped and counted
     * by the rows its COPY had sent (pg_stat_progress_copy). {@code {0, 0}} when nothing could be counted.
     */
    private double[] tableDump(Path dir, Table table, double maxSeconds, double dumpStart) {
        Tool pgDump = tool("pg_dump", serverMajor(location));
        ProcessBuilder b = pointAt(new ProcessBuilder(pgDump.path, "--format=directory", "--jobs=1", "--data-only",
                "--table=" + table.name(), "--file=" + dir), location).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        try (ToolProcess p = ToolProcess.start(b, Map.of(), INSTALL)) {
            boolean done = p.processes().get(0).waitFor((long) (maxSeconds * 1000), java.util.concurrent.TimeUnit.MILLISECONDS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double beyond = Math.max(seconds - dumpStart, seconds / 2); // a start timed longer than this whole dump is noise
            if (done) {
                int code = p.await()[0];
                if (code != 0) {
                    throw toolFailure(p.name(0), p.describe(0, code), location, "dump " + table.name() + " of " + displayUri() + " (probe)");
                }
                return new double[]{table.bytes(), beyond};
            }
            long rows = copiedRows(table.name());
            p.kill();
            if (rows <= 0 || table.rowEstimate() <= 0) {
                return new double[]{0, 0};
            }
            return new double[]{table.bytes() * Math.min(1.0, rows / (double) table.rowEstimate()), beyond};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.FAILED, "interrupted while timing a dump of " + table.name(), e);
        }
    }

    /** Rows a dump's COPY of {@code table} has sent so far (PostgreSQL 14 and later report it); 0 when not known. */
    private long copiedRows(String table) {
        try (Connection c = location.connect(); java.sql.PreparedStatement ps = c.prepareStatement("select max(tuples_processed)"
                + " from pg_stat_progress_copy where datname = current_database() and command = 'COPY TO' and relid = ?::regclass")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            return 0; // an older server has no such view: the dump rate is then not probed, the stream rate stands
        }
    }

    /**
     * Seconds {@link #restore}'s fixed part takes, as far as it can be run without creating a database: the server's
     * version, the tool's, and pg_restore of the schema-only dump with an empty list ({@code -L}): it starts, reads the
     * archive and connects to {@code into}, and restores nothing.
     */
    private double emptyRestore(Path dump, Path list, PgLocation into) {
        long t0 = System.nanoTime();
        int serverMajor = serverMajor(into);
        Tool pgRestore = tool("pg_restore", serverMajor);
        try {
            Files.writeString(list, "; nothing: the probe times pg_restore's start and connection alone\n");
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot write " + list + ": " + e.getMessage(), e);
        }
        run(List.of(new ProcessBuilder(pgRestore.path, "--exit-on-error", "--use-list=" + list, "--dbname=" + into.database(),
                dump.toString())), List.of(into), "start a restore into " + into.display() + " (probe, restoring nothing)");
        return (System.nanoTime() - t0) / 1e9;
    }
    // --- eta2 end

    private boolean exists() {
        return databaseExists(location.database());
    }

    /** Whether a database of that name exists on this database's server. */
    boolean databaseExists(String name) {
        try (Connection c = location.withDatabase(MAINTENANCE).connect();
             java.sql.PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw location.failure(e, "check");
        }
    }

    void dropDatabaseNamed(String name) {
        dropDatabase(name);
    }

    /** Creates an empty database of that name from template0 (as a restore target). */
    void createDatabaseNamed(String name) {
        maintenance("create database " + PgCatalog.quoteIdent(name) + " template template0", "create " + name);
    }

    void renameDatabase(String from, String to) {
        maintenance("alter database " + PgCatalog.quoteIdent(from) + " rename to " + PgCatalog.quoteIdent(to),
                "rename the database " + from + " to " + to);
    }

    private void dropDatabase(String name) {
        maintenance("drop database if exists " + PgCatalog.quoteIdent(name) + " with (force)", "drop " + name);
    }

    private void maintenance(String sql, String what) {
        PgLocation m = location.withDatabase(MAINTENANCE);
        try (Connection c = m.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot " + what + " on " + m.display() + ": "
                    + PgLocation.oneLine(e.getMessage()), e);
        }
    }

    @Override
    public void copyTo(Database target, DumpOptions dumpOptions, RestoreOptions restoreOptions) {
        if (!(target instanceof PostgresDatabase pg)) {
            throw MigratorException.badInput("cannot copy PostgreSQL " + displayUri() + " into " + target.engine()
                    + " " + target.displayUri() + ": a dump restores only into the same engine");
        }
        // The two ends are checked at the same time (each is a server round trip or two and a tool's --version):
        // the source's version and its pg_dump here, the target's preparation and its pg_restore on another thread.
        // A failing source is reported first (the target's failure rides along as suppressed), as when they ran in turn.
        FutureTask<Checked> targetSide = new FutureTask<>(() -> {
            int major = pg.createIfMissing();
            if (major == 0) {
                major = pg.prepareTarget(restoreOptions.allowNonEmpty());
            }
            return new Checked(major, pg.toolOfMajor("pg_restore", major));
        });
        Thread checking = new Thread(targetSide, "check-target");
        checking.setDaemon(true);
        checking.start();
        String what = "copy " + displayUri() + " to " + pg.displayUri();
        // pg_dump starts as soon as the source is checked, into a named pipe: it reads the source's catalog while
        // the target may still be being created, and pg_restore opens the same pipe once the target is ready
        try (NamedPipe pipe = NamedPipe.make("from pg_dump to pg_restore")) {
            Tool pgDump = checkSource(targetSide);
            pipe.open();
            List<String> dump = new ArrayList<>(List.of(pgDump.path, "--format=custom", "--compress=0"));
            ownership(dump, dumpOptions.noOwner(), dumpOptions.noPrivileges());
            // both ends of the pipe are opened here, as each tool starts (its stdout, its stdin), never by the tools
            // themselves: a tool that opened it late, after the pipe was let go, would wait for the other end forever
            try (ToolProcess dumping = ToolProcess.start(pointAt(new ProcessBuilder(dump), location)
                    .redirectOutput(pipe.path().toFile()), Map.of(), INSTALL)) {
                Tool pgRestore = restoreTool(pg, outcome(targetSide), pgDump);
                // One transaction: a failed or interrupted copy leaves the target as empty as it was, so the same
                // command can simply run again. (A restore from a pipe is sequential anyway.)
                List<String> restore = new ArrayList<>(List.of(pgRestore.path, "--single-transaction", "--exit-on-error",
                        "--dbname=" + pg.location.database()));
                ownership(restore, restoreOptions.noOwner(), restoreOptions.noPrivileges());
                try (ToolProcess restoring = ToolProcess.start(pointAt(new ProcessBuilder(restore), pg.location)
                        .redirectInput(pipe.path().toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD), Map.of(), INSTALL)) {
                    pipe.release(); // pg_restore holds the pipe now: it sees the end when pg_dump closes it
                    int dumped = dumping.await()[0];
                    int restored = restoring.await()[0];
                    // pg_restore stops at an error and pg_dump then dies of the broken pipe: pg_restore's error is the cause
                    if (dumped != 0 && !(restored != 0 && ToolProcess.brokenPipe(dumped, dumping.stderr(0)))) {
                        throw toolFailure("pg_dump", dumping.describe(0, dumped), location, what);
                    }
                    if (restored != 0) {
                        throw toolFailure("pg_restore", restoring.describe(0, restored), pg.location, what);
                    }
                }
            }
        } finally {
            if (!targetSide.isDone()) {
                targetSide.cancel(true); // the copy failed before the target's checks ended: they are not needed
            }
        }
    }

    /** The source's pg_dump, new enough for its server; a failure waits for the target's checks and carries theirs. */
    private Tool checkSource(FutureTask<Checked> targetSide) {
        try {
            int sourceMajor = serverMajor(location);
            Tool pgDump = toolOfMajor("pg_dump", sourceMajor);
            if (pgDump.major < sourceMajor) {
                throw tooOld(pgDump, "dump", sourceMajor);
            }
            return pgDump;
        } catch (RuntimeException e) {
            try {
                outcome(targetSide);
            } catch (RuntimeException other) {
                e.addSuppressed(other);
            }
            throw e;
        }
    }

    /** The target's pg_restore, able to read what {@code pgDump} writes (a newer source's one, when installed apart). */
    private static Tool restoreTool(PostgresDatabase pg, Checked target, Tool pgDump) {
        Tool pgRestore = target.tool();
        int needed = Math.max(target.major(), pgDump.major);
        if (!pg.toolPath("pg_restore", needed).equals(pg.toolPath("pg_restore", target.major()))) {
            pgRestore = pg.toolOfMajor("pg_restore", needed);
        }
        if (pgRestore.major < pgDump.major) {
            throw MigratorException.badInput("pg_restore " + pgRestore.version + " cannot read what pg_dump "
                    + pgDump.version + " writes; install pg_restore " + pgDump.major + " or later");
        }
        return pgRestore;
    }

    @Override
    public dev.migrator.provider.Replication replicateTo(Database target, dev.migrator.provider.Replication.Options options) {
        if (!(target instanceof PostgresDatabase pg)) {
            throw MigratorException.badInput("cannot replicate PostgreSQL " + displayUri() + " into " + target.engine()
                    + " " + target.displayUri() + ": logical replication carries changes only into PostgreSQL");
        }
        return new PgReplication(this, pg, options);
    }

    @Override
    public List<dev.migrator.provider.Replication.Slot> replicationSlots() {
        List<dev.migrator.provider.Replication.Slot> out = new ArrayList<>();
        try (Connection c = location.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     select s.slot_name, s.database, s.active,
                            coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn), 0)::bigint,
                            (select obj_description(p.oid, 'pg_publication') from pg_publication p where p.pubname = s.slot_name)
                     from pg_replication_slots s
                     where s.slot_name like 'migrator\\_%' and s.plugin = 'pgoutput' order by 1""")) {
            while (rs.next()) {
                String comment = rs.getString(5);
                String to = comment == null ? "(its publication is in database " + rs.getString(2) + ")"
                        : comment.replaceFirst("^migrator replication to ", "");
                out.add(new dev.migrator.provider.Replication.Slot(rs.getString(1), rs.getString(2), rs.getBoolean(3),
                        rs.getLong(4), to));
            }
            return out;
        } catch (SQLException e) {
            throw location.failure(e, "list the replication slots of");
        }
    }

    @Override
    public void dropReplicationSlot(String name) {
        if (!name.startsWith(PgReplication.SLOT_PREFIX)) {
            throw MigratorException.badInput("'" + name + "' is not one of migrator's slots (they are named "
                    + PgReplication.SLOT_PREFIX + "...); drop other slots with pg_drop_replication_slot yourself");
        }
        PgReplication.dropSlot(location, name);
    }

    @Override
    public Facts facts() {
        return PgFacts.read(this, location);
    }

    @Override
    public Fingerprint fingerprint() {
        try (Connection c = location.connect()) {
            return PgCatalog.fingerprint(c);
        } catch (SQLException e) {
            throw location.failure(e, "fingerprint");
        }
    }

    /**
     * Makes this database ready to be restored into: creates it when missing (from template0, as the
     * PostgreSQL manual recommends for restores) and refuses one that already holds objects unless
     * {@code allowNonEmpty}. Returns the server's major version.
     */
    int prepareTarget(boolean allowNonEmpty) {
        Connection opened;
        try {
            opened = location.connect();
        } catch (MigratorException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            int major = createDatabase(location.database());
            if (major > 0) {
                return major; // created here from template0, which holds no objects: nothing to check
            }
            opened = location.connect();
        }
        try (Connection c = opened; Statement st = c.createStatement()) {
            st.execute("set search_path = pg_catalog"); // names in the message come out schema-qualified
            if (!allowNonEmpty) {
                List<String> held = PgCatalog.userObjects(st, 5);
                if (!held.isEmpty()) {
                    throw new MigratorException(ErrorCode.CONFLICT, "target " + displayUri() + " is not empty: it holds "
                            + String.join(", ", held) + (held.size() == 5 ? ", ..." : "")
                            + "; restore into an empty database, or pass --allow-non-empty to restore on top of it");
                }
            }
            return majorOf(st);
        } catch (SQLException e) {
            throw location.failure(e, "check");
        }
    }

    private static int majorOf(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("show server_version_num")) {
            rs.next();
            return rs.getInt(1) / 10000;
        }
    }

    /**
     * Creates {@code name} from template0 through the maintenance database, on the same connection reading the
     * server's major version, which it returns; 0 when someone else created the database meanwhile.
     */
    private int createDatabase(String name) {
        PgLocation maintenance = location.withDatabase(MAINTENANCE);
        Connection opened;
        try {
            opened = maintenance.connect();
        } catch (MigratorException e) {
            throw new MigratorException(e.code(), "database '" + location.database() + "' does not exist on "
                    + displayUri() + " and could not be created: " + e.getMessage()
                    + "; create it with: createdb " + location.database());
        }
        try (Connection c = opened; Statement st = c.createStatement()) {
            return create(st, name);
        } catch (SQLException e) {
            throw maintenance.failure(e, "create " + name + " on");
        }
    }

    /** {@link #createDatabase} on an open maintenance connection: the major version, or 0 when it exists meanwhile. */
    private int create(Statement st, String name) throws SQLException {
        try {
            st.execute("create database " + PgCatalog.quoteIdent(name) + " template template0");
        } catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) {
                return 0; // created meanwhile by someone else: fine, the emptiness check decides
            }
            throw new MigratorException(ErrorCode.BAD_INPUT, "database '" + location.database() + "' does not exist on "
                    + displayUri() + " and could not be created (" + PgLocation.oneLine(e.getMessage())
                    + "); create it with: createdb " + location.database());
        }
        return majorOf(st);
    }

    /**
     * A direct copy's usual target, a database not made yet, created from template0 through the maintenance database in one
     * connection (asked whether it exists, then created): no failed connection to it first, as {@link #prepareTarget} makes
     * (a backend started and refused, and the driver's error path), on the copy's critical path. Returns the server's major
     * version when created here; 0 when it exists, or the maintenance database cannot be reached: then
     * {@link #prepareTarget} decides, as it always did.
     */
    int createIfMissing() {
        Connection c;
        try {
            c = location.withDatabase(MAINTENANCE).connect();
        } catch (MigratorException e) {
            return 0; // e.g. no access to 'postgres': the target itself may still be reachable
        }
        try (c; java.sql.PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?");
             Statement st = c.createStatement()) {
            ps.setString(1, location.database());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return 0;
                }
            }
            return create(st, location.database());
        } catch (SQLException e) {
            return 0; // the catalog could not be read here: prepareTarget connects and reports what is wrong
        }
    }

    /** Runs a tool or a pipeline (each process with its location's environment); failures name the tool. */
    static void run(List<ProcessBuilder> builders, List<PgLocation> where, String what) {
        for (int i = 0; i < builders.size(); i++) {
            ProcessBuilder b = pointAt(builders.get(i), where.get(i));
            b.redirectInput(i == 0 ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null")) : ProcessBuilder.Redirect.PIPE);
            b.redirectOutput(i == builders.size() - 1 ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.PIPE);
        }
        try (ToolProcess p = ToolProcess.pipeline(builders, Map.of(), INSTALL)) {
            int[] codes = p.await();
            int failed = p.culprit(codes); // in pg_dump | pg_restore, the tool that really failed
            if (failed >= 0) {
                throw toolFailure(p.name(failed), p.describe(failed, codes[failed]), where.get(failed), what);
            }
        }
    }

    /** Points a tool at {@code where} through its environment, stdin from /dev/null unless redirected later. */
    private static ProcessBuilder pointAt(ProcessBuilder b, PgLocation where) {
        // a password left in the caller's environment must not leak into the other side's tool
        b.environment().remove("PGPASSWORD");
        b.environment().putAll(where.toolEnvironment());
        return b.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }

    /** One line from what a failing tool said; rejected credentials are {@link ErrorCode#AUTH}. */
    static MigratorException toolFailure(String tool, String said, PgLocation where, String what) {
        String detail = DatabaseTools.tail(said);
        if (detail.contains("password authentication failed") || detail.contains("no password supplied")
                || detail.contains("fe_sendauth")) {
            return new MigratorException(ErrorCode.AUTH, tool + " could not log in to " + where.display() + ": " + detail
                    + "; give the password in PGPASSWORD, ~/.pgpass or the URI");
        }
        if (detail.contains("server version mismatch")) {
            return MigratorException.badInput(tool + ": " + detail + "; install the client tools of the server's version");
        }
        return new MigratorException(ErrorCode.FAILED, "cannot " + what + ": " + tool + " failed: " + detail);
    }

    private static void ownership(List<String> cmd, boolean noOwner, boolean noPrivileges) {
        if (noOwner) {
            cmd.add("--no-owner");
        }
        if (noPrivileges) {
            cmd.add("--no-privileges");
        }
    }

    private static int serverMajor(PgLocation where) {
        return major(serverVersion(where));
    }

    String serverVersionText() {
        return serverVersion(location);
    }

    private static String serverVersion(PgLocation where) {
        try (Connection c = where.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("show server_version")) {
            rs.next();
            return rs.getString(1).split(" ")[0];
        } catch (SQLException e) {
            throw where.failure(e, "query");
        }
    }

    /** An installed tool and its version. */
    record Tool(String path, String version, int major) {
    }

    /** A server's major version and the tool chosen for it. */
    private record Checked(int major, Tool tool) {
    }

    /** Finds {@code name} and asks its version: see {@link #toolPath}. */
    Tool tool(String name, int serverMajor) {
        Path exe = toolPath(name, serverMajor);
        String out = DatabaseTools.versionOutput(exe.toString(), INSTALL + ", version " + serverMajor + " or later");
        Matcher m = VERSION.matcher(out.replaceFirst("^\\D*", ""));
        if (!m.lookingAt()) {
            throw MigratorException.badInput("cannot read the version of " + exe + " ('" + out + "')");
        }
        return new Tool(exe.toString(), m.group(0), Integer.parseInt(m.group(1)));
    }

    /**
     * {@link #tool} where only the major version counts (a direct copy: no dump records the tool's version): one from
     * {@code /usr/lib/postgresql/<major>/bin} is of that major (Debian's packaging), so its {@code --version} is not
     * asked; a process start less on the copy's critical path, before each tool can start. Elsewhere as {@link #tool}.
     */
    Tool toolOfMajor(String name, int serverMajor) {
        Path exe = toolPath(name, serverMajor);
        if (binDir == null && exe.startsWith(VERSIONED)) {
            return new Tool(exe.toString(), Integer.toString(serverMajor), serverMajor);
        }
        return tool(name, serverMajor);
    }

    /** Where {@code name} is taken from: the override directory, the server version's Debian directory, or the PATH. */
    Path toolPath(String name, int serverMajor) {
        if (binDir != null) {
            return binDir.resolve(name);
        }
        Path versioned = VERSIONED.resolve(Integer.toString(serverMajor)).resolve("bin").resolve(name);
        return Files.isExecutable(versioned) ? versioned : Path.of(name);
    }

    /** What a check run on another thread returned, or its exception as thrown there. */
    private static <T> T outcome(FutureTask<T> task) {
        try {
            return task.get();
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted while checking the target");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new MigratorException(ErrorCode.FAILED, "cannot check the target: " + e.getCause(), e.getCause());
        }
    }

    static MigratorException tooOld(Tool tool, String what, int serverMajor) {
        String name = Path.of(tool.path).getFileName().toString();
        return MigratorException.badInput(name + " " + tool.version + " (" + tool.path + ") cannot " + what
                + " a PostgreSQL " + serverMajor + " server; install " + name + " " + serverMajor
                + " or later (Debian/Ubuntu: postgresql-client-" + serverMajor + ") and put it first on the PATH");
    }

    static int major(String version) {
        Matcher m = VERSION.matcher(version == null ? "" : version);
        if (!m.find()) {
            throw MigratorException.badInput("cannot read PostgreSQL version '" + version + "'");
        }
        return Integer.parseInt(m.group(1));
    }
}
