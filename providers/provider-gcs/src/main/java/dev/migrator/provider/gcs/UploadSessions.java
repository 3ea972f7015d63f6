package dev.migrator.provider.gcs;

import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * The resumable sessions of uploads still under way, one small file per object in a folder, so that a run
 * killed with {@code kill -9} leaves the next one the session to continue. A file is written (atomically,
 * readable by its owner only: whoever holds a session URI can write to it, so it is never printed) when a session
 * starts and removed when the object is stored or the session is given up. Only whole-object identities go into
 * file names: the hash of the store's location and the object name.
 */
final class UploadSessions {
    /** A session some run started for an object: where it lives and what it was started for. */
    record Saved(String sessionUri, String fingerprint) {
    }

    private final Path folder;

    /** Sessions kept in {@code folder} (created on first use); null keeps none. */
    UploadSessions(Path folder) {
        this.folder = folder;
    }

    Optional<Saved> load(String object) {
        if (folder == null) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(file(object), StandardCharsets.UTF_8);
            // A file cut short by a crash while it was written never got renamed into place; a malformed one is ignored.
            return lines.size() == 2 ? Optional.of(new Saved(lines.get(0), lines.get(1))) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failed("reading", e);
        }
    }

    void save(String object, Saved saved) {
        if (folder == null) {
            return;
        }
        try {
            Files.createDirectories(folder);
            Path tmp = Files.createTempFile(folder, ".session-", ".tmp", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap((saved.sessionUri() + "\n" + saved.fingerprint() + "\n")
                        .getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file(object), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw failed("writing", e);
        }
    }

    void forget(String object) {
        if (folder == null) {
            return;
        }
        try {
            Files.deleteIfExists(file(object));
        } catch (IOException e) {
            throw failed("removing", e);
        }
    }

    private Path file(String object) {
        byte[] hash = Digests.sha256().digest(object.getBytes(StandardCharsets.UTF_8));
        return folder.resolve(Digests.hex(hash).substring(0, 32) + ".gcs-session");
    }

    private MigratorException failed(String doing, IOException e) {
        return new MigratorException(ErrorCode.FAILED, doing + " the upload session state in " + folder + " failed ("
                + e.getMessage() + "): check that the state folder (--state) is writable", e);
    }
}
