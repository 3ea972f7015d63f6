package dev.migrator.provider.mysql;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Applies binlog row events to the target in the source's commit order, in target transactions that also record the
 * binlog position they reach ({@link #POSITIONS}): after a crash the stream restarts exactly there, so nothing is
 * applied twice or skipped. A row an update or delete does not find, or an insert whose key is taken, means the
 * target was written by someone else: the apply stops with a message instead of diverging further.
 *
 * <p>Not thread-safe: one stream, one thread.
 */
final class MysqlApplier implements AutoCloseable {
    /** The target server's record of each replication's applied binlog position (outside the replicated database). */
    static final String POSITIONS = "`migrator_state`.`binlog_positions`";
    /** Touched keys kept per table for the cut-over's comparison; past this the whole table is compared. */
    static final int TOUCHED_CAP = 5_000;
    private static final int INSERT_BATCH = 1000;

    private final MysqlLocation target;
    private final String name;
    private final String sourceDb;
    private final Connection c;
    private final Map<String, MysqlTable> tables;
    private final Map<Long, MysqlTable> byTableId = new HashMap<>();
    /** Per touched table its keys, or null once truncated or past {@link #TOUCHED_CAP} (compare the whole table). */
    final Map<String, Set<List<Object>>> touched;
    private PreparedStatement insert;
    private MysqlTable insertTable;
    private int insertPending;
    private String file;
    private long position;
    private boolean dirty;
    private long transactions;
    private long changes;

    MysqlApplier(String sourceDb, MysqlLocation target, String name, Map<String, MysqlTable> tables,
                 Map<String, Set<List<Object>>> touched) {
        this.sourceDb = sourceDb;
        this.target = target;
        this.name = name;
        this.tables = tables;
        this.touched = touched;
        this.c = target.connect();
        try {
            prepareSession(c, true);
            String[] p = position(c, name);
            if (p == null) {
                throw MigratorException.notFound("no replication position " + name + " on " + target.display());
            }
            file = p[0];
            position = Long.parseLong(p[1]);
        } catch (SQLException e) {
            throw target.failure(e, "prepare the apply session on");
        }
    }

    /**
     * A writing session: UTC, key 0 is a value, explicit commits. The snapshot copy loads tables in parallel without
     * foreign key checks; the stream keeps them on, because the source does not log what its cascades did (the
     * target's own foreign keys must do it, as on a replica), and the source's order already satisfied them.
     */
    static void prepareSession(Connection c, boolean foreignKeyChecks) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("set session time_zone = '+00:00'");
            st.execute("set session sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'");
            st.execute("set session foreign_key_checks = " + (foreignKeyChecks ? 1 : 0));
            st.execute("set session transaction isolation level read committed");
        }
        c.setAutoCommit(false);
    }

    static void createPositions(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("create database if not exists `migrator_state`");
            st.execute("create table if not exists " + POSITIONS + " (name varchar(64) primary key, source varchar(512) not null,"
                    + " target_database varchar(64) not null, state varchar(16) not null, binlog_file varchar(255),"
                    + " binlog_pos bigint, updated_at timestamp(6) not null default current_timestamp(6)"
                    + " on update current_timestamp(6)) engine = InnoDB");
        }
    }

    /** {state, file, position} of a replication, or null; the positions table may not exist yet. */
    static String[] row(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select state, binlog_file, binlog_pos from " + POSITIONS + " where name = ?")) {
            ps.setString(1, name);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? new String[] {rs.getString(1), rs.getString(2), rs.getString(3)} : null;
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == 1146 || e.getErrorCode() == 1049) { // no such table / database: nothing recorded
                return null;
            }
            throw e;
        }
    }

    private static String[] position(Connection c, String name) throws SQLException {
        String[] r = row(c, name);
        return r == null || !"streaming".equals(r[0]) ? null : new String[] {r[1], r[2]};
    }

    String file() {
        return file;
    }

    long position() {
        return position;
    }

    long transactions() {
        return transactions;
    }

    long changes() {
        return changes;
    }

    /** Changes or a position not yet committed to the target. */
    boolean pending() {
        return dirty;
    }

    /** A TABLE_MAP event: which table the next row events are about (tables of other databases are not ours). */
    void tableMap(long tableId, String database, String table, int columnCount) {
        if (!sourceDb.equals(database)) {
            byTableId.remove(tableId);
            return;
        }
        MysqlTable t = tables.get(table);
        if (t == null) {
            throw new SchemaChanged("rows of table " + table + ", which did not exist at the snapshot, arrived in the binlog");
        }
        if (t.columns().size() != columnCount) {
            throw new SchemaChanged("table " + table + " had " + t.columns().size() + " columns at the snapshot and has "
                    + columnCount + " in the binlog");
        }
        byTableId.put(tableId, t);
    }

    /** The source's schema changed under the stream (DDL): the stream stops before it. */
    static final class SchemaChanged extends RuntimeException {
        SchemaChanged(String message) {
            super(message);
        }
    }

    void inserts(long tableId, List<Serializable[]> rows) throws SQLException {
        MysqlTable t = byTableId.get(tableId);
        if (t == null) {
            return;
        }
        if (insertTable != t) {
            flushInserts();
            List<MysqlTable.Column> cols = t.writable();
            insert = c.prepareStatement("insert into " + t.quotedName() + " ("
                    + cols.stream().map(x -> MysqlCatalog.quote(x.name())).collect(Collectors.joining(", ")) + ") values ("
                    + cols.stream().map(x -> "?").collect(Collectors.joining(", ")) + ")");
            insertTable = t;
        }
        for (Serializable[] row : rows) {
            int p = 1;
            for (int i = 0; i < t.columns().size(); i++) {
                if (!t.columns().get(i).generated()) {
                    insert.setObject(p++, value(t.columns().get(i), row[i]));
                }
            }
            insert.addBatch();
            touch(t, row);
            changes++;
            dirty = true;
            if (++insertPending >= INSERT_BATCH) {
                flushInserts();
            }
        }
    }

    void updates(long tableId, List<Map.Entry<Serializable[], Serializable[]>> rows) throws SQLException {
        MysqlTable t = byTableId.get(tableId);
        if (t == null) {
            return;
        }
        flushInserts();
        List<MysqlTable.Column> cols = t.writable();
        String sql = "update " + t.quotedName() + " set " + cols.stream().map(x -> MysqlCatalog.quote(x.name()) + " = ?")
                .collect(Collectors.joining(", ")) + " where " + t.keyPredicate();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Map.Entry<Serializable[], Serializable[]> row : rows) {
                int p = 1;
                for (int i = 0; i < t.columns().size(); i++) {
                    if (!t.columns().get(i).generated()) {
                        ps.setObject(p++, value(t.columns().get(i), row.getValue()[i]));
                    }
                }
                for (int k : t.key()) {
                    ps.setObject(p++, value(t.columns().get(k), row.getKey()[k]));
                }
                expectOne(ps.executeUpdate(), t, row.getKey(), "update");
                touch(t, row.getKey());
                touch(t, row.getValue());
                changes++;
            }
        } catch (SQLIntegrityConstraintViolationException e) {
            throw diverged(t, "an update hit a key the target already holds: " + MysqlLocation.oneLine(e.getMessage()));
        }
        dirty = true;
    }

    void deletes(long tableId, List<Serializable[]> rows) throws SQLException {
        MysqlTable t = byTableId.get(tableId);
        if (t == null) {
            return;
        }
        flushInserts();
        try (PreparedStatement ps = c.prepareStatement("delete from " + t.quotedName() + " where " + t.keyPredicate())) {
            for (Serializable[] row : rows) {
                int p = 1;
                for (int k : t.key()) {
                    ps.setObject(p++, value(t.columns().get(k), row[k]));
                }
                expectOne(ps.executeUpdate(), t, row, "delete");
                touch(t, row);
                changes++;
            }
        }
        dirty = true;
    }

    /** TRUNCATE arrives as a statement; it commits by itself, so what came before is committed first. */
    void truncate(String table, String nextFile, long nextPosition) throws SQLException {
        MysqlTable t = tables.get(table);
        if (t == null) {
            throw new SchemaChanged("TRUNCATE of table " + table + ", which did not exist at the snapshot");
        }
        flush();
        try (Statement st = c.createStatement()) {
            st.execute("truncate table " + t.quotedName()); // run again after a crash before the position: still empty
        }
        touched.put(t.name(), null);
        changes++;
        transactions++;
        advance(nextFile, nextPosition);
        flush();
    }

    /** The source committed a transaction ending at {@code nextFile:nextPosition}. */
    void committed(String nextFile, long nextPosition) {
        transactions++;
        advance(nextFile, nextPosition);
    }

    /** An event outside any transaction we apply (another database, a marker): only the position moves on. */
    void advance(String nextFile, long nextPosition) {
        int later = nextFile.compareTo(file); // binlog names share a stem and a zero-padded sequence number
        if (nextPosition <= 0 || later < 0 || later == 0 && nextPosition <= position) {
            return; // the format description at a file's start, fake events: never backwards
        }
        file = nextFile;
        position = nextPosition;
        dirty = true;
    }

    /** Commits what was applied with the position reached, between source transactions only. */
    void flush() throws SQLException {
        if (!dirty) {
            return;
        }
        flushInserts();
        try (PreparedStatement ps = c.prepareStatement("update " + POSITIONS + " set binlog_file = ?, binlog_pos = ? where name = ?")) {
            ps.setString(1, file);
            ps.setLong(2, position);
            ps.setString(3, name);
            if (ps.executeUpdate() != 1) {
                throw MigratorException.notFound("the replication position " + name + " vanished from " + target.display()
                        + " while streaming (abandoned by another run?)");
            }
        }
        c.commit();
        dirty = false;
    }

    private void flushInserts() throws SQLException {
        if (insertPending == 0) {
            return;
        }
        try {
            insert.executeBatch();
        } catch (SQLIntegrityConstraintViolationException | java.sql.BatchUpdateException e) {
            throw diverged(insertTable, "an insert hit a key the target already holds: " + MysqlLocation.oneLine(e.getMessage()));
        }
        insertPending = 0;
    }

    private void touch(MysqlTable t, Serializable[] row) {
        if (touched.containsKey(t.name()) && touched.get(t.name()) == null) {
            return;
        }
        Set<List<Object>> keys = touched.computeIfAbsent(t.name(), x -> new LinkedHashSet<>());
        if (keys.size() >= TOUCHED_CAP) {
            touched.put(t.name(), null);
            return;
        }
        List<Object> key = new ArrayList<>();
        for (int k : t.key()) {
            key.add(value(t.columns().get(k), row[k]));
        }
        keys.add(key);
    }

    private void expectOne(int count, MysqlTable t, Serializable[] row, String what) {
        if (count != 1) {
            List<Object> key = new ArrayList<>();
            for (int k : t.key()) {
                key.add(value(t.columns().get(k), row[k]));
            }
            throw diverged(t, "the " + what + " of the row with key " + key + " found " + count + " rows on the target");
        }
    }

    private MigratorException diverged(MysqlTable t, String detail) {
        return new MigratorException(ErrorCode.FAILED, "the target " + target.display() + " has diverged from the source in table "
                + t.name() + ": " + detail + " (did something else write to the target?); the replica cannot continue");
    }

    /**
     * A binlog value (as the connector decodes it with CHAR_AND_BINARY_AS_BYTE_ARRAY and DATE_AND_TIME_AS_LONG_MICRO)
     * as a JDBC parameter the target reads back to the same value.
     */
    static Object value(MysqlTable.Column col, Serializable v) {
        if (v == null) {
            return null;
        }
        switch (col.dataType()) {
            case "tinyint", "smallint", "mediumint", "int", "integer", "bigint" -> {
                long n = ((Number) v).longValue();
                if (!col.unsigned() || n >= 0) {
                    return n;
                }
                return switch (col.dataType()) { // the binlog carries the bits: read them back as unsigned
                    case "tinyint" -> n + (1L << 8);
                    case "smallint" -> n + (1L << 16);
                    case "mediumint" -> n + (1L << 24);
                    case "bigint" -> new BigDecimal(BigInteger.valueOf(n).add(BigInteger.ONE.shiftLeft(64)));
                    default -> n + (1L << 32);
                };
            }
            case "bit" -> {
                BitSet bits = (BitSet) v;
                long n = 0;
                for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                    n |= 1L << i;
                }
                return n;
            }
            case "date" -> {
                long micros = (Long) v;
                return micros == Long.MIN_VALUE ? "0000-00-00" : LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), 0,
                        ZoneOffset.UTC).toLocalDate().toString();
            }
            case "datetime", "timestamp" -> {
                long micros = (Long) v;
                if (micros == Long.MIN_VALUE) {
                    return "0000-00-00 00:00:00";
                }
                LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                        Math.floorMod(micros, 1_000_000L) * 1000L), ZoneOffset.UTC);
                return t.toLocalDate() + " " + String.format("%02d:%02d:%02d.%06d", t.getHour(), t.getMinute(), t.getSecond(),
                        t.getNano() / 1000);
            }
            case "time" -> {
                long micros = (Long) v;
                long abs = Math.abs(micros);
                long s = abs / 1_000_000L;
                return (micros < 0 ? "-" : "") + String.format("%02d:%02d:%02d.%06d", s / 3600, s / 60 % 60, s % 60, abs % 1_000_000L);
            }
            default -> {
                return v; // byte[] (strings, blobs, JSON, geometry), BigDecimal, Float, Double, Integer (year, enum), Long (set)
            }
        }
    }

    @Override
    public void close() {
        try {
            c.rollback(); // a transaction half received is not committed: the stream sends it again
            c.close();
        } catch (SQLException ignored) {
            // the connection is gone: the server rolled back what was not committed
        }
    }
}
