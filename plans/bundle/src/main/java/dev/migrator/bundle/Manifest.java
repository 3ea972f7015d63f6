package dev.migrator.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.Database;
import dev.migrator.provider.ObjectMetadata;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * The bundle's manifest, {@code manifest.jsonl}: JSON Lines, the {@link Header} on the first line,
 * then one {@link Entry} per line, grouped by part in part order. JSON Lines so that it is written
 * and read as a stream (memory does not grow with the number of entries) and can be read with
 * {@code grep} and {@code jq} by a person. Format: docs/bundle-format.md.
 */
public final class Manifest {
    public static final String FORMAT = "migrator-bundle";
    /**
     * The newest version this reads and writes. Version 3 added a source's version history (entries with
     * {@code versionId}, {@code latest}, {@code deleteMarker}; older versions under {@code <source>/%v/}) and its
     * bucket settings; a version 2 reader refuses it (rather than restoring old versions as current objects).
     * Version 2 added entry metadata {@code contentLanguage}, {@code expires}, {@code storageClass} and
     * {@code tags}, and hashed tar names for segments too long for a file name. Versions 1 and 2 are still read.
     */
    public static final int VERSION = 3;
    /** What a bundle without any history or bucket settings is written as, so that version 2 readers read it. */
    static final int VERSION_WITHOUT_HISTORY = 2;

    static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Manifest() {
    }

    /**
     * The first line.
     *
     * @param format    always {@value #FORMAT}
     * @param version   format version; readers refuse versions they do not know
     * @param createdAt ISO-8601 instant the bundle was completed
     * @param tool      the writing tool and its version
     * @param sources   every source, in order
     * @param parts     every data part, in order
     * @param encryption how the encrypted parts are encrypted, or null when none is
     */
    public record Header(String format, int version, String createdAt, String tool, List<Source> sources, List<Part> parts,
                         EncryptionInfo encryption) {
        public Header {
            sources = List.copyOf(sources);
            parts = List.copyOf(parts);
        }

        /** An unencrypted bundle. */
        public Header(String format, int version, String createdAt, String tool, List<Source> sources, List<Part> parts) {
            this(format, version, createdAt, tool, sources, parts, null);
        }

        public long entries() {
            return sources.stream().mapToLong(Source::entries).sum();
        }

        public long bytes() {
            return sources.stream().mapToLong(Source::bytes).sum();
        }

        public long storedBytes() {
            return parts.stream().mapToLong(Part::size).sum();
        }
    }

    /**
     * One source.
     *
     * @param id      short id used in part names and entry paths ({@code s1}, {@code s2}, ...)
     * @param uri     the source's URI, redacted
     * @param kind    {@code objects} or {@code database}
     * @param entries how many entries it has
     * @param bytes   their total size
     * @param dump    for a database, what the dump is and how to restore it by hand
     * @param versions {@code "all"} when the source's whole version history is in the bundle (version 3), else null
     * @param bucketSettings the source bucket's settings when they were carried (version 3), else null
     */
    public record Source(String id, String uri, String kind, long entries, long bytes, Database.Dump dump, String versions,
                         BucketSettings bucketSettings) {
        public static final String OBJECTS = "objects";
        public static final String DATABASE = "database";
        public static final String ALL_VERSIONS = "all";

        /** A source of latest objects or a dump, without bucket settings (what version 2 holds). */
        public Source(String id, String uri, String kind, long entries, long bytes, Database.Dump dump) {
            this(id, uri, kind, entries, bytes, dump, null, null);
        }

        /** Whether the bundle holds this source's version history (older versions and delete markers). */
        public boolean hasHistory() {
            return ALL_VERSIONS.equals(versions);
        }

        /** Whether a bundle with this source needs format version 3. */
        boolean needsVersion3() {
            return hasHistory() || bucketSettings != null;
        }
    }

    /**
     * One data part: a tar archive compressed with zstd, of whole entries.
     *
     * @param name      key of the part relative to the bundle, e.g. {@code data/s1-000001.tar.zst}
     * @param source    the source id whose entries it holds
     * @param size      bytes stored
     * @param sha256    SHA-256 of the stored bytes
     * @param entries   how many entries it holds
     * @param encrypted whether the part is encrypted (always false in version 1)
     */
    public record Part(String name, String source, long size, String sha256, long entries, boolean encrypted) {
    }

