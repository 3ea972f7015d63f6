package dev.migrator.provider;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * An exclusive lock on a state directory, held for the length of a run, so that the same command
 * started twice cannot do its work twice (a plan's switch hook run twice). The lock is an OS file
 * lock on {@code DIR/lock}: it is released when the process ends, however it ends, so a crash or
 * {@code kill -9} never leaves a stale lock. The file holds the holder (pid, host, start time,
 * what it runs) for the message a second run gets; it is left in place on release.
 */
public final class StateLock implements AutoCloseable {
    static final String FILE = "lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code dir} (created if needed) for {@code what} (e.g. "copy s3://a/ file:///b/").
     * Throws {@link ErrorCode#BAD_INPUT} naming the holder when another run has it.
     */
    public static StateLock acquire(Path dir, String what) {
        Path file = dir.resolve(FILE);
        FileChannel ch = null;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                l = null;
            }
            if (l == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                ch.close();
                throw MigratorException.badInput("the state directory " + dir + " is in use by another run"
                        + (holder.isEmpty() ? "" : " (" + holder + ")")
                        + "; wait for it to finish or stop it, or use another --state directory");
            }
            String me = "pid " + ProcessHandle.current().pid() + " on " + host() + " since " + Instant.now() + ": " + what;
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(true);
            return new StateLock(ch, l);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new MigratorException(ErrorCode.BAD_INPUT, "cannot lock the state directory " + dir + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + " (use --state DIR to put it in a writable directory)", e);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String name = ManagementFactory.getRuntimeMXBean().getName();
            int at = name.indexOf('@');
            return at < 0 ? "this host" : name.substring(at + 1);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing held
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
    }
}
