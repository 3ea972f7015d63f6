package dev.migrator.provider.postgres;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Replication;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * PostgreSQL logical replication from a source database into a target one, the way pgcopydb {@code --follow} does
 * it: a publication for the source's tables, a {@code pgoutput} slot whose exported snapshot a parallel copy reads
 * ({@link PgSnapshotCopy}), then the slot's change stream applied by {@link PgApplier}.
 *
 * <p>Names: slot, publication and the target's replication origin are all {@code migrator_<12 hex>}, a hash of the
 * source and target, so the same pair finds its own slot again. What exists says where a pair stands:
 * <ul>
 *   <li>slot + origin + target database, no {@code *_migrator_partial} database: the snapshot copy is done; resume
 *       streaming at the origin's position;</li>
 *   <li>anything else: a torn copy (or nothing yet): drop what is ours (slot, publication, origin, the partial
 *       database) and copy again into a partial database, renamed to the target's name once complete.</li>
 * </ul>
 *
 * <p>Drains use markers: {@code pg_logical_emit_message(true, 'migrator', nonce)} commits a tiny transaction at
 * the source; once the applier committed that transaction, everything the source committed before the marker is
 * on the target. The same markers measure the lag in seconds.
 */
final class PgReplication implements Replication {
    private static final String PREFIX = "migrator";
    static final String SLOT_PREFIX = "migrator_";

    private final PostgresDatabase source;
    private final PostgresDatabase target;
    private final Options options;
    private final String slot;
    private boolean warned;
    /** What the last stream touched, for the cut-over's comparison. */
    private PgApplier lastApplier;

    PgReplication(PostgresDatabase source, PostgresDatabase target, Options options) {
        this.source = source;
        this.target = target;
        this.options = options;
        this.slot = name(source.displayUri() + "\n" + target.displayUri());
    }

    static String name(String pair) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(pair.getBytes(StandardCharsets.UTF_8));
            return SLOT_PREFIX + HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String slot() {
        return slot;
    }

    private PgLocation src() {
        return source.location();
    }

    private PgLocation dst() {
        return target.location();
    }

    private MigratorException withHint(MigratorException e) {
        if (e.getMessage().contains("--drop " + slot)) {
            return e;
        }
        return new MigratorException(e.code(), e.getMessage() + "; " + Replication.dropHint(source.displayUri(), slot), e);
    }

    // ---------------------------------------------------------------- start: slot and snapshot copy

    @Override
    public String start(Consumer<Lag> progress) {
        checkSource();
        boolean slotExists = slotExists();
        boolean originExists = originExists();
        boolean partial = target.databaseExists(target.partialName());
        boolean targetExists = target.databaseExists(dst().database());
        if (slotExists && originExists && targetExists && !partial) {
            return "resuming " + slot + ": the snapshot copy finished earlier; changes apply from "
                    + PgApplier.lsnText(originProgress());
        }
        if (!slotExists && originExists && targetExists && !partial) {
            throw new MigratorException(ErrorCode.CONFLICT, "target " + target.displayUri() + " holds a replica of "
                    + source.displayUri() + " whose slot " + slot + " is gone (dropped, or the cut-over finished): it cannot"
                    + " resume. Drop the target database to start over, or if the cut-over finished, remove the leftover"
                    + " position with: select pg_replication_origin_drop('" + slot + "') on the target");
        }
        // Nothing, or a torn snapshot copy: what is ours goes, then the copy starts over.
        discard(slotExists, originExists, partial);
        boolean existed = targetExists;
        if (existed) {
            target.prepareTarget(false); // refuses a target that holds anything
        }
        try {
            return copy(existed, progress);
        } catch (MigratorException e) {
            throw withHint(e);
        }
    }