    /**
     * One entry: an object (or a dump file) in a part.
     *
     * @param part         the part it is in
     * @param path         its name inside the part's tar (source id, then the encoded key)
     * @param key          the object key (or the dump file's relative path), bytes-exact
     * @param size         its size in bytes
     * @param sha256       SHA-256 of its bytes
     * @param lastModified when the source last wrote it (ISO-8601), if known
     * @param metadata     the object's metadata; absent for dump files
     * @param piece        for an object larger than a part, stored as consecutive pieces each in a part of its
     *                     own: this piece's number, from 1; null for a whole entry
     * @param pieces       how many pieces the object has; null for a whole entry
     * @param objectSha256 on the last piece: SHA-256 of the whole object
     * @param versionId    in a source with its history (version 3): the source's id of this version (S3 VersionId, GCS
     *                     generation), for a person; null otherwise
     * @param latest       in a source with its history: true on the newest entry of its key's history, else null
     * @param deleteMarker in a source with its history: true when the entry is a delete marker (0 bytes), else null
     */
    public record Entry(String part, String path, String key, long size, String sha256, String lastModified,
                        Metadata metadata, Integer piece, Integer pieces, String objectSha256, String versionId, Boolean latest,
                        Boolean deleteMarker) {
        /** A whole entry. */
        public Entry(String part, String path, String key, long size, String sha256, String lastModified, Metadata metadata) {
            this(part, path, key, size, sha256, lastModified, metadata, null, null, null);
        }

        /** An entry without version fields. */
        public Entry(String part, String path, String key, long size, String sha256, String lastModified, Metadata metadata,
                     Integer piece, Integer pieces, String objectSha256) {
            this(part, path, key, size, sha256, lastModified, metadata, piece, pieces, objectSha256, null, null, null);
        }

        boolean isPiece() {
            return pieces != null;
        }

        boolean isLatest() {
            return Boolean.TRUE.equals(latest);
        }

        boolean isDeleteMarker() {
            return Boolean.TRUE.equals(deleteMarker);
        }
    }

    /**
     * Where an entry stands in its key's history, for a source bundled with {@code --versions all}.
     *
     * @param versionId    the source's id of the version
     * @param position     its place in the key's history, from 1 (oldest)
     * @param latest       whether it is the newest entry of the history
     * @param deleteMarker whether it is a delete marker
     */
    record Version(String versionId, int position, boolean latest, boolean deleteMarker) {
        /** Whether it is the key's current object: the newest entry, not a delete marker; it keeps the key's plain tar name. */
        boolean current() {
            return latest && !deleteMarker;
        }
    }

    /**
     * How encrypted parts are encrypted.
     *
     * @param scheme         {@value Encryption#SCHEME}
     * @param keyCheck       HMAC-SHA256(key, "migrator-bundle key check"), first 16 hex digits: tells a wrong key
     *                       from damage, reveals nothing about the key
     * @param associatedData what the AEAD's associated data is
     * @param byHand         what decrypting by hand needs (see docs/bundle-format.md)
     */
    public record EncryptionInfo(String scheme, String keyCheck, String associatedData, String byHand) {
    }

    /** Object metadata as written in the manifest; absent fields are null ({@code expires} is ISO-8601). */
    public record Metadata(String contentType, String contentEncoding, String cacheControl, String contentDisposition,
                           Map<String, String> user, String contentLanguage, String expires, String storageClass,
                           Map<String, String> tags) {
        static Metadata of(ObjectMetadata m) {
            if (m == null) {
                return null;
            }
            return new Metadata(m.contentType(), m.contentEncoding(), m.cacheControl(), m.contentDisposition(),
                    m.userMetadata().isEmpty() ? null : m.userMetadata(), m.contentLanguage(),
                    m.expires() == null ? null : m.expires().toString(), m.storageClass(), m.tags().isEmpty() ? null : m.tags());
        }

        ObjectMetadata toObjectMetadata() {
            return new ObjectMetadata(contentType, contentEncoding, cacheControl, contentDisposition, user, contentLanguage,
                    expires == null ? null : dev.migrator.provider.Instants.parse(expires), storageClass, tags);
        }
    }

    /**
     * Writes manifest lines (UTF-8, one JSON value and {@code \n} each) to a stream through one generator: the same
     * bytes as {@link #line}, without a new generator and string per line. Buffers; {@link #close} flushes and closes
     * the stream.
     */
    static final class LineWriter implements Closeable {
        private static final ObjectWriter WRITER = JSON.writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
        private final JsonGenerator out;

        LineWriter(OutputStream stream) throws IOException {
            out = JSON.getFactory().createGenerator(stream, JsonEncoding.UTF8);
            out.setRootValueSeparator(null); // the newline below separates values
        }

        void write(Object value) throws IOException {
            WRITER.writeValue(out, value);
            out.writeRaw('\n');
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    static String line(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write manifest JSON", e);
        }
    }

    static <T> T parse(String line, Class<T> type) throws JsonProcessingException {
        return JSON.readValue(line, type);
    }
}
