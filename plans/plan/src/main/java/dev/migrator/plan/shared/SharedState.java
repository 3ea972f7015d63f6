package dev.migrator.plan.shared;

import java.util.List;
import java.util.Optional;

/**
 * The state of one plan run that many workers share: the frozen plan, claims on work units, each unit's result and
 * its copy journal. Small named blobs ({@code a/b/c}) in one place that every worker can reach.
 *
 * <p>Contract: every method may be called from many threads and many processes at once. {@link #create} is
 * create-only and decided by the store in one step: of any number of callers racing for one name exactly one gets
 * {@code true}. {@link #write} replaces; the protocol ({@link Leases}) makes sure only one worker writes a given name.
 * Failures are {@link dev.migrator.provider.MigratorException}s (already retried where retrying is safe).
 */
public interface SharedState extends AutoCloseable {
    /** The blob's bytes, or empty when there is none. */
    Optional<byte[]> read(String name);

    /** Creates the blob only if there is none; whether this call created it. */
    boolean create(String name, byte[] bytes);

    /** Creates or replaces the blob. */
    void write(String name, byte[] bytes);

    /** The names under {@code prefix} (ending in {@code /}), relative to it, in key order. */
    List<String> list(String prefix);

    void delete(String name);

    /** Where the state is, safe to print (no credentials). */
    String describe();

    @Override
    void close();
}
