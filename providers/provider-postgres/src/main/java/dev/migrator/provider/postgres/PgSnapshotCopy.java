package dev.migrator.provider.postgres;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.FileTrees;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * Copies a source database, as of an exported snapshot, into an empty target: the schema's pre-data (tables,
 * types, functions) with pg_restore, then the rows of every table with COPY in parallel — large tables cut into
 * ranges of pages ({@code ctid}), many more units than workers, taken biggest first so the last to finish are
 * small — then the post-data (indexes, constraints, triggers) with {@code pg_restore --jobs}.
 *
 * <p>Every worker reads in its own transaction that imports the same snapshot ({@code SET TRANSACTION SNAPSHOT}):
 * together they see one point in time, the replication slot's starting point. Rows stream from COPY TO straight
 * into COPY FROM on the target (no file, no row decoded in Java); the binary format is used unless a table has a
 * column of a user-defined type, whose binary form carries type OIDs that differ between servers.
 */
final class PgSnapshotCopy {
    /** A table larger than this is cut into ranges of about this size. */
    static final long CHUNK_BYTES = 64L * 1024 * 1024;

    private PgSnapshotCopy() {
    }

    record Result(int tables, long rows, long bytes, double seconds) {
    }

    /** One unit of work: a table or a range of its pages. */
    private record Unit(String table, String columns, boolean binary, String range, long bytes) {
    }

    static Result copy(PostgresDatabase source, PgLocation target, String snapshot, int jobs, boolean noOwner,
                       boolean noPrivileges, String publication, Consumer<String> progress) {
        long started = System.nanoTime();
        PgLocation from = source.location();
        int major = PostgresDatabase.major(source.serverVersionText());
        PostgresDatabase.Tool pgDump = source.tool("pg_dump", major);
        PostgresDatabase.Tool pgRestore = source.tool("pg_restore", major);
        Path dir;
        try {
            dir = Files.createTempDirectory("migrator-schema-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot make a temporary directory for the schema: " + e.getMessage(), e);
        }
        try {
            Path schema = dir.resolve("schema.dump");
            progress.accept("schema: pg_dump --schema-only --snapshot=" + snapshot);
            PostgresDatabase.run(List.of(new ProcessBuilder(pgDump.path(), "--format=custom", "--schema-only",
                    "--snapshot=" + snapshot, "--file=" + schema)), List.of(from), "dump the schema of " + from.display());
            progress.accept("schema: pre-data into " + target.display());
            PostgresDatabase.run(List.of(new ProcessBuilder(restore(pgRestore, "--section=pre-data", "--single-transaction",
                    target, noOwner, noPrivileges, schema))), List.of(target), "restore the schema into " + target.display());
            List<Unit> units = units(from, snapshot);
            long total = units.stream().mapToLong(Unit::bytes).sum();
            int tables = (int) units.stream().map(Unit::table).distinct().count();
            progress.accept("data: " + tables + " tables in " + units.size() + " units, " + jobs + " workers");
            long rows = data(from, target, snapshot, units, Math.max(1, jobs), total, progress);
            progress.accept("schema: post-data (indexes, constraints) with " + jobs + " jobs");
            PostgresDatabase.run(List.of(new ProcessBuilder(restore(pgRestore, "--section=post-data", "--jobs=" + Math.max(1, jobs),
                    target, noOwner, noPrivileges, schema))), List.of(target), "restore indexes and constraints into " + target.display());
            try (Connection c = target.connect(); Statement st = c.createStatement()) {
                // the dump carried the publication the slot reads from; the target does not publish anything of ours
                st.execute("drop publication if exists " + PgCatalog.quoteIdent(publication));
            } catch (SQLException e) {
                throw target.failure(e, "drop the copied publication on");
            }
            return new Result(tables, rows, total, (System.nanoTime() - started) / 1e9);
        } finally {
            try {
                FileTrees.delete(dir);
            } catch (IOException ignored) {
                // a schema-only dump in the temporary directory: nothing that matters
            }
        }
    }

    private static List<String> restore(PostgresDatabase.Tool pgRestore, String section, String mode, PgLocation target,
                                        boolean noOwner, boolean noPrivileges, Path file) {
        List<String> cmd = new ArrayList<>(List.of(pgRestore.path(), section, mode, "--exit-on-error",
                "--dbname=" + target.database()));
        if (noOwner) {
            cmd.add("--no-owner");
        }
        if (noPrivileges) {
            cmd.add("--no-privileges");
        }
        cmd.add(file.toString());
        return cmd;
    }

