package dev.migrator.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
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
        } catch (JsonProcessingException e) {
            close();
            throw malformed(bundle, "line 1" + field(e) + ": " + reason(e));
        } catch (IOException e) {
            close();
            throw damaged(bundle, "line 1: " + e.getMessage());
        }
        if (header == null || !Manifest.FORMAT.equals(header.format()) || header.sources() == null || header.parts() == null) {
            close();
            throw damaged(bundle, "line 1 is not a " + Manifest.FORMAT + " header");
        }
        String bad = checkHeader(header);
        if (bad != null) {
            close();
            throw malformed(bundle, "line 1, " + bad);
        }
        if (header.version() > Manifest.VERSION) {
            close();
            throw MigratorException.badInput(bundle.displayUri() + " is a version " + header.version()
                    + " bundle; this migrator reads up to version " + Manifest.VERSION + "; use a newer migrator");
        }
    }

    /** What an {@link IOException} of {@link #next} means for the run: a malformed field is bad input, anything else damage. */
    static MigratorException failure(ObjectStore bundle, IOException e) {
        return e instanceof Malformed ? malformed(bundle, e.getMessage()) : damaged(bundle, e.getMessage());
    }

    static MigratorException damaged(ObjectStore bundle, String detail) {
        return new MigratorException(ErrorCode.INTEGRITY, BundleLayout.MANIFEST + " in " + bundle.displayUri()
                + " is damaged (" + detail + "); run 'migrator bundle verify' to see what else is");
    }

    /** A field that cannot be what it says (a negative size, a number out of range, text for a number): bad input, exit 2. */
    static MigratorException malformed(ObjectStore bundle, String detail) {
        return MigratorException.badInput(BundleLayout.MANIFEST + " in " + bundle.displayUri() + " is malformed (" + detail
                + "); it was not written by migrator or was damaged; run 'migrator bundle verify' to see what else is");
    }

    /** {@code ", field 'size'"} when Jackson knows which field it could not read. */
    private static String field(JsonProcessingException e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                path.append(r.getFieldName() != null ? (path.length() == 0 ? "" : ".") + r.getFieldName() : "[" + r.getIndex() + "]");
            }
            return ", field '" + path + "'";
        }
        return "";
    }

    /** Jackson's reason without its class names and source excerpts: the first sentence of its message. */
    private static String reason(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "not valid JSON" : e.getOriginalMessage();
        if (m.contains("out of range")) {
            return "a number out of range";
        }
        if (m.startsWith("Cannot deserialize") || m.startsWith("Cannot coerce")) {
            return "a value of the wrong type";
        }
        int cut = m.indexOf('\n');
        m = cut < 0 ? m : m.substring(0, cut);
        return m.replaceAll("\\(class [^)]*\\)", "").replaceAll("[a-z]+(\\.[a-z]+)+\\.[A-Z][A-Za-z$]*", "").strip();
    }

    private static final java.util.regex.Pattern SHA256 = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    /** The first field of the header that cannot be right, as {@code "field 'parts[2].size': -1 is negative"}, or null. */
    private static String checkHeader(Manifest.Header h) {
        for (int i = 0; i < h.sources().size(); i++) {
            Manifest.Source s = h.sources().get(i);
            String at = "field 'sources[" + i + "].";
            if (s == null || s.id() == null || s.kind() == null) {
                return "sources[" + i + "]: a source without id or kind";
            }
            if (s.entries() < 0) {
                return at + "entries': " + s.entries() + " is negative";
            }
            if (s.bytes() < 0) {
                return at + "bytes': " + s.bytes() + " is negative";
            }
        }
        for (int i = 0; i < h.parts().size(); i++) {
            Manifest.Part p = h.parts().get(i);
            String at = "field 'parts[" + i + "].";
            if (p == null || p.name() == null || p.source() == null) {
                return "parts[" + i + "]: a part without name or source";
            }
            if (p.size() < 0) {
                return at + "size': " + p.size() + " is negative";
            }
            if (p.entries() < 0) {
                return at + "entries': " + p.entries() + " is negative";
            }
            if (p.sha256() == null || !SHA256.matcher(p.sha256()).matches()) {
                return at + "sha256': not 64 hex digits";
            }
        }
        return null;
    }

    /** The first field of an entry that cannot be right, or null. */
    private static String checkEntry(Manifest.Entry e) {
        if (e.path() == null || e.key() == null || e.part() == null || e.sha256() == null) {
            return "an entry without path, key, part or sha256";
        }
        if (e.size() < 0) {
            return "field 'size': " + e.size() + " is negative";
        }
        if (!SHA256.matcher(e.sha256()).matches()) {
            return "field 'sha256': not 64 hex digits";
        }
        if ((e.piece() == null) != (e.pieces() == null)) {
            return "field '" + (e.piece() == null ? "piece" : "pieces") + "' is missing (an entry has both or neither)";
        }
        if (e.piece() != null && (e.piece() < 1 || e.pieces() < 1 || e.piece() > e.pieces())) {
            return "field 'piece': " + e.piece() + " of " + e.pieces() + " is out of range";
        }
        if (e.piece() != null && e.piece().equals(e.pieces()) && (e.objectSha256() == null || !SHA256.matcher(e.objectSha256()).matches())) {
            return "field 'objectSha256': not 64 hex digits";
        }
        if (e.isDeleteMarker() && (e.size() != 0 || e.isPiece())) {
            return "field 'size': a delete marker holds no bytes, this one " + e.size();
        }
        if (e.metadata() != null && e.metadata().expires() != null) {
            try {
                dev.migrator.provider.Instants.parse(e.metadata().expires());
            } catch (java.time.format.DateTimeParseException bad) {
                return "field 'metadata.expires': '" + e.metadata().expires() + "' is not an ISO-8601 instant";
            }
        }
        return null;
    }

    Manifest.Header header() {
        return header;
    }

    /** The line number of the entry {@link #next} returned last. */
    long line() {
        return line;
    }

    /** The next entry; throws naming the line when it is unreadable or missing ({@link Malformed} for a bad field). */
    Manifest.Entry next() throws IOException {
        Manifest.Entry e = nextIfAny();
        if (e == null) {
            throw new IOException("line " + line + ": the manifest ends before its last entry");
        }
        return e;
    }

    /** The next entry, or null at the end of the manifest. */
    Manifest.Entry nextIfAny() throws IOException {
        String text = reader.readLine();
        line++;
        if (text == null) {
            return null;
        }
        Manifest.Entry e;
        try {
            e = Manifest.parse(text, Manifest.Entry.class);
        } catch (JsonProcessingException bad) {
            throw new Malformed("line " + line + field(bad) + ": " + reason(bad));
        }
        String bad = e == null ? "not an entry" : checkEntry(e);
        if (bad != null) {
            throw new Malformed("line " + line + ", " + bad);
        }
        return e;
    }

    /** A manifest line that does not parse or has a field that cannot be right; its message names the line and field. */
    static final class Malformed extends IOException {
        Malformed(String detail) {
            super(detail);
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
