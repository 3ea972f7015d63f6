package dev.migrator.provider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes to be written, replayable: {@link #open()} may be called again after a failed attempt and
 * returns the same bytes from the first one. This is what lets a retry resend a whole object
 * (restic's RewindReader).
 */
public interface Content {

    /** The exact number of bytes {@link #open()} yields. */
    long size();

    /** A fresh stream over all the bytes, from the first one. The caller closes it. */
    InputStream open() throws IOException;

    /**
     * A local file whose bytes these are and that the caller gives up, or null (the default). A store
     * on the same file system may move this file into place (an atomic rename) instead of copying
     * it through {@link #open()}; after such a put the file no longer exists, so a later retry of the
     * same content fails instead of resending it. Every other store ignores it and reads
     * {@link #open()}. The store still computes its checksums from the bytes it stores, except the ones
     * {@link #known()} gives for a file it renames: the caller computed those as it wrote the file, and reading
     * it again for them would check nothing a rename moves.
     */
    default Path movableFile() {
        return null;
    }

    /**
     * Full-object checksums of these bytes already known before they are read (the source's stored values, from
     * its listing or stat), {@link Checksums#NONE} by default. A store that can have its server check a value on
     * arrival sends one of these with the write (S3 {@code x-amz-checksum-crc32c}, ...), so the server refuses
     * bytes that differ from the source's and then keeps the source's value; every other store ignores them.
     * They are a claim about the bytes, not a proof: the caller still checks what it read against them.
     */
    default Checksums known() {
        return Checksums.NONE;
    }

    /**
     * Checksums of the bytes the last stream from {@link #open()} yielded, computed as it yielded them, once it has
     * yielded exactly {@link #size()} bytes; {@link Checksums#NONE} before that, or for content that does not hash
     * its stream (the default). A store that reads the whole stream into one buffer takes its MD5 (or another
     * value it sends) from here instead of hashing that buffer again: they are the hashes of the bytes just put
     * into it. Only the kinds the content chose to compute are present; compute any other one.
     */
    default Checksums streamed() {
        return Checksums.NONE;
    }

    /**
     * Called by a store, before it {@link #open opens} the content, for a write that keeps no whole-object MD5 and
     * checks its bytes itself, by MD5s it computes over parts of them (an S3 multipart upload: Content-MD5 per part,
     * and the ETag {@code md5(part md5s)-N} compared with them). A whole-object MD5 computed while streaming would
     * then be compared with nothing the target reports; a content that computes one may leave it out of
     * {@link #streamed()}, but only if nothing else needs it: it still computes it when {@link #known()} (or whatever
     * its caller checks the bytes against) has an MD5. A store that calls this must not take MD5 from
     * {@link #streamed()}. Does nothing by default, which is always safe (the MD5 is computed, as before).
     */
    default void storeHashesParts() {
    }

    static Content of(byte[] bytes) {
        return new Content() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(bytes);
            }
        };
    }

    static Content of(Path file) throws IOException {
        return new FileContent(file, Files.size(file), false, Checksums.NONE);
    }

    /**
     * Like {@link #of(Path)}, for a file the caller no longer needs (a finished spool file): a store
     * may take it by renaming it into place (see {@link #movableFile()}).
     */
    static Content movable(Path file) throws IOException {
        return new FileContent(file, Files.size(file), true, Checksums.NONE);
    }

    /**
     * Like {@link #movable(Path)}, with the checksums the caller computed from the bytes as it wrote the file
     * ({@link #known()}).
     */
    static Content movable(Path file, Checksums known) throws IOException {
        return new FileContent(file, Files.size(file), true, known);
    }

    /** A local file's bytes; {@code movable} when the caller gives the file up; {@code known} as {@link #known()}. */
    record FileContent(Path file, long size, boolean movable, Checksums known) implements Content {
        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(file);
        }

        @Override
        public Path movableFile() {
            return movable ? file : null;
        }
    }
}
