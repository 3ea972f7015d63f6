package dev.migrator.provider.mysql;

import dev.migrator.provider.Database;
import dev.migrator.provider.ToolDatabase;
import dev.migrator.provider.DatabaseTools;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Fingerprint;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ToolProcess;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MySQL or MariaDB database driven through mariadb-dump (or mysqldump) and the mariadb (or mysql)
 * client.
 *
 * <p>The snapshot is one {@code dump.sql}, written by
 * {@code --single-transaction --routines --triggers --events --hex-blob}: one consistent InnoDB snapshot
 * (a dump taken during writes restores to one point in time; MyISAM tables are not transactional and get
 * no such promise). The tool has no parallel mode that keeps one snapshot, so {@code jobs} is not used.
 * {@code --skip-add-drop-table} makes a restore over an existing table fail instead of replacing it.
 * The dump names no database ({@code USE}), so it restores into a database of any name.
 * With {@code noOwner} the {@code DEFINER} clauses are removed ({@link DefinerFilter}).
 *
 * <p>Direct copy pipes the dump tool into the client; with {@code noOwner} the bytes pass through the
 * definer filter in this process, otherwise through an operating-system pipe.
 */
final class MysqlDatabase extends ToolDatabase<MysqlLocation> {
    static final String ENGINE = "mysql";
    static final String DUMP_FILE = "dump.sql";
    private static final String INSTALL = "the MariaDB or MySQL client tools (Debian/Ubuntu: mariadb-client)";
    private static final Pattern VERSION = Pattern.compile("(?:Distrib |Ver )(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    MysqlDatabase(MysqlLocation location, Path binDir) {
        super(ENGINE, location, binDir);
    }

