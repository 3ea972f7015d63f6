package dev.migrator.provider.mysql;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The data half of a MariaDB/MySQL snapshot copy: N workers, each reading in its own consistent-snapshot transaction
 * at the source and inserting into the target, take chunks of tables from one queue. Tables with a one-column
 * integer key are split into key ranges; the others are one chunk each.
 *
 * <p><b>One snapshot for N workers.</b> MariaDB cannot share a snapshot between sessions (PostgreSQL exports one).
 * What it can do is tell each session the binlog position its snapshot corresponds to
 * ({@code binlog_snapshot_file}/{@code _position}, taken atomically with the snapshot): when every worker's
 * position is the same, every worker sees the same committed transactions. So the workers first open their
 * snapshots without any lock; if a write committed in between (the positions differ) they try again, and after
 * three tries take {@code FLUSH TABLES WITH READ LOCK} for the few milliseconds it takes to open N snapshots (as
 * mydumper does). MySQL has no such status: there the lock is always taken and {@code SHOW MASTER STATUS} read
 * under it.
 *
 * <p>Values travel as the server's own text with {@code character_set_results = binary}: string, binary, bit,
 * JSON and spatial columns as their exact bytes (bound as bytes, never converted, whatever their character set),
 * numbers, dates and times as their text, which the target parses back the way it would mariadb-dump's. They reach
 * the target as one {@code LOAD DATA LOCAL INFILE} per chunk, streamed from the reader's rows; a target whose
 * {@code local_infile} is off gets batched INSERTs instead.
 */
final class MysqlSnapshotCopy {
    /** Rows per key range of a split table. */
    static final long CHUNK_ROWS = 50_000;
    private static final int BATCH = 1000;

    /** Where the snapshot sits in the source's binlog, and how it was obtained. */
    record Snapshot(String file, long position, String how) {
    }

    /** What a copy did. */
    record Result(Snapshot snapshot, int tables, long rows, double seconds) {
    }

    private MysqlSnapshotCopy() {
    }

