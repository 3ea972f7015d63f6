package dev.migrator.provider;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Change capture from a live source database into a target of the same engine: a snapshot copy while the
 * source takes writes, then the changes made since, applied in commit order, until a cut-over drains the last
 * of them. Obtained from {@link Database#replicateTo}; one instance drives one source/target pair.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>The source keeps a durable position (PostgreSQL: a logical replication slot) named after the pair, so the
 *       same call after a crash, {@code kill -9} or Ctrl-C resumes: what the target committed is never applied
 *       twice and nothing is skipped. The target records what it applied in the same transaction as the
 *       changes.</li>
 *   <li>What cannot be replicated faithfully (a table without a key) is refused by {@link #start} before anything
 *       is created, as {@link ErrorCode#BAD_INPUT} naming every such table and what to do.</li>
 *   <li>A failure leaves the slot in place (so a rerun resumes) and its message says how to drop it:
 *       a slot retains the source's WAL until it is dropped.</li>
 *   <li>Methods are called from one thread; {@code stop} may flip from another.</li>
 * </ul>
 */
public interface Replication extends AutoCloseable {

    /**
     * Where the replication stands.
     *
     * @param phase        what it is doing, for a person ("data: public.users done, 40%", "streaming")
     * @param bytes        source WAL not yet applied to the target
     * @param seconds      how long a change made at the source now takes to reach the target (measured with a marker
     *                     written at the source), or the age of the oldest change not yet applied
     * @param transactions source transactions applied by this instance
     * @param changes      rows inserted, updated or deleted by this instance
     * @param retained     bytes of WAL the source keeps for the slot
     * @param warning      a warning to show once (retained WAL grows large), or null
     */
    record Lag(String phase, long bytes, double seconds, long transactions, long changes, long retained, String warning) {
        /** A step of the snapshot copy, before there is any lag to speak of. */
        public static Lag note(String phase) {
            return new Lag(phase, 0, 0, 0, 0, 0, null);
        }
    }

    /** Options of {@link Database#replicateTo}: the parallelism of the snapshot copy and what it leaves out. */
    record Options(int jobs, boolean noOwner, boolean noPrivileges, long warnRetainedBytes) {
        public static Options defaults() {
            return new Options(2, true, true, 1L << 30);
        }
    }

    /** The name of the source's slot (and publication) this replication uses, for messages and {@code db slots}. */
    String slot();

    /**
     * Makes the slot and copies the snapshot (schema, data in parallel, then indexes and constraints), or, when an
     * earlier run finished that, resumes. A torn earlier snapshot copy is discarded and started again. Returns
     * what it did, for a person.
     */
    String start(Consumer<Lag> progress);

    /**
     * Applies changes until {@code stop} says so or, when {@code untilLag} is not null, until the measured lag is at
     * most {@code untilLag}. Returns the last lag.
     */
    Lag follow(Duration untilLag, BooleanSupplier stop, Consumer<Lag> progress);

    /** Applies every change the source committed before this call, then returns (a pre-copy drain). */
    Lag drain(Consumer<Lag> progress);

    /**
     * The cut-over, called once writes are frozen at the source: drains to the source's position now, sets the
     * target's sequences to the source's, compares the schemas and the rows the change stream touched, and — when
     * they are identical — drops the slot and the publication. Checks that grow with the database's size are left
     * to a full fingerprint afterwards.
     */
    Cutover cutover(Consumer<Lag> progress);

    /** What the cut-over found: {@code differences} empty means identical; {@code checked} says what it compared. */
    record Cutover(Lag lag, List<String> differences, List<String> checked) {
        public Cutover {
            differences = List.copyOf(differences);
            checked = List.copyOf(checked);
        }
    }

    /** Drops the slot, the publication and the target's record of the position: the replication is given up. */
    void abandon();

    @Override
    void close();

    /** A replication slot migrator made on a source, as {@link Database#replicationSlots} lists it. */
    record Slot(String name, String database, boolean active, long retainedBytes, String target) {
    }

    /** The message that tells a person how to stop a slot from retaining WAL. */
    static String dropHint(String sourceUri, String slot) {
        return "the replication slot " + slot + " on " + sourceUri + " keeps the source's WAL until it is dropped: run the"
                + " same command again to resume, or drop it with: migrator db slots " + sourceUri + " --drop " + slot;
    }

    /** {@link ErrorCode#BAD_INPUT} for engines without change capture. */
    static MigratorException unsupported(Database db) {
        return MigratorException.badInput(db.engine() + " " + db.displayUri() + " cannot be replicated by migrator yet;"
                + " use via: direct or via: dump");
    }
}
