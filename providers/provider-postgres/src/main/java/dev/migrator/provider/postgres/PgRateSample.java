package dev.migrator.provider.postgres;

import dev.migrator.provider.Database;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * The bounded sample behind {@link Database#sampleRates} (eta2): a {@code COPY ... TO STDOUT} of the largest table, as
 * pg_dump reads each table's data, stopped at a byte or time bound; then, with a target, those rows copied in with
 * {@code COPY ... FROM STDIN} into a table of the source table's column types (text where the target lacks one) in a
 * scratch schema {@code migrator_probe_<random>}, the source table's indexes built after the rows, as pg_restore loads
 * a table, all in one transaction that is rolled back.
 * <p>
 * Beside the rates, each end's fixed costs and hashing (issue 16): the steps' starts are timed by the caller (a dump of
 * the schema alone, a restore that restores nothing); here, a fingerprint's start (a connection and the schema part of
 * {@link PgCatalog#fingerprint}) and its per-row query ({@link PgCatalog#rowsData}) over the sample's rows: on the
 * source the same rows read from the table, on the target the loaded sample, before it is rolled back.
 */
final class PgRateSample {
    private PgRateSample() {
    }

    static Database.Rates measure(PgLocation source, String table, PgLocation target, long maxBytes, double maxSeconds,
                                  double dumpStart, double restoreStart) {
        byte[] rows;
        List<String> types = new ArrayList<>();
        List<String> indexes = new ArrayList<>();
        long t0;
        try (Connection c = source.connect(); Statement st = c.createStatement()) {
            PgCatalog.fixFormats(st); // search_path = pg_catalog: the index definitions name their table as the inventory does
            String rel = "'" + table.replace("'", "''") + "'::regclass";
            try (ResultSet rs = st.executeQuery("select format_type(a.atttypid, a.atttypmod) from pg_attribute a where a.attrelid = "
                    + rel + " and a.attnum > 0 and not a.attisdropped order by a.attnum")) {
                while (rs.next()) {
                    types.add(rs.getString(1));
                }
            }
            try (ResultSet rs = st.executeQuery("select pg_get_indexdef(indexrelid) from pg_index where indrelid = " + rel)) {
                while (rs.next()) {
                    indexes.add(rs.getString(1));
                }
            }
            t0 = System.nanoTime();
            rows = copyOut(c.unwrap(PGConnection.class).getCopyAPI().copyOut("copy " + table + " to stdout"), maxBytes,
                    t0 + (long) (maxSeconds * 1e9));
        } catch (SQLException e) {
            throw source.failure(e, "sample " + table + " of");
        }
        double dump = (System.nanoTime() - t0) / 1e9;
        long count = 0;
        for (byte b : rows) {
            count += b == '\n' ? 1 : 0;
        }
        Database.End from = new Database.End(dumpStart, fingerprintStart(source), rows.length,
                count == 0 ? 0 : hashSeconds(source, table, count));
        int columns = types.size();
        if (target == null || rows.length == 0 || columns == 0) {
            return new Database.Rates(table, rows.length, dump, 0, 0, from, null);
        }
        double targetStart = fingerprintStart(target);
        String schema = "migrator_probe_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            // One transaction, always rolled back: the scratch schema never outlives the probe, also when it is killed
            // (the server rolls back a dropped connection), and a schema of that name made by anyone else is untouched.
            c.setAutoCommit(false);
            try {
                st.execute("create schema " + schema);
                String sample = schema + ".sample";
                createSample(c, st, sample, types);
                // As pg_restore loads a table: its rows, then its indexes (the primary key's among them) built over them.
                long t1 = System.nanoTime();
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy " + sample + " from stdin", new ByteArrayInputStream(rows));
                for (String index : indexes) {
                    String def = index.replaceFirst(" ON (ONLY )?" + java.util.regex.Pattern.quote(table) + " USING ", " ON " + sample + " USING ");
                    tryInSavepoint(c, st, def); // an index the text-column fallback or the target cannot take is left out
                }
                double restore = (System.nanoTime() - t1) / 1e9;
                PgCatalog.fixFormats(st);
                long t2 = System.nanoTime();
                PgCatalog.rowsData(st, schema + ".sample", 0);
                Database.End to = new Database.End(restoreStart, targetStart, rows.length, (System.nanoTime() - t2) / 1e9);
                return new Database.Rates(table, rows.length, dump, rows.length, restore, from, to);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw target.failure(e, "load a sample of " + table + " into a scratch schema of");
        } catch (java.io.IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot load a sample of " + table + " into " + target.display()
                    + ": " + PgLocation.oneLine(e.getMessage()), e);
        }
    }

    /** Seconds a fingerprint takes before its rows: a connection, its fixed formats, its snapshot and the schema queries. */
    private static double fingerprintStart(PgLocation at) {
        long t0 = System.nanoTime();
        try (Connection c = at.connect(); Statement st = c.createStatement()) {
            PgCatalog.fixFormats(st);
            c.setAutoCommit(false);
            st.execute("set transaction isolation level repeatable read, read only");
            PgCatalog.schema(st);
            c.rollback();
        } catch (SQLException e) {
            throw at.failure(e, "read the schema of");
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * The sample's table: the source table's column types, so the load parses each type as a restore does; where the
     * target lacks one of them (an enum or a domain of the source), text columns, which take any type's text form.
     */
    private static void createSample(Connection c, Statement st, String sample, List<String> types) throws SQLException {
        StringBuilder typed = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < types.size(); i++) {
            typed.append(i == 0 ? "" : ", ").append("c").append(i + 1).append(' ').append(types.get(i));
            text.append(i == 0 ? "" : ", ").append("c").append(i + 1).append(" text");
        }
        if (!tryInSavepoint(c, st, "create table " + sample + " (" + typed + ")")) {
            st.execute("create table " + sample + " (" + text + ")");
        }
    }

    /** Runs {@code sql} in a savepoint of the open transaction; false, the transaction intact, when it fails. */
    private static boolean tryInSavepoint(Connection c, Statement st, String sql) throws SQLException {
        java.sql.Savepoint sp = c.setSavepoint();
        try {
            st.execute(sql);
            c.releaseSavepoint(sp);
            return true;
        } catch (SQLException e) {
            c.rollback(sp);
            return false;
        }
    }

    /** Seconds the fingerprint's per-row query takes over the first {@code limit} rows of {@code table} (read only). */
    private static double hashSeconds(PgLocation at, String table, long limit) {
        try (Connection c = at.connect(); Statement st = c.createStatement()) {
            PgCatalog.fixFormats(st);
            long t0 = System.nanoTime();
            PgCatalog.rowsData(st, table, limit);
            return (System.nanoTime() - t0) / 1e9;
        } catch (SQLException e) {
            throw at.failure(e, "hash a sample of");
        }
    }

    /** The rows read until the end, {@code maxBytes} or {@code deadline}, cut after the last whole row (a row ends in a newline). */
    private static byte[] copyOut(CopyOut out, long maxBytes, long deadline) throws SQLException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk;
        while ((chunk = out.readFromCopy()) != null) {
            buf.write(chunk, 0, chunk.length);
            if (buf.size() >= maxBytes || System.nanoTime() >= deadline) {
                out.cancelCopy();
                break;
            }
        }
        byte[] all = buf.toByteArray();
        int end = all.length;
        while (end > 0 && all[end - 1] != '\n') {
            end--;
        }
        return end == all.length ? all : java.util.Arrays.copyOf(all, end);
    }
}