    private String copy(boolean targetExisted, Consumer<Lag> progress) {
        List<String> tables = tables();
        try (Connection c = src().connect(); Statement st = c.createStatement()) {
            st.execute("drop publication if exists " + PgCatalog.quoteIdent(slot));
            st.execute("create publication " + PgCatalog.quoteIdent(slot)
                    + (tables.isEmpty() ? "" : " for table " + String.join(", ", tables)));
            st.execute("comment on publication " + PgCatalog.quoteIdent(slot) + " is "
                    + quote("migrator replication to " + target.displayUri()));
        } catch (SQLException e) {
            throw src().failure(e, "create the publication " + slot + " on");
        }
        String into = target.partialName();
        target.createDatabaseNamed(into);
        PgLocation partial = dst().withDatabase(into);
        try (Connection repl = replicationConnection(); Statement st = repl.createStatement()) {
            String consistent;
            String snapshot;
            try (ResultSet rs = st.executeQuery("CREATE_REPLICATION_SLOT " + slot + " LOGICAL pgoutput EXPORT_SNAPSHOT")) {
                rs.next();
                consistent = rs.getString("consistent_point");
                snapshot = rs.getString("snapshot_name");
            }
            Consumer<String> say = s -> progress.accept(Lag.note(s));
            PgSnapshotCopy.Result r = PgSnapshotCopy.copy(source, partial, snapshot, options.jobs(), options.noOwner(),
                    options.noPrivileges(), slot, say);
            // The copy is complete: record where the stream starts, then give the database its real name.
            try (Connection c = partial.connect(); Statement t = c.createStatement()) {
                t.execute("select pg_replication_origin_create(" + quote(slot) + ")");
                t.execute("select pg_replication_origin_advance(" + quote(slot) + ", " + quote(consistent) + "::pg_lsn)");
            }
            if (targetExisted) {
                target.prepareTarget(false); // still empty: nobody wrote there meanwhile
                target.dropDatabaseNamed(dst().database());
            }
            target.renameDatabase(into, dst().database());
            return "snapshot copy of " + r.tables() + " tables, " + r.rows() + " rows (" + r.bytes() / (1024 * 1024) + " MiB) in "
                    + Math.round(r.seconds() * 10) / 10.0 + " s with " + options.jobs() + " workers; slot " + slot
                    + " streams changes from " + consistent;
        } catch (SQLException e) {
            throw src().failure(e, "create the replication slot " + slot + " on");
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** Refuses what logical replication cannot carry, before anything is created. */
    private void checkSource() {
        try (Connection c = src().connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("show wal_level")) {
                rs.next();
                if (!rs.getString(1).equals("logical")) {
                    throw MigratorException.badInput("cannot replicate " + source.displayUri() + ": its server has wal_level = "
                            + rs.getString(1) + "; set wal_level = logical (and max_replication_slots, max_wal_senders >= 1 spare"
                            + " each) in postgresql.conf and restart it, or use via: direct");
                }
            }
            st.execute("set search_path = pg_catalog");
            List<String> keyless = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("""
                    select c.oid::regclass::text from pg_class c
                    where c.relkind = 'r' and %s and c.relreplident in ('d', 'n')
                      and not (c.relreplident = 'd' and exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary))
                    order by 1""".formatted(PgCatalog.userObject("c")))) {
                while (rs.next()) {
                    keyless.add(rs.getString(1));
                }
            }
            if (!keyless.isEmpty()) {
                throw MigratorException.badInput("cannot replicate " + source.displayUri() + ": " + keyless.size()
                        + " table(s) have no primary key, so their updates and deletes cannot be applied: "
                        + String.join(", ", keyless) + "; add a primary key, or run ALTER TABLE " + keyless.get(0)
                        + " REPLICA IDENTITY FULL (rows are then found by all their columns), or use via: direct");
            }
            try (ResultSet rs = st.executeQuery("select count(*) from pg_largeobject_metadata")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    throw MigratorException.badInput("cannot replicate " + source.displayUri() + ": it holds " + rs.getLong(1)
                            + " large objects, which logical replication does not carry; use via: direct");
                }
            }
        } catch (SQLException e) {
            throw src().failure(e, "check");
        }
    }

    private List<String> tables() {
        List<String> out = new ArrayList<>();
        try (Connection c = src().connect(); Statement st = c.createStatement()) {
            st.execute("set search_path = pg_catalog");
            try (ResultSet rs = st.executeQuery("select c.oid::regclass::text from pg_class c where c.relkind = 'r' and "
                    + PgCatalog.userObject("c") + " order by 1")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw src().failure(e, "list the tables of");
        }
        return out;
    }

    private Connection replicationConnection() {
        return src().connect(Map.of("replication", "database", "preferQueryMode", "simple", "assumeMinServerVersion", "10"));
    }

    private boolean slotExists() {
        return exists(src(), "select 1 from pg_replication_slots where slot_name = ?");
    }

    private boolean originExists() {
        return exists(dst().withDatabase("postgres"), "select 1 from pg_replication_origin where roname = ?");
    }

    private boolean exists(PgLocation where, String sql) {
        try (Connection c = where.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw where.failure(e, "query");
        }
    }

    private long originProgress() {
        try (Connection c = dst().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select coalesce(pg_replication_origin_progress(" + quote(slot) + ", true), '0/0')::text")) {
            rs.next();
            return PgApplier.lsn(rs.getString(1));
        } catch (SQLException e) {
            throw dst().failure(e, "read the replication position on");
        }
    }

    private void discard(boolean slotExists, boolean originExists, boolean partial) {
        if (slotExists) {
            dropSlot(src(), slot);
        }
        if (originExists) {
            dropOrigin();
        }
        if (partial) {
            target.dropDatabaseNamed(target.partialName());
        }
    }

    private void dropOrigin() {
        try (Connection c = dst().withDatabase("postgres").connect(); Statement st = c.createStatement()) {
            st.execute("select pg_replication_origin_drop(" + quote(slot) + ") from pg_replication_origin where roname = "
                    + quote(slot));
        } catch (SQLException e) {
            throw dst().failure(e, "drop the replication origin " + slot + " on");
        }
    }

    /** Drops a slot (ending the session that streams from it, which is ours) and its publication. */
    static void dropSlot(PgLocation anyDb, String name) {
        String database;
        try (Connection c = anyDb.connect(); PreparedStatement ps = c.prepareStatement(
                "select database, active_pid from pg_replication_slots where slot_name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw MigratorException.notFound("no replication slot named " + name + " on " + anyDb.display()
                            + "; list migrator's slots with: migrator db slots " + anyDb.display());
                }
                database = rs.getString(1);
                int pid = rs.getInt(2);
                if (!rs.wasNull()) {
                    try (Statement st = c.createStatement()) {
                        st.execute("select pg_terminate_backend(" + pid + ")");
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            for (int attempt = 0; ; attempt++) {
                try (PreparedStatement drop = c.prepareStatement("select pg_drop_replication_slot(?)")) {
                    drop.setString(1, name);
                    drop.execute();
                    break;
                } catch (SQLException e) {
                    if (!"55006".equals(e.getSQLState()) || attempt > 20) { // 55006: still active for a moment
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        } catch (SQLException e) {
            throw anyDb.failure(e, "drop the replication slot " + name + " on");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted while dropping slot " + name);
        }
        if (database != null) {
            try (Connection c = anyDb.withDatabase(database).connect(); Statement st = c.createStatement()) {
                st.execute("drop publication if exists " + PgCatalog.quoteIdent(name));
            } catch (SQLException e) {
                throw anyDb.failure(e, "drop the publication " + name + " on");
            }
        }
    }

    // ---------------------------------------------------------------- streaming

    @Override
    public Lag follow(Duration untilLag, BooleanSupplier stop, Consumer<Lag> progress) {
        return stream(untilLag, stop, false, progress);
    }

    @Override
    public Lag drain(Consumer<Lag> progress) {
        return stream(null, () -> false, true, progress);
    }

    /**
     * The apply loop. {@code drainOnce}: emit one marker and return once it is applied. Otherwise a marker every
     * second measures the lag, and the loop ends when {@code stop} says so or the lag is at most {@code untilLag}.
     */
    private Lag stream(Duration untilLag, BooleanSupplier stop, boolean drainOnce, Consumer<Lag> progress) {
        if (!slotExists()) {
            throw MigratorException.notFound("no replication slot " + slot + " on " + source.displayUri()
                    + " (the snapshot copy has not run, or the cut-over finished); run the pre-copy first");
        }
        try (PgApplier apply = new PgApplier(dst(), slot);
             Connection repl = replicationConnection();
             Connection probe = src().connect()) {
            lastApplier = apply;
            PGReplicationStream stream = repl.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(slot)
                    .withStartPosition(LogSequenceNumber.valueOf(apply.applied()))
                    .withSlotOption("proto_version", 1)
                    .withSlotOption("publication_names", slot)
                    .withSlotOption("messages", true)
                    .withStatusInterval(1, TimeUnit.SECONDS)
                    .start();
            Marker marker = emit(probe);
            long lastPoll = 0;
            double measured = 0;
            boolean inTransaction = false;
            boolean skipping = false;
            boolean markerInTransaction = false;
            long oldestUnappliedMicros = 0;
            long batchStarted = 0;
            Lag lag = Lag.note("streaming");
            while (true) {
                ByteBuffer buf = stream.readPending();
                long now = System.nanoTime();
                // once a second, busy or not: the lag, a new marker, and whether to stop
                if (now - lastPoll > 1_000_000_000L) {
                    lastPoll = now;
                    lag = lag(probe, apply, measured, oldestUnappliedMicros, inTransaction);
                    progress.accept(lag);
                    if (!drainOnce && marker == null) {
                        marker = emit(probe);
                    }
                    if (!drainOnce && stop.getAsBoolean()) {
                        if (!inTransaction && apply.pending()) {
                            confirm(stream, apply.flush());
                        }
                        return lag; // a transaction half received is not committed: the slot sends it again
                    }
                }
                if (buf == null) {
                    if (!inTransaction && apply.pending()) {
                        confirm(stream, apply.flush());
                    }
                    Thread.sleep(5);
                    continue;
                }
                PgOutput.Message m = PgOutput.decode(buf);
                if (m instanceof PgOutput.Begin b) {
                    inTransaction = true;
                    // a transaction the target committed before a crash comes again: it ends before the applied position
                    skipping = b.finalLsn() < apply.applied();
                    if (!apply.pending()) {
                        batchStarted = now;
                    }
                    if (oldestUnappliedMicros == 0 && !skipping) {
                        oldestUnappliedMicros = b.commitMicros();
                    }
                } else if (m instanceof PgOutput.Relation r) {
                    apply.relation(r);
                } else if (m instanceof PgOutput.Change ch) {
                    if (!skipping) {
                        apply.change(ch);
                    }
                } else if (m instanceof PgOutput.Truncate t) {
                    if (!skipping) {
                        apply.truncate(t);
                    }
                } else if (m instanceof PgOutput.LogicalMessage lm) {
                    if (marker != null && PREFIX.equals(lm.prefix()) && marker.nonce.equals(lm.content())) {
                        markerInTransaction = true;
                    }
                } else if (m instanceof PgOutput.Commit cm) {
                    inTransaction = false;
                    if (!skipping) {
                        apply.commitSeen(cm);
                    }
                    skipping = false;
                    boolean reached = markerInTransaction;
                    markerInTransaction = false;
                    // commit to the target in batches: at a marker, after 250 ms, or when the stream goes quiet
                    if (reached || now - batchStarted > 250_000_000L) {
                        confirm(stream, apply.flush());
                        oldestUnappliedMicros = 0;
                    }
                    if (reached) {
                        measured = (System.nanoTime() - marker.emittedNanos) / 1e9;
                        marker = null;
                        lag = lag(probe, apply, measured, 0, false);
                        progress.accept(lag);
                        if (drainOnce || untilLag != null && measured <= untilLag.toMillis() / 1000.0) {
                            return lag;
                        }
                    }
                }
                // origin and type messages: nothing to apply
            }
        } catch (SQLException e) {
            throw withHint(src().failure(e, "stream changes from"));
        } catch (MigratorException e) {
            throw withHint(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, "replication interrupted; "
                    + Replication.dropHint(source.displayUri(), slot));
        }
    }

    private record Marker(String nonce, long emittedNanos) {
    }

    private static Marker emit(Connection probe) throws SQLException {
        String nonce = "drain " + UUID.randomUUID();
        long at = System.nanoTime();
        try (PreparedStatement ps = probe.prepareStatement("select pg_logical_emit_message(true, ?, ?)")) {
            ps.setString(1, PREFIX);
            ps.setString(2, nonce);
            ps.execute();
        }
        return new Marker(nonce, at);
    }

    private static void confirm(PGReplicationStream stream, long applied) throws SQLException {
        LogSequenceNumber lsn = LogSequenceNumber.valueOf(applied);
        stream.setFlushedLSN(lsn);
        stream.setAppliedLSN(lsn);
        stream.forceUpdateStatus();
    }

    private Lag lag(Connection probe, PgApplier apply, double measured, long oldestMicros, boolean inTransaction)
            throws SQLException {
        long current;
        long retained;
        try (PreparedStatement ps = probe.prepareStatement("select pg_current_wal_lsn()::text, coalesce(pg_wal_lsn_diff("
                + "pg_current_wal_lsn(), restart_lsn), 0)::bigint, coalesce(confirmed_flush_lsn, '0/0')::text"
                + " from pg_replication_slots where slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw MigratorException.notFound("the replication slot " + slot + " vanished from " + source.displayUri()
                            + " while streaming (dropped by someone?); the replica cannot continue: start it again");
                }
                current = PgApplier.lsn(rs.getString(1));
                retained = rs.getLong(2);
            }
        }
        double age = oldestMicros == 0 ? 0 : Math.max(0, System.currentTimeMillis() / 1000.0 - oldestMicros / 1e6);
        long behind = Math.max(0, current - apply.applied());
        String warning = null;
        if (retained > options.warnRetainedBytes() && !warned) {
            warned = true;
            warning = "the slot " + slot + " on " + source.displayUri() + " retains " + retained / (1024 * 1024)
                    + " MiB of WAL (the target is behind, or the stream stopped); watch the source's disk, and if you give"
                    + " up this replication drop the slot: migrator db slots " + source.displayUri() + " --drop " + slot;
        }
        return new Lag("streaming", behind, Math.max(measured, age), apply.transactions(), apply.changes(), retained, warning);
    }

    // ---------------------------------------------------------------- cut-over

    @Override
    public Cutover cutover(Consumer<Lag> progress) {
        long t0 = System.nanoTime();
        Lag lag = drain(progress);
        List<String> checked = new ArrayList<>();
        List<String> differences = new ArrayList<>();
        checked.add("drained to the source's position in " + seconds(t0));
        try (Connection s = src().connect(); Connection t = dst().connect()) {
            long t1 = System.nanoTime();
            int sequences = PgCutover.copySequences(s, t);
            checked.add("sequences set from the source: " + sequences + " in " + seconds(t1));
            long t2 = System.nanoTime();
            differences.addAll(PgCutover.schemaDifferences(s, t, slot));
            checked.add("schema compared (tables, columns, indexes, constraints, sequences, functions, triggers, types) in "
                    + seconds(t2));
            PgApplier a = lastApplier;
            long t3 = System.nanoTime();
            for (Map.Entry<String, Set<List<String>>> e : new TreeMap<>(a.touched).entrySet()) {
                String table = e.getKey();
                PgOutput.Relation r = a.touchedRelations.get(table);
                if (e.getValue() == null) {
                    differences.addAll(PgCutover.compareWhole(s, t, table));
                    checked.add(table + ": whole table compared (truncated, keyless or touched often)");
                } else {
                    differences.addAll(PgCutover.compareKeys(s, t, r, e.getValue()));
                    checked.add(table + ": " + e.getValue().size() + " changed rows compared");
                }
            }
            checked.add("changed rows compared in " + seconds(t3));
        } catch (SQLException e) {
            throw withHint(new MigratorException(ErrorCode.FAILED, "cannot check the cut-over of " + target.displayUri() + ": "
                    + PgLocation.oneLine(e.getMessage()), e));
        }
        if (differences.isEmpty()) {
            abandon();
            checked.add("slot and publication " + slot + " dropped");
        }
        return new Cutover(lag, differences, checked);
    }

    private static String seconds(long since) {
        return Math.round((System.nanoTime() - since) / 1e7) / 100.0 + " s";
    }

    @Override
    public void abandon() {
        if (slotExists()) {
            dropSlot(src(), slot);
        } else {
            try (Connection c = src().connect(); Statement st = c.createStatement()) {
                st.execute("drop publication if exists " + PgCatalog.quoteIdent(slot));
            } catch (SQLException e) {
                throw src().failure(e, "drop the publication " + slot + " on");
            }
        }
        if (originExists()) {
            dropOrigin();
        }
    }

    @Override
    public void close() {
        lastApplier = null;
    }
}
