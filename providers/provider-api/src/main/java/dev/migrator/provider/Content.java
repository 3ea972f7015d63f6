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
        long size = Files.size(file);
        return new Content() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }
        };
    }
}
