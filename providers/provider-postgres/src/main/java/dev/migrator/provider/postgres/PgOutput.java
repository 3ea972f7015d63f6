package dev.migrator.provider.postgres;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the messages of PostgreSQL's {@code pgoutput} plugin, protocol version 1 (the "Logical Replication
 * Message Formats" chapter of the PostgreSQL manual). Version 1 sends a transaction only once it committed, so
 * transactions arrive whole and in commit order; a large one is spilled to disk by the server, not held here.
 */
final class PgOutput {
    private PgOutput() {
    }

    /** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    sealed interface Message permits Begin, Commit, Relation, Change, Truncate, LogicalMessage, Other {
    }

    /** {@code finalLsn}: the commit record's LSN; {@code commitMicros}: Unix microseconds. */
    record Begin(long finalLsn, long commitMicros, int xid) implements Message {
    }

    /** {@code endLsn}: just past the commit record: where a restart continues. */
    record Commit(long commitLsn, long endLsn, long commitMicros) implements Message {
    }

    /** A table's shape; {@code key[i]} says column i is part of the replica identity. */
    record Relation(int oid, String schema, String name, char identity, List<String> columns, List<Integer> types,
                    boolean[] key) implements Message {
        String qualified() {
            return PgCatalog.quoteIdent(schema) + "." + PgCatalog.quoteIdent(name);
        }
    }

    /** One value of a tuple: {@link #NULL}, {@link #UNCHANGED} (a TOASTed value the change did not touch) or text. */
    record Value(char kind, String text) {
        static final Value NULL = new Value('n', null);
        static final Value UNCHANGED = new Value('u', null);
    }

    /**
     * An insert ('I'), update ('U') or delete ('D'); {@code old} is the old key ('K') or whole old row ('O', replica
     * identity full), or null when the key did not change; {@code row} is the new row (null for a delete).
     */
    record Change(char op, int relation, char oldKind, Value[] old, Value[] row) implements Message {
    }

    record Truncate(List<Integer> relations, boolean cascade, boolean restartIdentity) implements Message {
    }

    /** A message written with {@code pg_logical_emit_message}. */
    record LogicalMessage(boolean transactional, long lsn, String prefix, String content) implements Message {
    }

    /** Origin, type and other messages migrator does not need. */
    record Other(char tag) implements Message {
    }

    static Message decode(ByteBuffer b) {
        char tag = (char) b.get();
        return switch (tag) {
            case 'B' -> new Begin(b.getLong(), unixMicros(b.getLong()), b.getInt());
            case 'C' -> {
                b.get(); // flags, unused
                yield new Commit(b.getLong(), b.getLong(), unixMicros(b.getLong()));
            }
            case 'R' -> {
                int oid = b.getInt();
                String schema = string(b);
                String name = string(b);
                char identity = (char) b.get();
                int n = b.getShort();
                List<String> columns = new ArrayList<>(n);
                List<Integer> types = new ArrayList<>(n);
                boolean[] key = new boolean[n];
                for (int i = 0; i < n; i++) {
                    key[i] = (b.get() & 1) != 0;
                    columns.add(string(b));
                    types.add(b.getInt());
                    b.getInt(); // type modifier
                }
                yield new Relation(oid, schema, name, identity, List.copyOf(columns), List.copyOf(types), key);
            }
            case 'I' -> {
                int rel = b.getInt();
                b.get(); // 'N'
                yield new Change('I', rel, ' ', null, tuple(b));
            }
            case 'U' -> {
                int rel = b.getInt();
                char kind = (char) b.get();
                Value[] old = null;
                char oldKind = ' ';
                if (kind == 'K' || kind == 'O') {
                    oldKind = kind;
                    old = tuple(b);
                    b.get(); // 'N'
                }
                yield new Change('U', rel, oldKind, old, tuple(b));
            }
            case 'D' -> {
                int rel = b.getInt();
                char kind = (char) b.get();
                yield new Change('D', rel, kind, tuple(b), null);
            }
            case 'T' -> {
                int n = b.getInt();
                int options = b.get();
                List<Integer> rels = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    rels.add(b.getInt());
                }
                yield new Truncate(List.copyOf(rels), (options & 1) != 0, (options & 2) != 0);
            }
            case 'M' -> {
                boolean transactional = (b.get() & 1) != 0;
                long lsn = b.getLong();
                String prefix = string(b);
                byte[] content = new byte[b.getInt()];
                b.get(content);
                yield new LogicalMessage(transactional, lsn, prefix, new String(content, StandardCharsets.UTF_8));
            }
            default -> new Other(tag);
        };
    }

    private static long unixMicros(long pgMicros) {
        return pgMicros + PG_EPOCH_MICROS;
    }

    private static Value[] tuple(ByteBuffer b) {
        int n = b.getShort();
        Value[] values = new Value[n];
        for (int i = 0; i < n; i++) {
            char kind = (char) b.get();
            values[i] = switch (kind) {
                case 'n' -> Value.NULL;
                case 'u' -> Value.UNCHANGED;
                case 't' -> {
                    byte[] text = new byte[b.getInt()];
                    b.get(text);
                    yield new Value('t', new String(text, StandardCharsets.UTF_8));
                }
                default -> throw new IllegalStateException("pgoutput sent a value of kind '" + kind
                        + "', which protocol version 1 does not have");
            };
        }
        return values;
    }

    private static String string(ByteBuffer b) {
        int start = b.position();
        int end = start;
        while (b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - start];
        b.get(bytes);
        b.get(); // the terminating zero
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