    /** Copies the rows of {@code tables} from {@code source} to {@code target} (whose tables exist, empty). */
    static Result copy(MysqlLocation source, MysqlLocation target, Map<String, MysqlTable> tables, int jobs, boolean mariaDb,
                       Consumer<String> progress) {
        long t0 = System.nanoTime();
        int n = Math.max(1, jobs);
        List<Connection> readers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Connection c = source.connect();
                readers.add(c);
                try (Statement st = c.createStatement()) {
                    st.execute("set session time_zone = '+00:00'");
                    st.execute("set session transaction isolation level repeatable read");
                }
            }
            Snapshot snapshot = openSnapshots(source, readers, mariaDb);
            progress.accept("snapshot at " + snapshot.file() + ":" + snapshot.position() + " (" + snapshot.how() + ")");
            ConcurrentLinkedQueue<Chunk> queue = new ConcurrentLinkedQueue<>(chunks(readers.get(0), source.database(), tables, n));
            AtomicLong rows = new AtomicLong();
            AtomicReference<RuntimeException> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (Connection reader : readers) {
                Thread t = new Thread(() -> work(reader, target, queue, rows, failure, progress), "snapshot-copy");
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            return new Result(snapshot, tables.size(), rows.get(), (System.nanoTime() - t0) / 1e9);
        } catch (SQLException e) {
            throw source.failure(e, "take a consistent snapshot of");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, "snapshot copy of " + source.display() + " interrupted");
        } finally {
            for (Connection c : readers) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing a reader after the copy: nothing is lost
                }
            }
        }
    }

    private static Snapshot openSnapshots(MysqlLocation source, List<Connection> readers, boolean mariaDb) throws SQLException {
        if (mariaDb) {
            for (int attempt = 1; attempt <= 3; attempt++) {
                List<String> positions = new ArrayList<>();
                for (Connection c : readers) {
                    try (Statement st = c.createStatement()) {
                        st.execute("start transaction with consistent snapshot");
                    }
                    positions.add(snapshotPosition(c));
                }
                if (new java.util.HashSet<>(positions).size() == 1) {
                    String[] p = positions.get(0).split(":", 2);
                    return new Snapshot(p[0], Long.parseLong(p[1]), readers.size() + " consistent snapshots at one binlog position,"
                            + " no lock" + (attempt > 1 ? " (attempt " + attempt + ")" : ""));
                }
                for (Connection c : readers) {
                    try (Statement st = c.createStatement()) {
                        st.execute("rollback");
                    }
                }
            }
        }
        try (Connection lock = source.connect(); Statement st = lock.createStatement()) {
            long t0 = System.nanoTime();
            st.execute("flush tables with read lock");
            Snapshot s;
            try {
                for (Connection c : readers) {
                    try (Statement r = c.createStatement()) {
                        r.execute("start transaction with consistent snapshot");
                    }
                }
                String[] p = masterStatus(lock);
                s = new Snapshot(p[0], Long.parseLong(p[1]), null);
            } finally {
                st.execute("unlock tables");
            }
            String how = readers.size() + " consistent snapshots opened under FLUSH TABLES WITH READ LOCK, held "
                    + Math.round((System.nanoTime() - t0) / 1e6) + " ms";
            if (mariaDb) {
                for (Connection c : readers) { // taken while nothing could commit: all equal to the lock's position
                    if (!snapshotPosition(c).equals(s.file() + ":" + s.position())) {
                        throw new MigratorException(ErrorCode.FAILED, "the snapshots of " + source.display()
                                + " disagree on their binlog position under the read lock; is a non-InnoDB table being written?");
                    }
                }
            }
            return new Snapshot(s.file(), s.position(), how);
        }
    }

    private static String snapshotPosition(Connection c) throws SQLException {
        String file = null;
        String pos = null;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("show status like 'binlog_snapshot_%'")) {
            while (rs.next()) {
                if (rs.getString(1).equalsIgnoreCase("binlog_snapshot_file")) {
                    file = rs.getString(2);
                } else if (rs.getString(1).equalsIgnoreCase("binlog_snapshot_position")) {
                    pos = rs.getString(2);
                }
            }
        }
        return file + ":" + pos;
    }

    /** {file, position} of {@code SHOW MASTER STATUS}: where the source's binlog ends now. */
    static String[] masterStatus(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("show master status")) {
            if (!rs.next()) {
                throw MigratorException.badInput("the server has no binary log (SHOW MASTER STATUS is empty): start it with log_bin");
            }
            return new String[] {rs.getString(1), Long.toString(rs.getLong(2))};
        }
    }

    /** A table, or a range of its one-column integer key ({@code from} inclusive, {@code to} exclusive; null = open). */
    private record Chunk(MysqlTable table, Long from, Long to) {
        String where() {
            if (from == null && to == null) {
                return "";
            }
            String k = MysqlCatalog.quote(table.columns().get(table.key().get(0)).name());
            return " where " + (from == null ? "" : k + " >= " + from) + (from != null && to != null ? " and " : "")
                    + (to == null ? "" : k + " < " + to);
        }

        String describe() {
            return table.name() + (from == null && to == null ? "" : " [" + Objects.toString(from, "") + ", "
                    + Objects.toString(to, "") + ")");
        }
    }

    private static final java.util.Set<String> TEMPORAL = java.util.Set.of("date", "datetime", "timestamp", "time", "year");
    private static final java.util.Set<String> INTEGERS = java.util.Set.of("tinyint", "smallint", "mediumint", "int", "bigint");

    /** The work: big tables first, split into key ranges of about {@link #CHUNK_ROWS} rows when their key allows. */
    private static List<Chunk> chunks(Connection snapshot, String db, Map<String, MysqlTable> tables, int jobs) throws SQLException {
        List<Chunk> out = new ArrayList<>();
        for (MysqlTable t : tables.values()) {
            boolean splittable = t.key().size() == 1 && INTEGERS.contains(t.columns().get(t.key().get(0)).dataType());
            if (!splittable) {
                out.add(new Chunk(t, null, null));
                continue;
            }
            String k = MysqlCatalog.quote(t.columns().get(t.key().get(0)).name());
            long count;
            long min;
            long max;
            try (Statement st = snapshot.createStatement(); ResultSet rs = st.executeQuery("select count(*), min(" + k + "), max(" + k
                    + ") from " + MysqlCatalog.quote(db) + "." + t.quotedName())) {
                rs.next();
                count = rs.getLong(1);
                min = rs.getLong(2);
                max = rs.getLong(3);
            }
            if (count <= CHUNK_ROWS) {
                out.add(new Chunk(t, null, null));
                continue;
            }
            long pieces = Math.max(jobs, count / CHUNK_ROWS);
            long width = Math.max(1, (max - min) / pieces + 1);
            out.add(new Chunk(t, null, min + width));
            for (long from = min + width; from <= max; from += width) {
                long to = from + width;
                out.add(new Chunk(t, from, to > max ? null : to));
            }
        }
        Collections.reverse(out); // not essential; big ranges of one table then interleave with the small tables
        return out;
    }

    private static void work(Connection reader, MysqlLocation target, ConcurrentLinkedQueue<Chunk> queue, AtomicLong rows,
                             AtomicReference<RuntimeException> failure, Consumer<String> progress) {
        try (Connection writer = target.connect(true)) {
            try (Statement st = reader.createStatement()) {
                st.execute("set session character_set_results = binary");
            }
            MysqlApplier.prepareSession(writer, false);
            boolean load = localInfile(writer);
            for (Chunk chunk = queue.poll(); chunk != null && failure.get() == null; chunk = queue.poll()) {
                rows.addAndGet(load ? loadChunk(reader, writer, target.database(), chunk) : copyChunk(reader, writer, target.database(), chunk));
                synchronized (progress) {
                    progress.accept("data: " + chunk.describe() + " done");
                }
            }
            try (Statement st = reader.createStatement()) {
                st.execute("commit");
            }
        } catch (SQLException e) {
            failure.compareAndSet(null, new MigratorException(ErrorCode.FAILED, "snapshot copy into " + target.display()
                    + " failed: " + MysqlLocation.oneLine(e.getMessage()), e));
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Whether the target accepts {@code LOAD DATA LOCAL INFILE} (its {@code local_infile}); else rows go as INSERTs. */
    private static boolean localInfile(Connection writer) throws SQLException {
        try (Statement st = writer.createStatement(); ResultSet rs = st.executeQuery("select @@global.local_infile")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** The reader's columns: temporal ones as the server's text, the rest as they are. */
    private static String selectList(List<MysqlTable.Column> cols) {
        // the driver's own rendering of a TIMESTAMP(3) drops the leading zeros of its fraction (.019 became .19)
        return cols.stream().map(c -> TEMPORAL.contains(c.dataType()) ? "cast(" + MysqlCatalog.quote(c.name())
                + " as char)" : MysqlCatalog.quote(c.name())).collect(Collectors.joining(", "));
    }

    /**
     * Copies a chunk with one {@code LOAD DATA LOCAL INFILE} whose "file" is the chunk's rows, encoded as the reader
     * streams them ({@link RowStream}): the server parses no SQL per row, as it would for INSERTs (about twice the rows
     * a second here). A LOCAL load turns errors on a row into warnings (the server cannot stop the client's stream),
     * so any warning, or a count of rows loaded other than the count sent, fails the chunk naming the table.
     */
    private static long loadChunk(Connection reader, Connection writer, String targetDb, Chunk chunk) throws SQLException {
        MysqlTable t = chunk.table();
        List<MysqlTable.Column> cols = t.writable();
        String names = cols.stream().map(c -> MysqlCatalog.quote(c.name())).collect(Collectors.joining(", "));
        String load = "load data local infile 'migrator-rows' into table " + MysqlCatalog.quote(targetDb) + "." + t.quotedName()
                + " character set binary fields terminated by '\\t' escaped by '\\\\' lines terminated by '\\n' (" + names + ")";
        try (Statement st = reader.createStatement(java.sql.ResultSet.TYPE_FORWARD_ONLY, java.sql.ResultSet.CONCUR_READ_ONLY);
             Statement ld = writer.createStatement()) {
            st.setFetchSize(BATCH); // streamed, not held in memory
            try (ResultSet rs = st.executeQuery("select " + selectList(cols) + " from " + t.quotedName() + chunk.where())) {
                RowStream rows = new RowStream(rs, cols);
                ld.unwrap(org.mariadb.jdbc.Statement.class).setLocalInfileInputStream(rows);
                long loaded;
                try {
                    loaded = ld.executeLargeUpdate(load);
                } catch (SQLException e) {
                    throw rows.failure != null ? rows.failure : e; // the reader's failure, not the stream's symptom
                }
                if (rows.failure != null) {
                    throw rows.failure;
                }
                java.sql.SQLWarning w = ld.getWarnings();
                if (w != null || loaded != rows.count) {
                    throw new MigratorException(ErrorCode.FAILED, "loading " + chunk.describe() + " into " + targetDb + " stored "
                            + loaded + " of " + rows.count + " rows" + (w == null ? "" : "; the server warned: "
                            + MysqlLocation.oneLine(w.getMessage())) + "; the target's column types must match the source's");
                }
                writer.commit();
                return rows.count;
            }
        }
    }

    /**
     * The rows of a result set as LOAD DATA reads them: fields separated by a tab, a newline after each row, NULL as
     * {@code \N}, and a backslash before each backslash, tab and newline inside a value. Values are the bytes the
     * reader got (see the class comment), loaded with {@code character set binary}: no conversion either way. Rows
     * are read as the driver asks for bytes, so a chunk is never held in memory; a reader failure ends the stream
     * and is kept in {@link #failure}.
     */
    private static final class RowStream extends java.io.InputStream {
        private static final byte[] NULL = {'\\', 'N'};
        private final ResultSet rs;
        private final boolean[] bytes;
        private byte[] buf = new byte[1 << 16];
        private int pos;
        private int len;
        private boolean done;
        long count;
        SQLException failure;

        RowStream(ResultSet rs, List<MysqlTable.Column> cols) {
            this.rs = rs;
            bytes = new boolean[cols.size()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = MysqlCatalog.HEX_TYPES.contains(cols.get(i).dataType());
            }
        }

        @Override
        public int read() throws java.io.IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int n) throws java.io.IOException {
            if (n == 0) {
                return 0;
            }
            while (pos == len) {
                if (done || !fill()) {
                    return -1;
                }
            }
            int k = Math.min(n, len - pos);
            System.arraycopy(buf, pos, b, off, k);
            pos += k;
            return k;
        }

        /** Encodes the next rows, about half a buffer of them. */
        private boolean fill() throws java.io.IOException {
            pos = 0;
            len = 0;
            try {
                while (len < buf.length / 2 && rs.next()) {
                    for (int i = 0; i < bytes.length; i++) {
                        if (i > 0) {
                            put((byte) '\t');
                        }
                        byte[] v = bytes[i] ? rs.getBytes(i + 1) : utf8(rs.getString(i + 1));
                        if (v == null) {
                            append(NULL);
                        } else {
                            escape(v);
                        }
                    }
                    put((byte) '\n');
                    count++;
                }
            } catch (SQLException e) {
                failure = e;
                done = true;
                throw new java.io.IOException("reading the source failed", e);
            }
            if (len == 0) {
                done = true;
            }
            return len > 0;
        }

        private static byte[] utf8(String s) {
            return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        private void escape(byte[] v) {
            ensure(2 * v.length);
            for (byte c : v) {
                switch (c) {
                    case '\\' -> {
                        buf[len++] = '\\';
                        buf[len++] = '\\';
                    }
                    case '\t' -> {
                        buf[len++] = '\\';
                        buf[len++] = 't';
                    }
                    case '\n' -> {
                        buf[len++] = '\\';
                        buf[len++] = 'n';
                    }
                    default -> buf[len++] = c;
                }
            }
        }

        private void append(byte[] v) {
            ensure(v.length);
            System.arraycopy(v, 0, buf, len, v.length);
            len += v.length;
        }

        private void put(byte c) {
            ensure(1);
            buf[len++] = c;
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(2 * buf.length, len + more));
            }
        }
    }

    private static long copyChunk(Connection reader, Connection writer, String targetDb, Chunk chunk) throws SQLException {
        MysqlTable t = chunk.table();
        List<MysqlTable.Column> cols = t.writable();
        String names = cols.stream().map(c -> MysqlCatalog.quote(c.name())).collect(Collectors.joining(", "));
        String insert = "insert into " + MysqlCatalog.quote(targetDb) + "." + t.quotedName() + " (" + names + ") values ("
                + cols.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        long n = 0;
        // the reader's default database is the source's: the table name alone reads the source
        try (Statement st = reader.createStatement(java.sql.ResultSet.TYPE_FORWARD_ONLY, java.sql.ResultSet.CONCUR_READ_ONLY);
             PreparedStatement ins = writer.prepareStatement(insert)) {
            st.setFetchSize(BATCH); // streamed, not held in memory
            try (ResultSet rs = st.executeQuery("select " + selectList(cols) + " from " + t.quotedName() + chunk.where())) {
                int pending = 0;
                boolean[] bytes = new boolean[cols.size()];
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = MysqlCatalog.HEX_TYPES.contains(cols.get(i).dataType());
                }
                while (rs.next()) {
                    for (int i = 1; i <= cols.size(); i++) {
                        if (bytes[i - 1]) {
                            ins.setBytes(i, rs.getBytes(i)); // null stays null
                        } else {
                            ins.setString(i, rs.getString(i));
                        }
                    }
                    ins.addBatch();
                    n++;
                    if (++pending == BATCH) {
                        ins.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    ins.executeBatch();
                }
            }
            writer.commit();
        }
        return n;
    }
}
