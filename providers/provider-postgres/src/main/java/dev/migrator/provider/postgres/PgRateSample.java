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
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * The bounded sample behind {@link Database#sampleRates} (eta2): a {@code COPY ... TO STDOUT} of the largest table, as
 * pg_dump reads each table's data, stopped at a byte or time bound; then, with a target, those rows copied in with
 * {@code COPY ... FROM STDIN} into a table of text columns in a scratch schema {@code migrator_probe_<random>}, dropped
 * afterwards. Text columns take any type's text form, so the load is the server's ingest without type checks, indexes
 * or constraints: a restore of the real schema is slower by its index builds (the planner's verify and the drill say so).
 */
final class PgRateSample {
    private PgRateSample() {
    }

    static Database.Rates measure(PgLocation source, String table, PgLocation target, long maxBytes, double maxSeconds) {
        byte[] rows;
        int columns;
        long t0 = System.nanoTime();
        try (Connection c = source.connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select * from " + table + " limit 0")) {
                columns = rs.getMetaData().getColumnCount();
            }
            rows = copyOut(c.unwrap(PGConnection.class).getCopyAPI().copyOut("copy " + table + " to stdout"), maxBytes,
                    t0 + (long) (maxSeconds * 1e9));
        } catch (SQLException e) {
            throw source.failure(e, "sample " + table + " of");
        }
        double dump = (System.nanoTime() - t0) / 1e9;
        if (target == null || rows.length == 0 || columns == 0) {
            return new Database.Rates(table, rows.length, dump, 0, 0);
        }
        String schema = "migrator_probe_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            StringBuilder cols = new StringBuilder();
            for (int i = 1; i <= columns; i++) {
                cols.append(i == 1 ? "" : ", ").append("c").append(i).append(" text");
            }
            // One transaction, always rolled back: the scratch schema never outlives the probe, also when it is killed
            // (the server rolls back a dropped connection), and a schema of that name made by anyone else is untouched.
            c.setAutoCommit(false);
            try {
                st.execute("create schema " + schema);
                st.execute("create table " + schema + ".sample (" + cols + ")");
                long t1 = System.nanoTime();
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy " + schema + ".sample from stdin", new ByteArrayInputStream(rows));
                double restore = (System.nanoTime() - t1) / 1e9;
                return new Database.Rates(table, rows.length, dump, rows.length, restore);
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
