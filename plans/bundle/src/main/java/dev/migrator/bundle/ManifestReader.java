package dev.migrator.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Reads {@code manifest.jsonl} as a stream: the header, then entries one at a time. */
final class ManifestReader implements AutoCloseable {
    private final BufferedReader reader;
    private final Manifest.Header header;
    private long line = 1;

    ManifestReader(ObjectStore bundle) {
        reader = new BufferedReader(new InputStreamReader(bundle.open(BundleLayout.MANIFEST, 0, -1), StandardCharsets.UTF_8), 1 << 16);
        try {
            String first = reader.readLine();
            header = first == null ? null : Manifest.parse(first, Manifest.Header.class);
        } catch (IOException e) {
            close();
            throw damaged(bundle, "line 1: " + e.getMessage());
        }
        if (header == null || !Manifest.FORMAT.equals(header.format()) || header.sources() == null || header.parts() == null) {
            close();
            throw damaged(bundle, "line 1 is not a " + Manifest.FORMAT + " header");
        }
        if (header.version() > Manifest.VERSION) {
            close();
            throw MigratorException.badInput(bundle.displayUri() + " is a version " + header.version()
                    + " bundle; this migrator reads up to version " + Manifest.VERSION + "; use a newer migrator");
        }
    }

    static MigratorException damaged(ObjectStore bundle, String detail) {
        return new MigratorException(ErrorCode.INTEGRITY, BundleLayout.MANIFEST + " in " + bundle.displayUri()
                + " is damaged (" + detail + "); run 'migrator bundle verify' to see what else is");
    }

    Manifest.Header header() {
        return header;
    }

    /** The next entry; throws {@code INTEGRITY} naming the line when it is unreadable or missing. */
    Manifest.Entry next() throws IOException {
        String text = reader.readLine();
        line++;
        if (text == null) {
            throw new IOException("line " + line + ": the manifest ends before its last entry");
        }
        try {
            Manifest.Entry e = Manifest.parse(text, Manifest.Entry.class);
            if (e.path() == null || e.key() == null || e.part() == null || e.sha256() == null) {
                throw new IOException("line " + line + ": an entry without path, key, part or sha256");
            }
            return e;
        } catch (JsonProcessingException e) {
            throw new IOException("line " + line + ": " + e.getOriginalMessage());
        }
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException ignored) {
            // read-only
        }
    }
}