    /** The tables and their ranges, biggest first. */
    private static List<Unit> units(PgLocation from, String snapshot) {
        List<Unit> units = new ArrayList<>();
        try (Connection c = snapshotConnection(from, snapshot); Statement st = c.createStatement();
             ResultSet rs = qualified(st).executeQuery("""
                     select c.oid::regclass::text, pg_relation_size(c.oid), current_setting('block_size')::int,
                            (select string_agg(quote_ident(a.attname), ', ' order by a.attnum) from pg_attribute a
                             where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''),
                            not exists (select 1 from pg_attribute a join pg_type t on t.oid = a.atttypid
                                        left join pg_type e on e.oid = t.typelem
                                        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                                          and (t.oid >= 16384 or coalesce(e.oid, 0) >= 16384))
                     from pg_class c where c.relkind = 'r' and %s""".formatted(PgCatalog.userObject("c")))) {
            while (rs.next()) {
                String table = rs.getString(1);
                long bytes = rs.getLong(2);
                long block = rs.getLong(3);
                String columns = rs.getString(4);
                boolean binary = rs.getBoolean(5);
                if (columns == null) {
                    continue; // a table without columns has no rows to copy
                }
                long pages = bytes / block;
                long chunkPages = CHUNK_BYTES / block;
                if (pages <= chunkPages) {
                    units.add(new Unit(table, columns, binary, null, bytes));
                    continue;
                }
                for (long p = 0; p < pages; p += chunkPages) {
                    boolean last = p + chunkPages >= pages;
                    // the last range is open-ended: the table may have grown since its size was read
                    String range = "ctid >= '(" + p + ",0)'::tid" + (last ? "" : " and ctid < '(" + (p + chunkPages) + ",0)'::tid");
                    units.add(new Unit(table, columns, binary, range, Math.min(chunkPages, pages - p) * block));
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw from.failure(e, "list the tables of");
        }
        units.sort(Comparator.comparingLong(Unit::bytes).reversed());
        return units;
    }

    /** A source connection in a read-only transaction on the exported snapshot. */
    private static Connection snapshotConnection(PgLocation from, String snapshot) throws SQLException {
        Connection c = from.connect();
        try {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("set transaction isolation level repeatable read, read only");
                st.execute("set transaction snapshot '" + snapshot.replace("'", "''") + "'");
            }
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private static long data(PgLocation from, PgLocation target, String snapshot, List<Unit> units, int jobs, long total,
                             Consumer<String> progress) {
        ConcurrentLinkedQueue<Unit> queue = new ConcurrentLinkedQueue<>(units);
        AtomicLong rows = new AtomicLong();
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(r, "snapshot-copy");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                workers.add(pool.submit(() -> {
                    try (Connection src = snapshotConnection(from, snapshot); Connection dst = target.connect()) {
                        try (Statement st = dst.createStatement()) {
                            st.execute("set session_replication_role = replica"); // no triggers fire for copied rows
                        }
                        PGConnection s = src.unwrap(PGConnection.class);
                        for (Unit u = queue.poll(); u != null; u = queue.poll()) {
                            String format = u.binary() ? " with (format binary)" : "";
                            String select = "select " + u.columns() + " from only " + u.table()
                                    + (u.range() == null ? "" : " where " + u.range());
                            try (PGCopyOutputStream out = new PGCopyOutputStream(dst.unwrap(PGConnection.class),
                                    "copy " + u.table() + " (" + u.columns() + ") from stdin" + format, 1 << 20)) {
                                rows.addAndGet(s.getCopyAPI().copyOut("copy (" + select + ") to stdout" + format, out));
                            }
                            long d = done.addAndGet(u.bytes());
                            progress.accept("data: " + u.table() + (u.range() == null ? "" : " [" + u.range() + "]") + " done, "
                                    + (total == 0 ? 100 : 100 * d / total) + "%");
                        }
                        src.commit();
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    queue.clear(); // the others stop after their current unit
                    Throwable cause = e.getCause();
                    if (cause instanceof MigratorException m) {
                        throw m;
                    }
                    if (cause instanceof SQLException s) {
                        throw new MigratorException(ErrorCode.FAILED, "cannot copy rows from " + from.display() + " to "
                                + target.display() + ": " + PgLocation.oneLine(s.getMessage()), s);
                    }
                    throw new MigratorException(ErrorCode.FAILED, "cannot copy rows from " + from.display() + ": "
                            + PgLocation.oneLine(String.valueOf(cause.getMessage())), cause);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, "snapshot copy interrupted");
        } finally {
            pool.shutdownNow();
        }
        return rows.get();
    }

    /** Names come out schema-qualified. */
    private static Statement qualified(Statement st) throws SQLException {
        st.execute("set search_path = pg_catalog");
        return st;
    }
}
