package dev.migrator.provider.mysql;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Fingerprint;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Replication;
import java.io.IOException;
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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MariaDB/MySQL change capture from a source database into a target one: a parallel snapshot copy at a known binlog
 * position ({@link MysqlSnapshotCopy}), then the source's binlog read from that position as a replica would
 * (mysql-binlog-connector-java) and its row events applied by {@link MysqlApplier}.
 *
 * <p><b>Where the position lives.</b> MySQL has no replication slot: the source keeps nothing for a replica and
 * purges its binlog by age ({@code binlog_expire_logs_seconds} / {@code expire_logs_days}) whatever a replica still
 * needs. The applied position is kept on the target server, in {@code migrator_state.binlog_positions} (outside
 * the replicated database, so the target database stays identical to the source), one row per pair, named
 * {@code migrator_<12 hex>} after the pair, updated in the same transaction as the changes. Its {@code state} says
 * where the pair stands: {@code copying} (a torn snapshot copy: the target database, empty when the copy began,
 * is dropped and copied again) or {@code streaming} (resume at the recorded position).
 *
 * <p><b>Objects that would act twice.</b> Triggers fire on the target too, and row-based binlog already carries what
 * they did at the source; events would run on their schedule. Both are created by the cut-over, after the last
 * change is applied; tables, views and routines come with the snapshot copy.
 *
 * <p><b>DDL.</b> A schema change at the source (ALTER, CREATE, DROP, RENAME of our database's objects) stops the
 * stream before it: migrator does not replicate DDL. The drain says so; the cut-over reports it as a difference.
 */
final class MysqlReplication implements Replication {
    static final String PREFIX = "migrator_";
    private static final Pattern TRUNCATE = Pattern.compile(
            "(?is)^\\s*truncate\\s+(?:table\\s+)?(?:`?([^`.\\s]+)`?\\s*\\.\\s*)?`?([^`\\s;]+)`?\\s*;?\\s*$");
    private static final Pattern DDL = Pattern.compile("(?is)^\\s*(?:/\\*.*?\\*/\\s*)*(create|alter|drop|rename)\\s.*");

    private final MysqlDatabase source;
    private final MysqlDatabase target;
    private final Options options;
    private final String name;
    /**
     * What the last stream touched, for the cut-over's comparison: the cut-over's own drain, so what changed since the
     * previous drain (the rows changed earlier are the full fingerprint's, after the switch; as for PostgreSQL).
     */
    private final Map<String, Set<List<Object>>> touched = new HashMap<>();
    private boolean warned;

    MysqlReplication(MysqlDatabase source, MysqlDatabase target, Options options) {
        this.source = source;
        this.target = target;
        this.options = options;
        this.name = name(source.displayUri() + "\n" + target.displayUri());
    }

    static String name(String pair) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(pair.getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String slot() {
        return name;
    }

    private MysqlLocation src() {
        return source.location();
    }

    private MysqlLocation dst() {
        return target.location();
    }

    private MigratorException withHint(MigratorException e) {
        if (e.getMessage().contains("migrator_state")) {
            return e;
        }
        return new MigratorException(e.code(), e.getMessage() + "; " + hint(), e);
    }

    private String hint() {
        return "the position of " + name + " is kept on the target (migrator_state.binlog_positions): run the same command"
                + " again to resume while the source still holds that binlog, or forget it with: migrator db slots "
                + target.displayUri() + " --drop " + name;
    }

    // ---------------------------------------------------------------- start: settings, schema, snapshot copy

    @Override
    public String start(Consumer<Lag> progress) {
        Map<String, MysqlTable> tables = checkSource();
        String[] row = recorded();
        if (row != null && "streaming".equals(row[0]) && target.databaseExists()) {
            requireBinlog(row[1]);
            return "resuming " + name + ": the snapshot copy finished earlier; changes apply from " + row[1] + ":" + row[2];
        }
        try {
            if (row != null) {
                // a torn snapshot copy: the target database was empty when it began, so it is ours to drop and redo
                progress.accept(Lag.note("discarding the torn snapshot copy in " + target.displayUri()));
                target.dropDatabase();
            }
            target.prepareTarget(false); // creates it, or refuses one that holds anything
            try (Connection c = dst().withDatabase("").connect(); Statement st = c.createStatement()) {
                MysqlApplier.createPositions(c);
                try (PreparedStatement ps = c.prepareStatement("replace into " + MysqlApplier.POSITIONS
                        + " (name, source, target_database, state) values (?, ?, ?, 'copying')")) {
                    ps.setString(1, name);
                    ps.setString(2, source.displayUri());
                    ps.setString(3, dst().database());
                    ps.execute();
                }
            }
            return copy(tables, progress);
        } catch (SQLException e) {
            throw withHint(dst().failure(e, "prepare the replica on"));
        } catch (MigratorException e) {
            throw withHint(e);
        }
    }

    private String copy(Map<String, MysqlTable> tables, Consumer<Lag> progress) throws SQLException {
        progress.accept(Lag.note("schema: tables, views and routines"));
        source.copySchema(target, MysqlDatabase.SCHEMA_BEFORE_DATA, options.noOwner());
        MysqlSnapshotCopy.Result r = MysqlSnapshotCopy.copy(src(), dst(), tables, options.jobs(), mariaDb(),
                s -> progress.accept(Lag.note(s)));
        try (Connection c = dst().withDatabase("").connect();
             PreparedStatement ps = c.prepareStatement("update " + MysqlApplier.POSITIONS
                     + " set state = 'streaming', binlog_file = ?, binlog_pos = ? where name = ?")) {
            ps.setString(1, r.snapshot().file());
            ps.setLong(2, r.snapshot().position());
            ps.setString(3, name);
            ps.execute();
        }
        return "snapshot copy of " + r.tables() + " tables, " + r.rows() + " rows in " + Math.round(r.seconds() * 10) / 10.0
                + " s with " + options.jobs() + " workers (" + r.snapshot().how() + "); " + name + " streams changes from "
                + r.snapshot().file() + ":" + r.snapshot().position();
    }

    private boolean mariaDb() {
        try (Connection c = src().connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select version()")) {
            rs.next();
            return rs.getString(1).toLowerCase(Locale.ROOT).contains("mariadb");
        } catch (SQLException e) {
            throw src().failure(e, "query");
        }
    }

    /** Refuses, before anything is created, a source whose binlog cannot carry the changes or whose tables cannot be keyed. */
    private Map<String, MysqlTable> checkSource() {
        try (Connection c = src().connect(); Statement st = c.createStatement()) {
            List<String> settings = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("select @@log_bin, @@binlog_format, @@binlog_row_image")) {
                rs.next();
                if (!"1".equals(rs.getString(1))) {
                    settings.add("log_bin is OFF (start the server with log_bin and a unique server_id)");
                }
                if (!"ROW".equalsIgnoreCase(rs.getString(2))) {
                    settings.add("binlog_format is " + rs.getString(2) + " (set binlog_format = ROW)");
                }
                if (!"FULL".equalsIgnoreCase(rs.getString(3))) {
                    settings.add("binlog_row_image is " + rs.getString(3) + " (set binlog_row_image = FULL)");
                }
            }
            if (!settings.isEmpty()) {
                throw MigratorException.badInput("cannot replicate " + source.displayUri() + ": its server's " + String.join(", ", settings)
                        + "; change that in the server's configuration ([mysqld] in my.cnf) and restart it, or use via: direct");
            }
            Map<String, MysqlTable> tables = MysqlTable.read(c, src().database());
            List<String> keyless = tables.values().stream().filter(t -> t.key().isEmpty()).map(MysqlTable::name).toList();
            if (!keyless.isEmpty()) {
                throw MigratorException.badInput("cannot replicate " + source.displayUri() + ": " + keyless.size()
                        + " table(s) have no primary key (nor a unique key on NOT NULL columns), so their updates and deletes"
                        + " cannot be applied: " + String.join(", ", keyless) + "; add one (ALTER TABLE " + keyless.get(0)
                        + " ADD PRIMARY KEY (...)), or use via: direct");
            }
            List<String> other = tables.values().stream().filter(t -> !t.engine().equalsIgnoreCase("InnoDB"))
                    .map(t -> t.name() + " (" + t.engine() + ")").toList();
            if (!other.isEmpty()) {
                throw MigratorException.badInput("cannot replicate " + source.displayUri() + ": " + other.size()
                        + " table(s) are not InnoDB, so no snapshot of them is consistent: " + String.join(", ", other)
                        + "; convert them (ALTER TABLE ... ENGINE = InnoDB), or use via: direct");
            }
            return tables;
        } catch (SQLException e) {
            throw src().failure(e, "check");
        }
    }

    /** {state, file, position} of this pair on the target server, or null. */
    private String[] recorded() {
        try (Connection c = dst().withDatabase("").connect()) {
            return MysqlApplier.row(c, name);
        } catch (SQLException e) {
            throw dst().failure(e, "read the replication position on");
        }
    }

    /** The source's binlog files with their sizes, oldest first. */
    private static LinkedHashMap<String, Long> binlogs(Connection c) throws SQLException {
        LinkedHashMap<String, Long> out = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("show binary logs")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    private void requireBinlog(String file) {
        try (Connection c = src().connect()) {
            if (!binlogs(c).containsKey(file)) {
                throw new MigratorException(ErrorCode.FAILED, "the source " + source.displayUri() + " no longer holds the binlog "
                        + file + " that " + name + " must resume from (purged: see binlog_expire_logs_seconds / expire_logs_days);"
                        + " the replica cannot catch up. Forget it (migrator db slots " + target.displayUri() + " --drop " + name
                        + "), drop the target database and start again");
            }
        } catch (SQLException e) {
            throw src().failure(e, "list the binary logs of");
        }
    }

    // ---------------------------------------------------------------- streaming

    @Override
    public Lag follow(Duration untilLag, BooleanSupplier stop, Consumer<Lag> progress) {
        Outcome o = stream(untilLag, stop, false, progress);
        if (o.ddl != null) {
            throw withHint(schemaChanged(o.ddl));
        }
        return o.lag;
    }

    @Override
    public Lag drain(Consumer<Lag> progress) {
        Outcome o = stream(null, () -> false, true, progress);
        if (o.ddl != null) {
            throw withHint(schemaChanged(o.ddl));
        }
        return o.lag;
    }

    private MigratorException schemaChanged(String ddl) {
        return new MigratorException(ErrorCode.FAILED, "schema changed during replication of " + source.displayUri() + ": " + ddl
                + "; migrator does not replicate DDL: forget this replica, drop the target database and start again");
    }

    private record Outcome(Lag lag, String ddl) {
    }

    /** What the listener thread hands to the apply loop: an event, or the reason the connection ended. */
    private record Item(Event event, Exception failure) {
    }

    private Outcome stream(Duration untilLag, BooleanSupplier stop, boolean drainOnce, Consumer<Lag> progress) {
        String[] row = recorded();
        if (row == null || !"streaming".equals(row[0])) {
            throw MigratorException.notFound("no replication " + name + " from " + source.displayUri() + " is recorded on "
                    + target.displayUri() + " (the snapshot copy has not finished, or the cut-over did); run the pre-copy first");
        }
        requireBinlog(row[1]);
        Map<String, MysqlTable> tables;
        try (Connection c = dst().connect()) {
            // the target's tables: the source's as of the snapshot (a DDL since then must not reshape older row events)
            tables = MysqlTable.read(c, dst().database());
        } catch (SQLException e) {
            throw dst().failure(e, "read the tables of");
        }
        touched.clear();
        BlockingQueue<Item> queue = new ArrayBlockingQueue<>(10_000);
        AtomicBoolean over = new AtomicBoolean();
        BinaryLogClient client = client(row[1], Long.parseLong(row[2]), queue, over);
        try (MysqlApplier apply = new MysqlApplier(src().database(), dst(), name, tables, touched);
             Connection probe = src().connect()) {
            String[] until = drainOnce ? MysqlSnapshotCopy.masterStatus(probe) : null;
            try {
                client.connect(TimeUnit.SECONDS.toMillis(20));
            } catch (IOException | TimeoutException e) {
                throw new MigratorException(ErrorCode.FAILED, "cannot read the binlog of " + source.displayUri() + " as a replica: "
                        + MysqlLocation.oneLine(String.valueOf(e.getMessage())) + " (the user needs REPLICATION SLAVE and"
                        + " REPLICATION CLIENT privileges)", e);
            }
            String file = row[1];
            boolean inTransaction = false;
            long lastPoll = 0;
            long batchStarted = System.nanoTime();
            long lastEventMillis = 0;
            Lag lag = Lag.note("streaming");
            while (true) {
                long now = System.nanoTime();
                if (now - lastPoll > 1_000_000_000L) {
                    lastPoll = now;
                    lag = lag(probe, apply, lastEventMillis);
                    progress.accept(lag);
                    // the lag in seconds is known once an event was read, or when nothing is behind
                    boolean measured = lag.bytes() == 0 || lastEventMillis > 0;
                    if (!drainOnce && (stop.getAsBoolean()
                            || untilLag != null && measured && lag.seconds() <= untilLag.toMillis() / 1000.0)) {
                        if (!inTransaction) {
                            apply.flush();
                        }
                        return new Outcome(lag, null); // a transaction half received is not committed: it comes again
                    }
                }
                if (!inTransaction && until != null && reached(apply.file(), apply.position(), until)) {
                    apply.flush();
                    return new Outcome(lag(probe, apply, 0), null);
                }
                Item item = queue.poll(50, TimeUnit.MILLISECONDS);
                if (item == null) {
                    if (!inTransaction && apply.pending()) {
                        apply.flush();
                    }
                    continue;
                }
                if (item.failure != null) {
                    throw new MigratorException(ErrorCode.FAILED, "reading the binlog of " + source.displayUri() + " failed: "
                            + MysqlLocation.oneLine(String.valueOf(item.failure.getMessage())), item.failure);
                }
                Event ev = item.event;
                EventHeaderV4 h = ev.getHeader();
                EventType type = h.getEventType();
                long next = h.getNextPosition();
                if (h.getTimestamp() > 0) {
                    lastEventMillis = h.getTimestamp();
                }
                try {
                    switch (type) {
                        case ROTATE -> file = ((RotateEventData) ev.getData()).getBinlogFilename();
                        case MARIADB_GTID -> {
                            // MariaDB logs no BEGIN: its GTID event opens the transaction, unless it heads a standalone
                            // statement (DDL, TRUNCATE), which is one QUERY event
                            MariadbGtidEventData g = ev.getData();
                            inTransaction = (g.getFlags() & MariadbGtidEventData.FL_STANDALONE) == 0;
                            if (!apply.pending()) {
                                batchStarted = now;
                            }
                        }
                        case GTID -> {
                            // MySQL: BEGIN follows for a transaction, a QUERY for a standalone statement
                            if (!apply.pending()) {
                                batchStarted = now;
                            }
                        }
                        case TABLE_MAP -> {
                            TableMapEventData t = ev.getData();
                            apply.tableMap(t.getTableId(), t.getDatabase(), t.getTable(), t.getColumnTypes().length);
                        }
                        case WRITE_ROWS, EXT_WRITE_ROWS -> {
                            WriteRowsEventData d = ev.getData();
                            apply.inserts(d.getTableId(), d.getRows());
                        }
                        case UPDATE_ROWS, EXT_UPDATE_ROWS -> {
                            UpdateRowsEventData d = ev.getData();
                            apply.updates(d.getTableId(), d.getRows());
                        }
                        case DELETE_ROWS, EXT_DELETE_ROWS -> {
                            DeleteRowsEventData d = ev.getData();
                            apply.deletes(d.getTableId(), d.getRows());
                        }
                        case XID -> {
                            inTransaction = false;
                            apply.committed(file, next);
                        }
                        case QUERY -> {
                            QueryEventData q = ev.getData();
                            String sql = q.getSql().strip();
                            if (sql.equalsIgnoreCase("BEGIN") || sql.toUpperCase(Locale.ROOT).startsWith("XA START")) {
                                inTransaction = true;
                            } else if (sql.equalsIgnoreCase("COMMIT") || sql.equalsIgnoreCase("ROLLBACK")) {
                                // ROLLBACK is logged only after changes to non-transactional tables, which stay
                                inTransaction = false;
                                apply.committed(file, next);
                            } else if (inTransaction) {
                                // a statement inside a transaction (SAVEPOINT and the like): nothing to apply
                            } else {
                                String ddl = statement(q, sql, file, next, apply);
                                if (ddl != null) {
                                    apply.flush();
                                    return new Outcome(lag(probe, apply, lastEventMillis), ddl + " at " + file + ":" + h.getPosition());
                                }
                            }
                        }
                        default -> {
                            if (!inTransaction) {
                                apply.advance(file, next); // heartbeats, GTID lists, checkpoints: the position moves on
                            }
                        }
                    }
                } catch (MysqlApplier.SchemaChanged e) {
                    apply.flush(); // what came before the change is applied; the transaction that met it is not
                    return new Outcome(lag(probe, apply, lastEventMillis), e.getMessage() + " at " + file + ":" + h.getPosition());
                }
                if (!inTransaction && apply.pending() && (System.nanoTime() - batchStarted > 250_000_000L)) {
                    apply.flush();
                    batchStarted = System.nanoTime();
                }
            }
        } catch (SQLException e) {
            throw withHint(new MigratorException(ErrorCode.FAILED, "cannot apply changes to " + target.displayUri() + ": "
                    + MysqlLocation.oneLine(e.getMessage()), e));
        } catch (MigratorException e) {
            throw withHint(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, "replication interrupted; " + hint());
        } finally {
            over.set(true);
            queue.clear();
            try {
                client.disconnect();
            } catch (IOException ignored) {
                // the stream is over either way
            }
        }
    }

    /** A statement outside a transaction: TRUNCATE of ours is applied; DDL on ours is returned; anything else is passed. */
    private String statement(QueryEventData q, String sql, String file, long next, MysqlApplier apply) throws SQLException {
        String db = src().database();
        Matcher t = TRUNCATE.matcher(sql);
        if (t.matches()) {
            String schema = t.group(1) != null ? t.group(1) : q.getDatabase();
            if (db.equals(schema)) {
                apply.truncate(t.group(2), file, next);
                return null;
            }
        } else if (DDL.matcher(sql).matches()) {
            String lower = sql.toLowerCase(Locale.ROOT);
            boolean ours = db.equals(q.getDatabase()) && !lower.matches("(?s)^\\s*(create|drop|alter)\\s+(database|schema|user|role)\\b.*")
                    || lower.contains("`" + db.toLowerCase(Locale.ROOT) + "`.") || lower.contains(" " + db.toLowerCase(Locale.ROOT) + ".");
            if (ours) {
                return sql.length() > 200 ? sql.substring(0, 200) + "..." : sql;
            }
        }
        apply.advance(file, next);
        return null;
    }

    private static boolean reached(String file, long pos, String[] until) {
        int c = file.compareTo(until[0]); // binlog names share a stem and a zero-padded sequence number
        return c > 0 || c == 0 && pos >= Long.parseLong(until[1]);
    }

    private BinaryLogClient client(String file, long position, BlockingQueue<Item> queue, AtomicBoolean over) {
        MysqlLocation s = src();
        BinaryLogClient client = new BinaryLogClient(s.host(), s.port(), s.user(), s.password() == null ? "" : s.password());
        client.setServerId(serverId());
        client.setBinlogFilename(file);
        client.setBinlogPosition(position);
        client.setKeepAlive(false);
        client.setHeartbeatInterval(1000);
        EventDeserializer d = new EventDeserializer();
        d.setCompatibilityMode(EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY,
                EventDeserializer.CompatibilityMode.DATE_AND_TIME_AS_LONG_MICRO,
                EventDeserializer.CompatibilityMode.INVALID_DATE_AND_TIME_AS_MIN_VALUE);
        client.setEventDeserializer(d);
        client.registerEventListener(ev -> put(queue, over, new Item(ev, null)));
        client.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
            @Override
            public void onCommunicationFailure(BinaryLogClient c, Exception ex) {
                put(queue, over, new Item(null, ex));
            }

            @Override
            public void onEventDeserializationFailure(BinaryLogClient c, Exception ex) {
                put(queue, over, new Item(null, ex));
            }
        });
        return client;
    }

    /**
     * Hands an item to the apply loop, waiting while it is behind (the source keeps the rest), until the loop is over:
     * the reader holds the client's lock meanwhile, and disconnecting needs it.
     */
    private static void put(BlockingQueue<Item> queue, AtomicBoolean over, Item item) {
        try {
            while (!over.get() && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                // the applier is behind
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A replica server id of its own per pair (a replica sharing another's id would disconnect it). */
    private long serverId() {
        return 0x40000000L | Long.parseLong(name.substring(PREFIX.length(), PREFIX.length() + 7), 16);
    }

    private Lag lag(Connection probe, MysqlApplier apply, long lastEventMillis) throws SQLException {
        LinkedHashMap<String, Long> logs = binlogs(probe);
        if (!logs.containsKey(apply.file())) {
            throw new MigratorException(ErrorCode.FAILED, "the source " + source.displayUri() + " purged the binlog " + apply.file()
                    + " while " + name + " still needed it; the replica cannot catch up");
        }
        String[] end = MysqlSnapshotCopy.masterStatus(probe);
        long retained = 0;
        boolean from = false;
        for (Map.Entry<String, Long> e : logs.entrySet()) {
            from |= e.getKey().equals(apply.file());
            if (from) {
                retained += e.getKey().equals(end[0]) ? Long.parseLong(end[1]) : e.getValue();
            }
        }
        long behind = Math.max(0, retained - apply.position());
        double seconds = behind == 0 || lastEventMillis == 0 ? 0 : Math.max(0, (System.currentTimeMillis() - lastEventMillis) / 1000.0);
        String warning = null;
        if (retained > options.warnRetainedBytes() && !warned) {
            warned = true;
            warning = "the target is " + retained / (1024 * 1024) + " MiB of binlog behind " + source.displayUri()
                    + "; the source purges its binlog by age (binlog_expire_logs_seconds / expire_logs_days) whether or not "
                    + name + " has read it: watch that the replica catches up before then";
        }
        return new Lag("streaming", behind, seconds, apply.transactions(), apply.changes(), retained, warning);
    }

    // ---------------------------------------------------------------- cut-over

    @Override
    public Cutover cutover(Consumer<Lag> progress) {
        long t0 = System.nanoTime();
        Outcome o = stream(null, () -> false, true, progress);
        List<String> checked = new ArrayList<>();
        List<String> differences = new ArrayList<>();
        if (o.ddl != null) {
            differences.add("schema changed during replication: " + o.ddl);
            return new Cutover(o.lag, differences, checked);
        }
        checked.add("drained to the source's binlog position at the freeze in " + seconds(t0));
        try (Connection s = src().connect(); Connection t = dst().connect()) {
            for (Connection c : List.of(s, t)) {
                try (Statement st = c.createStatement()) {
                    st.execute("set session time_zone = '+00:00'"); // timestamps compare as the same text on both sides
                }
            }
            long t1 = System.nanoTime();
            int counters = copyAutoIncrement(s, t);
            checked.add("AUTO_INCREMENT counters set from the source: " + counters + " in " + seconds(t1));
            long t2 = System.nanoTime();
            boolean deferred = !hasTriggersOrEvents(t);
            if (deferred) {
                source.copySchema(target, MysqlDatabase.SCHEMA_AFTER_DATA, options.noOwner());
            }
            Map<String, List<String[]>> srcColumns = new LinkedHashMap<>();
            Map<String, String> a = schemaOf(s, srcColumns);
            Map<String, String> b = schemaOf(t, new LinkedHashMap<>());
            for (String key : new java.util.TreeSet<>(union(a.keySet(), b.keySet()))) {
                if (!java.util.Objects.equals(a.get(key), b.get(key))) {
                    differences.add("schema changed during replication: " + key + (a.get(key) == null ? " is only on the target"
                            : b.get(key) == null ? " is only on the source" : " differs: source " + a.get(key) + ", target " + b.get(key)));
                }
            }
            checked.add("schema compared (tables, columns, indexes, constraints, views, routines, triggers, events) in " + seconds(t2));
            long t3 = System.nanoTime();
            Map<String, MysqlTable> tables = MysqlTable.read(s, src().database());
            for (Map.Entry<String, Set<List<Object>>> e : new TreeMap<>(touched).entrySet()) {
                MysqlTable table = tables.get(e.getKey());
                List<String[]> cols = srcColumns.get(e.getKey());
                if (table == null || cols == null) {
                    continue; // dropped at the source: the schema comparison says so
                }
                if (e.getValue() == null) {
                    compareRows(s, t, table, cols, "", List.of(), differences);
                    checked.add(table.name() + ": whole table compared (truncated or touched often)");
                } else {
                    List<List<Object>> keys = new ArrayList<>(e.getValue());
                    for (int i = 0; i < keys.size(); i += 500) {
                        List<List<Object>> part = keys.subList(i, Math.min(keys.size(), i + 500));
                        String one = "(" + table.keyPredicate() + ")";
                        String where = String.join(" or ", java.util.Collections.nCopies(part.size(), one));
                        List<Object> params = part.stream().flatMap(List::stream).toList();
                        compareRows(s, t, table, cols, where, params, differences);
                    }
                    checked.add(table.name() + ": " + keys.size() + " changed rows compared");
                }
            }
            checked.add("changed rows compared in " + seconds(t3));
            if (!differences.isEmpty() && deferred) {
                dropTriggersAndEvents(t); // the stream may go on: triggers on the target would act twice
            }
        } catch (SQLException e) {
            throw withHint(new MigratorException(ErrorCode.FAILED, "cannot check the cut-over of " + target.displayUri() + ": "
                    + MysqlLocation.oneLine(e.getMessage()), e));
        }
        if (differences.isEmpty()) {
            abandon();
            checked.add("replication position " + name + " removed from the target");
        }
        return new Cutover(o.lag, differences, checked);
    }

    private static <T> Set<T> union(Set<T> a, Set<T> b) {
        Set<T> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }

    private Map<String, String> schemaOf(Connection c, Map<String, List<String[]>> columns) throws SQLException {
        String db = c.getCatalog();
        try (Statement st = c.createStatement()) {
            st.execute("start transaction");
        }
        Map<String, String> schema = MysqlCatalog.schema(c, db, columns);
        try (Statement st = c.createStatement()) {
            st.execute("commit");
        }
        return schema;
    }

    private void compareRows(Connection s, Connection t, MysqlTable table, List<String[]> cols, String where, List<Object> params,
                             List<String> differences) throws SQLException {
        Fingerprint.TableData a = MysqlCatalog.rowsData(s, s.getCatalog(), table.name(), cols, where, params);
        Fingerprint.TableData b = MysqlCatalog.rowsData(t, t.getCatalog(), table.name(), cols, where, params);
        if (!a.equals(b)) {
            differences.add("rows differ in " + table.name() + (where.isEmpty() ? "" : " among the changed rows") + ": source "
                    + a.rows() + " rows, target " + b.rows() + (a.rows() == b.rows() ? " (same count, different content)" : ""));
        }
    }

    private int copyAutoIncrement(Connection s, Connection t) throws SQLException {
        int n = 0;
        try (PreparedStatement ps = s.prepareStatement("select table_name, auto_increment from information_schema.tables"
                + " where table_schema = ? and table_type = 'BASE TABLE' and auto_increment is not null")) {
            ps.setString(1, src().database());
            try (ResultSet rs = ps.executeQuery(); Statement st = t.createStatement()) {
                while (rs.next()) {
                    st.execute("alter table " + MysqlCatalog.quote(rs.getString(1)) + " auto_increment = " + rs.getLong(2));
                    n++;
                }
            }
        }
        return n;
    }

    private boolean hasTriggersOrEvents(Connection t) throws SQLException {
        try (PreparedStatement ps = t.prepareStatement("select (select count(*) from information_schema.triggers where trigger_schema = ?)"
                + " + (select count(*) from information_schema.events where event_schema = ?)")) {
            ps.setString(1, dst().database());
            ps.setString(2, dst().database());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    private void dropTriggersAndEvents(Connection t) throws SQLException {
        List<String> drops = new ArrayList<>();
        try (PreparedStatement ps = t.prepareStatement("select concat('drop trigger ', quote_ident(trigger_name)) from"
                .replace("quote_ident(trigger_name)", "concat('`', replace(trigger_name, '`', '``'), '`')")
                + " information_schema.triggers where trigger_schema = ? union all select concat('drop event `',"
                + " replace(event_name, '`', '``'), '`') from information_schema.events where event_schema = ?")) {
            ps.setString(1, dst().database());
            ps.setString(2, dst().database());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    drops.add(rs.getString(1));
                }
            }
        }
        try (Statement st = t.createStatement()) {
            for (String d : drops) {
                st.execute(d);
            }
        }
    }

    private static String seconds(long since) {
        return Math.round((System.nanoTime() - since) / 1e7) / 100.0 + " s";
    }

    @Override
    public void abandon() {
        forget(dst(), name);
    }

    /** Removes a pair's position from a target server (and the bookkeeping database once it is empty); false if there was none. */
    static boolean forget(MysqlLocation server, String name) {
        try (Connection c = server.withDatabase("").connect()) {
            if (MysqlApplier.row(c, name) == null) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("delete from " + MysqlApplier.POSITIONS + " where name = ?")) {
                ps.setString(1, name);
                ps.execute();
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from " + MysqlApplier.POSITIONS)) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    st.execute("drop database if exists `migrator_state`");
                }
            }
            return true;
        } catch (SQLException e) {
            throw server.failure(e, "remove the replication position " + name + " from");
        }
    }

    /** The positions recorded on {@code server} (as a target): {@link MysqlDatabase#replicationSlots}. */
    static List<Slot> recordedOn(MysqlLocation server) {
        List<Slot> out = new ArrayList<>();
        try (Connection c = server.withDatabase("").connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select name, source, target_database, state, binlog_file, binlog_pos from "
                     + MysqlApplier.POSITIONS + " order by name")) {
            while (rs.next()) {
                out.add(new Slot(rs.getString(1), rs.getString(2), false, 0,
                        server.withDatabase(rs.getString(3)).display() + " (" + rs.getString(4)
                                + (rs.getString(5) == null ? "" : " at " + rs.getString(5) + ":" + rs.getLong(6)) + ")"));
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == 1146 || e.getErrorCode() == 1049) {
                return out;
            }
            throw server.failure(e, "list the replication positions of");
        }
        return out;
    }

    @Override
    public void close() {
        // every stream closes its own connections; nothing is held between calls
    }
}
