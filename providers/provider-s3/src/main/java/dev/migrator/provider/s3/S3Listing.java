package dev.migrator.provider.s3;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.utils.DateUtils;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * One page of a ListObjectsV2 answer, as the lean path ({@link S3Wire}) reads it: a single StAX pass that keeps the
 * fields the listing uses and skips the rest, instead of the SDK's unmarshalling into model objects. Keys and dates are
 * decoded as the SDK decodes them ({@code EncodingType url}: {@link SdkHttpUtils#urlDecode}; ISO 8601 dates).
 */
final class S3Listing {
    /** One listed object; {@code size} is null when the store left it out (some S3-compatible stores do). */
    record Entry(String key, Long size, Instant lastModified, String eTag, String storageClass) {
    }

    record Page(List<Entry> entries, boolean truncated) {
    }

    /** No DTDs, no external entities: a listing is data from the network. */
    private static final ThreadLocal<XMLInputFactory> FACTORY = ThreadLocal.withInitial(() -> {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return f;
    });

    private static final Set<String> PAGE_FIELDS = Set.of("IsTruncated", "EncodingType");
    private static final Set<String> OBJECT_FIELDS = Set.of("Key", "Size", "LastModified", "ETag",
            "StorageClass");

    private S3Listing() {
    }

    /**
     * Reads a whole {@code ListBucketResult}. A body cut off or not XML throws {@link XMLStreamException} (the next
     * attempt may get it whole); XML that is not a listing, or an object without a key, an {@link SdkClientException}.
     */
    static Page parse(InputStream in) throws XMLStreamException {
        XMLStreamReader r = FACTORY.get().createXMLStreamReader(in);
        try {
            List<Entry> entries = new ArrayList<>();
            boolean truncated = false;
            boolean urlEncoded = false;
            int depth = 0;
            boolean inContents = false;
            String key = null;
            String eTag = null;
            String storageClass = null;
            Long size = null;
            Instant modified = null;
            while (r.hasNext()) {
                int event = r.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    String name = r.getLocalName();
                    if (depth == 1 && !name.equals("ListBucketResult")) {
                        throw SdkClientException.create("the answer to a listing is <" + name
                                + ">, not a ListObjectsV2 result: is the endpoint an S3 server?");
                    }
                    if (depth == 2 && name.equals("Contents")) {
                        inContents = true;
                        key = eTag = storageClass = null;
                        size = null;
                        modified = null;
                    } else if (depth == 2 && PAGE_FIELDS.contains(name)
                            || depth == 3 && inContents && OBJECT_FIELDS.contains(name)) {
                        String text = r.getElementText();
                        depth--; // getElementText() read through the end tag
                        switch (name) {
                            case "IsTruncated" -> truncated = Boolean.parseBoolean(text.trim());
                            case "EncodingType" -> urlEncoded = text.trim().equalsIgnoreCase("url");
                            case "Key" -> key = text; // not trimmed: a key may end in spaces
                            case "Size" -> size = Long.parseLong(text.trim());
                            case "LastModified" -> modified = lastModified(text.trim());
                            case "ETag" -> eTag = text;
                            default -> storageClass = text.trim();
                        }
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    if (depth == 2 && inContents) {
                        if (key == null) {
                            throw SdkClientException.create("the listing holds an object without a <Key>");
                        }
                        entries.add(new Entry(key, size, modified, eTag, storageClass));
                        inContents = false;
                    }
                    depth--;
                }
            }
            if (urlEncoded) {
                entries.replaceAll(e -> new Entry(SdkHttpUtils.urlDecode(e.key()), e.size(), e.lastModified(), e.eTag(),
                        e.storageClass()));
            }
            return new Page(entries, truncated);
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw SdkClientException.builder().message("the listing holds a size or date that is not one: "
                    + e.getMessage()).cause(e).build();
        } finally {
            r.close();
        }
    }

    /** S3's {@code 2026-12-03T09:00:01.250Z} read by position; any other form as the SDK's listing reads it. */
    private static Instant lastModified(String text) {
        Instant utc = dev.migrator.provider.Instants.utc(text);
        return utc != null ? utc : DateUtils.parseIso8601Date(text);
    }
}