    @Override
    public Inventory inventory() {
        try (Connection c = location.connect();
             PreparedStatement ps = c.prepareStatement("""
                     select table_name, coalesce(table_rows, 0), coalesce(data_length, 0) + coalesce(index_length, 0)
                     from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE'
                     order by 3 desc, 1""")) {
            ps.setString(1, location.database());
            List<Table> tables = new ArrayList<>();
            long total = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(new Table(rs.getString(1), rs.getLong(2), rs.getLong(3)));
                    total += rs.getLong(3);
                }
            }
            return new Inventory(total, tables);
        } catch (SQLException e) {
            throw location.failure(e, "read the catalog of");
        }
    }

    @Override
    public Dump dump(Path dir, DumpOptions options) {
        String serverVersion = serverVersion(location);
        Tool tool = tool(dumpTool(), serverVersion);
        DatabaseTools.requireEmpty(dir);
        Path file = dir.resolve(DUMP_FILE);
        ProcessBuilder b = logIn(new ProcessBuilder(dumpCommand(tool, location)), location)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try (ToolProcess p = ToolProcess.start(b, Map.of(), INSTALL);
             OutputStream out = new BufferedOutputStream(Files.newOutputStream(ownerOnly(dir, file)), 1 << 16)) {
            AtomicReference<IOException> pumpFailure = new AtomicReference<>();
            pump(p.processes().get(0).getInputStream(), out, options.noOwner(), pumpFailure);
            int code = p.await()[0];
            if (code != 0) {
                throw toolFailure(p.name(0), p.describe(0, code), location, "dump " + displayUri());
            }
            if (pumpFailure.get() != null) {
                throw new MigratorException(ErrorCode.FAILED, "cannot write " + file + ": " + pumpFailure.get().getMessage());
            }
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot write " + file + ": " + e.getMessage(), e);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot sync " + file + ": " + e.getMessage(), e);
        }
        String client = tool.path.contains("mysqldump") ? "mysql" : "mariadb";
        return new Dump(ENGINE, "sql", Path.of(tool.path).getFileName().toString(), tool.version, serverVersion,
                client + " --binary-mode --default-character-set=utf8mb4 --database=\"$TARGET\" < " + DUMP_FILE);
    }

    @Override
    public void restore(Path dir, Dump dump, RestoreOptions options) {
        if (!ENGINE.equals(dump.engine())) {
            throw MigratorException.badInput("a " + dump.engine() + " dump cannot be restored into MySQL/MariaDB " + displayUri());
        }
        Path file = dir.resolve(DUMP_FILE);
        if (!Files.isRegularFile(file)) {
            throw MigratorException.badInput(dir + " holds no MySQL dump (" + DUMP_FILE + " is missing)");
        }
        Tool client = tool(clientTool(), serverVersion(location.withDatabase("")));
        boolean created = prepareTarget(options.allowNonEmpty());
        restoring(created, () -> restoreFrom(file, client, options));
    }

    private void restoreFrom(Path file, Tool client, RestoreOptions options) {
        ProcessBuilder b = logIn(new ProcessBuilder(clientCommand(client, location)), location);
        if (!options.noOwner()) {
            b.redirectInput(ProcessBuilder.Redirect.from(file.toFile()));
        }
        try (ToolProcess p = ToolProcess.start(b, Map.of(), INSTALL)) {
            AtomicReference<IOException> pumpFailure = new AtomicReference<>();
            Thread feeder = null;
            if (options.noOwner()) {
                feeder = new Thread(() -> {
                    try (InputStream in = Files.newInputStream(file); OutputStream out = p.processes().get(0).getOutputStream()) {
                        DefinerFilter.copy(in, out);
                    } catch (IOException e) {
                        pumpFailure.set(e);
                    }
                }, "restore-feed");
                feeder.setDaemon(true);
                feeder.start();
            }
            int code = p.await()[0];
            if (code != 0) {
                throw toolFailure(p.name(0), p.describe(0, code), location, "restore into " + displayUri());
            }
            joinQuietly(feeder);
            if (pumpFailure.get() != null) { // the client saw an early end of input: the restore is incomplete
                throw new MigratorException(ErrorCode.FAILED, "cannot restore into " + displayUri() + ": reading "
                        + file + " failed: " + pumpFailure.get().getMessage());
            }
        }
    }

    @Override
    public void copyTo(Database target, DumpOptions dumpOptions, RestoreOptions restoreOptions) {
        if (!(target instanceof MysqlDatabase my)) {
            throw MigratorException.badInput("cannot copy MySQL/MariaDB " + displayUri() + " into " + target.engine()
                    + " " + target.displayUri() + ": a dump restores only into the same engine");
        }
        Tool dumper = tool(dumpTool(), serverVersion(location));
        Tool client = my.tool(my.clientTool(), serverVersion(my.location.withDatabase("")));
        boolean created = my.prepareTarget(restoreOptions.allowNonEmpty());
        my.restoring(created, () -> pipeInto(my, dumper, client, dumpOptions, restoreOptions));
    }

    private void pipeInto(MysqlDatabase my, Tool dumper, Tool client, DumpOptions dumpOptions, RestoreOptions restoreOptions) {
        boolean filter = dumpOptions.noOwner() || restoreOptions.noOwner();
        ProcessBuilder dump = logIn(new ProcessBuilder(dumpCommand(dumper, location)), location)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        ProcessBuilder restore = logIn(new ProcessBuilder(clientCommand(client, my.location)), my.location)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        String what = "copy " + displayUri() + " to " + my.displayUri();
        if (!filter) {
            try (ToolProcess p = ToolProcess.pipeline(List.of(dump, restore), Map.of(), INSTALL)) {
                check(p, p.await(), List.of(location, my.location), what);
            }
            return;
        }
        try (ToolProcess d = ToolProcess.start(dump, Map.of(), INSTALL); ToolProcess r = ToolProcess.start(restore, Map.of(), INSTALL)) {
            AtomicReference<IOException> pumpFailure = new AtomicReference<>();
            Thread pumpThread = new Thread(() -> {
                try (OutputStream out = r.processes().get(0).getOutputStream()) {
                    pump(d.processes().get(0).getInputStream(), out, true, pumpFailure);
                } catch (IOException e) {
                    pumpFailure.compareAndSet(null, e);
                }
            }, "copy-pump");
            pumpThread.setDaemon(true);
            pumpThread.start();
            int dumpCode = d.await()[0];
            int restoreCode = r.await()[0];
            // the client stopping at an error breaks the pipe the dump writes to: then the client is the cause
            if (dumpCode != 0 && !(restoreCode != 0 && ToolProcess.brokenPipe(dumpCode, d.stderr(0)))) {
                throw toolFailure(d.name(0), d.describe(0, dumpCode), location, what);
            }
            if (restoreCode != 0) {
                throw toolFailure(r.name(0), r.describe(0, restoreCode), my.location, what);
            }
            try {
                pumpThread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MigratorException(ErrorCode.INTERRUPTED, what + " interrupted");
            }
            if (pumpFailure.get() != null) {
                throw new MigratorException(ErrorCode.FAILED, "cannot " + what + ": passing the dump on failed: "
                        + pumpFailure.get().getMessage());
            }
        }
    }

    @Override
    public Facts facts() {
        return MysqlFacts.read(this, location);
    }

    @Override
    public Fingerprint fingerprint() {
        try (Connection c = location.connect()) {
            return MysqlCatalog.fingerprint(c, location.database());
        } catch (SQLException e) {
            throw location.failure(e, "fingerprint");
        }
    }

    private static void check(ToolProcess p, int[] codes, List<MysqlLocation> where, String what) {
        int failed = p.culprit(codes); // in dump | client, the tool that really failed
        if (failed >= 0) {
            throw toolFailure(p.name(failed), p.describe(failed, codes[failed]), where.get(failed), what);
        }
    }

    /** Copies {@code in} to {@code out}, through the definer filter when asked; an I/O error is recorded. */
    private static void pump(InputStream in, OutputStream out, boolean noOwner, AtomicReference<IOException> failure) {
        try (in) {
            if (noOwner) {
                DefinerFilter.copy(in, out);
            } else {
                in.transferTo(out);
            }
            out.flush();
        } catch (IOException e) {
            failure.compareAndSet(null, e);
        }
    }

    /**
     * Creates the database when missing (returns true then); refuses one that holds objects unless
     * {@code allowNonEmpty}.
     */
    boolean prepareTarget(boolean allowNonEmpty) {
        try (Connection c = location.withDatabase("").connect();
             PreparedStatement exists = c.prepareStatement("select 1 from information_schema.schemata where schema_name = ?")) {
            exists.setString(1, location.database());
            boolean present;
            try (ResultSet rs = exists.executeQuery()) {
                present = rs.next();
            }
            if (!present) {
                try (Statement st = c.createStatement()) {
                    st.execute("create database if not exists " + MysqlCatalog.quote(location.database())
                            + " character set utf8mb4");
                } catch (SQLException e) {
                    throw new MigratorException(ErrorCode.BAD_INPUT, "database '" + location.database() + "' does not exist on "
                            + displayUri() + " and could not be created (" + MysqlLocation.oneLine(e.getMessage())
                            + "); create it with: CREATE DATABASE `" + location.database() + "`");
                }
                return true;
            }
            if (!allowNonEmpty) {
                List<String> held = MysqlCatalog.userObjects(c, location.database(), 5);
                if (!held.isEmpty()) {
                    throw new MigratorException(ErrorCode.CONFLICT, "target " + displayUri() + " is not empty: it holds "
                            + String.join(", ", held) + (held.size() == 5 ? ", ..." : "")
                            + "; restore into an empty database, or pass --allow-non-empty to restore on top of it");
                }
            }
            return false;
        } catch (SQLException e) {
            throw location.failure(e, "check");
        }
    }

    /**
     * Runs a restore into this database. MySQL cannot restore in one transaction (DDL commits), so when
     * the database was created for this restore and the restore fails or is interrupted, it is dropped
     * again: the same command can then simply run again. (After kill -9 the half-filled database stays;
     * drop it by hand.)
     */
    private void restoring(boolean created, Runnable restore) {
        try {
            restore.run();
        } catch (RuntimeException e) {
            if (created) {
                try (Connection c = location.withDatabase("").connect(); Statement st = c.createStatement()) {
                    st.execute("drop database if exists " + MysqlCatalog.quote(location.database()));
                } catch (SQLException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static String serverVersion(MysqlLocation where) {
        try (Connection c = where.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select version()")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw where.failure(e, "query");
        }
    }

    /** The dump's options: one consistent snapshot of everything. */
    private static final List<String> FULL_DUMP = List.of("--single-transaction", "--routines", "--triggers", "--events",
            "--hex-blob", "--default-character-set=utf8mb4", "--skip-add-drop-table", "--no-tablespaces", "--quick");
    /** A replica's schema before its data: tables, views and routines; triggers and events would act twice meanwhile. */
    static final List<String> SCHEMA_BEFORE_DATA = List.of("--no-data", "--routines", "--skip-triggers", "--skip-events",
            "--default-character-set=utf8mb4", "--skip-add-drop-table", "--no-tablespaces");
    /** What a replica's cut-over adds once the last change is applied: triggers and events. */
    static final List<String> SCHEMA_AFTER_DATA = List.of("--no-data", "--no-create-info", "--skip-routines", "--triggers",
            "--events", "--default-character-set=utf8mb4", "--no-tablespaces");

    private List<String> dumpCommand(Tool tool, MysqlLocation where) {
        return dumpCommand(tool, where, FULL_DUMP);
    }

    private static List<String> dumpCommand(Tool tool, MysqlLocation where, List<String> options) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool.path);
        cmd.addAll(where.toolArguments());
        cmd.addAll(options);
        cmd.add("--");
        cmd.add(where.database());
        return cmd;
    }

    /**
     * Pipes part of this database's schema ({@code dumpOptions}: {@link #SCHEMA_BEFORE_DATA} or {@link #SCHEMA_AFTER_DATA})
     * into {@code target} with the engine's own tools, definers removed when {@code noOwner}.
     */
    void copySchema(MysqlDatabase target, List<String> dumpOptions, boolean noOwner) {
        Tool dumper = tool(dumpTool(), serverVersion(location));
        Tool client = target.tool(target.clientTool(), serverVersion(target.location.withDatabase("")));
        String what = "copy the schema of " + displayUri() + " to " + target.displayUri();
        ProcessBuilder dump = logIn(new ProcessBuilder(dumpCommand(dumper, location, dumpOptions)), location)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        ProcessBuilder restore = logIn(new ProcessBuilder(clientCommand(client, target.location)), target.location)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        try (ToolProcess d = ToolProcess.start(dump, Map.of(), INSTALL); ToolProcess r = ToolProcess.start(restore, Map.of(), INSTALL)) {
            AtomicReference<IOException> pumpFailure = new AtomicReference<>();
            try (OutputStream out = r.processes().get(0).getOutputStream()) {
                pump(d.processes().get(0).getInputStream(), out, noOwner, pumpFailure);
            } catch (IOException e) {
                pumpFailure.compareAndSet(null, e);
            }
            int dumpCode = d.await()[0];
            int restoreCode = r.await()[0];
            if (dumpCode != 0 && !(restoreCode != 0 && ToolProcess.brokenPipe(dumpCode, d.stderr(0)))) {
                throw toolFailure(d.name(0), d.describe(0, dumpCode), location, what);
            }
            if (restoreCode != 0) {
                throw toolFailure(r.name(0), r.describe(0, restoreCode), target.location, what);
            }
            if (pumpFailure.get() != null) {
                throw new MigratorException(ErrorCode.FAILED, "cannot " + what + ": " + pumpFailure.get().getMessage());
            }
        }
    }

    @Override
    public dev.migrator.provider.Replication replicateTo(Database target, dev.migrator.provider.Replication.Options options) {
        if (!(target instanceof MysqlDatabase my)) {
            throw MigratorException.badInput("cannot replicate MySQL/MariaDB " + displayUri() + " into " + target.engine()
                    + " " + target.displayUri() + ": the binlog carries changes only into MySQL/MariaDB");
        }
        return new MysqlReplication(this, my, options);
    }

    /**
     * MySQL keeps no slot on a source: what migrator keeps is each replica's applied binlog position, on the target's
     * server ({@code migrator_state.binlog_positions}). These are the positions recorded on this database's server;
     * they retain nothing on any source (the source purges its binlog by age), so {@code retainedBytes} is 0.
     */
    @Override
    public List<dev.migrator.provider.Replication.Slot> replicationSlots() {
        return MysqlReplication.recordedOn(location);
    }

    /** Forgets a replica's recorded position on this server: it can no longer resume (the same as abandoning it). */
    @Override
    public void dropReplicationSlot(String name) {
        if (!name.startsWith(MysqlReplication.PREFIX)) {
            throw MigratorException.badInput("'" + name + "' is not one of migrator's replication positions (they are named "
                    + MysqlReplication.PREFIX + "...)");
        }
        if (!MysqlReplication.forget(location, name)) {
            throw MigratorException.notFound("no replication position named " + name + " on " + displayUri()
                    + "; list them with: migrator db slots " + displayUri());
        }
    }

    boolean databaseExists() {
        try (Connection c = location.withDatabase("").connect();
             PreparedStatement ps = c.prepareStatement("select 1 from information_schema.schemata where schema_name = ?")) {
            ps.setString(1, location.database());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw location.failure(e, "check");
        }
    }

    void dropDatabase() {
        try (Connection c = location.withDatabase("").connect(); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + MysqlCatalog.quote(location.database()));
        } catch (SQLException e) {
            throw location.failure(e, "drop the database of");
        }
    }

    private static List<String> clientCommand(Tool tool, MysqlLocation where) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool.path);
        cmd.addAll(where.toolArguments());
        cmd.addAll(List.of("--binary-mode", "--default-character-set=utf8mb4", "--batch", "--database=" + where.database()));
        return cmd;
    }

    /** Logs the tool in as {@code where}: its password goes in the child's environment ({@link MysqlLocation#toolEnvironment}). */
    private static ProcessBuilder logIn(ProcessBuilder b, MysqlLocation where) {
        where.toolEnvironment().forEach((k, v) -> {
            if (v == null) {
                b.environment().remove(k);
            } else {
                b.environment().put(k, v);
            }
        });
        return b;
    }

    /**
     * Makes {@code dir} 0700 and creates {@code file} in it 0600: a dump is the data, only its owner may
     * read it (created so from the start, never widened by the umask).
     */
    private static Path ownerOnly(Path dir, Path file) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    private static void joinQuietly(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, "restore interrupted");
        }
    }

    /** One line from a failing tool's stderr; rejected credentials are {@link ErrorCode#AUTH}. */
    static MigratorException toolFailure(String tool, String said, MysqlLocation where, String what) {
        String detail = DatabaseTools.tail(said);
        if (detail.contains("Access denied for user")) {
            return new MigratorException(ErrorCode.AUTH, tool + " could not log in to " + where.display() + ": " + detail
                    + "; give the password in ~/.my.cnf, MYSQL_PWD, or the URI (password-file=PATH keeps it off the command line)");
        }
        return new MigratorException(ErrorCode.FAILED, "cannot " + what + ": " + tool + " failed: " + detail);
    }

    /** An installed tool and its version. */
    record Tool(String path, String version) {
    }

    String dumpTool() {
        return firstInstalled("mariadb-dump", "mysqldump");
    }

    String clientTool() {
        return firstInstalled("mariadb", "mysql");
    }

    /** The first of {@code names} found in the tool directory or on the PATH (the first name if none is). */
    private String firstInstalled(String... names) {
        for (String name : names) {
            if (binDir != null) {
                if (Files.isExecutable(binDir.resolve(name))) {
                    return binDir.resolve(name).toString();
                }
                continue;
            }
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        return binDir != null ? binDir.resolve(names[0]).toString() : names[0];
    }

    /**
     * Runs {@code exe --version} and checks it against the server: a MariaDB server needs MariaDB's tools
     * of at least its major.minor version; for a MySQL server, MySQL's tools of at least its major version.
     */
    Tool tool(String exe, String serverVersion) {
        String out = DatabaseTools.versionOutput(exe, INSTALL);
        Matcher t = VERSION.matcher(out);
        String toolVersion = null;
        while (t.find()) {
            toolVersion = t.group(1) + "." + t.group(2) + (t.group(3) == null ? "" : "." + t.group(3)); // last match: Distrib
        }
        if (toolVersion == null) {
            throw MigratorException.badInput("cannot read the version of " + exe + " ('" + out + "')");
        }
        String name = Path.of(exe).getFileName().toString();
        boolean mariaServer = serverVersion.toLowerCase().contains("mariadb");
        boolean mariaTool = out.toLowerCase().contains("mariadb");
        int[] server = majorMinor(serverVersion);
        int[] have = majorMinor(toolVersion);
        if (mariaServer && !mariaTool) {
            throw MigratorException.badInput(name + " " + toolVersion + " is MySQL's; the server is MariaDB " + serverVersion
                    + ": install MariaDB's client tools " + server[0] + "." + server[1] + " or later (mariadb-client)");
        }
        boolean older = mariaServer ? (have[0] < server[0] || have[0] == server[0] && have[1] < server[1])
                : have[0] < server[0];
        if (older) {
            throw MigratorException.badInput(name + " " + toolVersion + " (" + exe + ") is older than the "
                    + (mariaServer ? "MariaDB " : "MySQL ") + serverVersion + " server; install "
                    + (mariaServer ? "mariadb-client " + server[0] + "." + server[1] : "mysql-client " + server[0])
                    + " or later and put it first on the PATH");
        }
        return new Tool(exe, toolVersion);
    }

    private static int[] majorMinor(String version) {
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(version);
        if (!m.find()) {
            return new int[] {0, 0};
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }
}
