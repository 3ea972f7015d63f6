package dev.migrator.provider.postgres;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ToolProcess;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * A named pipe (FIFO) between two tools, so the writer can start before its reader: pg_dump reads the source's
 * catalog while the target database is still being created. The bytes go from tool to tool through the kernel, never
 * through the JVM.
 *
 * <p>Contract: {@link #make} starts creating it (in a new directory only this user can enter); {@link #open} waits
 * for that and holds it open read-write, so opening the writer's end does not block and what the writer writes before
 * the reader comes stays in the pipe (a full pipe only makes the writer wait); {@link #release} lets go once both ends
 * are open, so the reader sees the end when the writer closes; {@link #close} deletes it (open ends keep working) and
 * its directory. The caller opens both ends before it releases, e.g. as the tools' stdout and stdin
 * ({@link ProcessBuilder#redirectOutput(java.io.File)}, {@link ProcessBuilder#redirectInput(java.io.File)}, which this
 * process opens as it starts them): a tool that opened its end itself, after the release, could find no other end
 * and wait forever (a reader would instead see an early end). One thread uses it.
 */
final class NamedPipe implements AutoCloseable {
    private final Path dir;
    private final Path path;
    private ToolProcess making;
    private RandomAccessFile held;

    private NamedPipe(Path dir) {
        this.dir = dir;
        this.path = dir.resolve("pipe");
    }

    /** Starts making the pipe (the JDK cannot: POSIX mkfifo, mode 0600); {@link #open} waits for it. */
    static NamedPipe make(String what) {
        Path dir;
        try {
            dir = Files.createTempDirectory("migrator-pipe-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (IOException | UnsupportedOperationException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot create a private temporary directory for the pipe "
                    + what + ": " + e.getMessage(), e);
        }
        NamedPipe pipe = new NamedPipe(dir);
        try {
            pipe.making = ToolProcess.start(new ProcessBuilder("mkfifo", "-m", "600", pipe.path.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD), Map.of(), "coreutils (mkfifo)");
        } catch (RuntimeException e) {
            pipe.close();
            throw e;
        }
        return pipe;
    }

    /** Where the tools open it. */
    Path path() {
        return path;
    }

    /** Waits until the pipe exists and holds it open (O_RDWR, which never blocks on a FIFO). */
    void open() {
        int code = making.await()[0];
        if (code != 0) {
            throw new MigratorException(ErrorCode.FAILED, "cannot create the pipe " + path + ": " + making.describe(0, code));
        }
        try {
            held = new RandomAccessFile(path.toFile(), "rw");
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot open the pipe " + path + ": " + e.getMessage(), e);
        }
    }

    /** Lets go of the pipe: call once both the writer's and the reader's ends are open. */
    void release() {
        if (held != null) {
            try {
                held.close();
            } catch (IOException e) {
                // closing a pipe end loses nothing: the tools hold their own
            }
            held = null;
        }
    }

    @Override
    public void close() {
        if (making != null) {
            making.close();
        }
        release();
        try {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // an empty directory or a pipe left in the temporary directory holds no data
        }
    }
}
