package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import javax.xml.stream.XMLStreamException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The lean path's ListObjectsV2 reader on answers as S3 and S3-compatible stores write them. */
class S3ListingTest {
    private static S3Listing.Page parse(String xml) throws XMLStreamException {
        return S3Listing.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsTheFieldsItUsesAndSkipsNestedOnes() throws XMLStreamException {
        S3Listing.Page page = parse("""
                <?xml version="1.0" encoding="UTF-8"?>
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <Name>media</Name><Prefix>a/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
                  <IsTruncated>true</IsTruncated>
                  <Contents>
                    <Key>a/one  </Key><LastModified>2026-12-03T09:00:01.250Z</LastModified>
                    <ETag>&quot;5289df737df57326fcdd22597afb1fac&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>
                    <Size>3</Size><Owner><ID>x</ID><Key>not the object's</Key></Owner><StorageClass>GLACIER</StorageClass>
                    <RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress></RestoreStatus>
                  </Contents>
                  <Contents><Key>a/two</Key><LastModified>2026-12-03T09:00:02Z</LastModified><ETag>"abc-2"</ETag></Contents>
                  <NextContinuationToken>t</NextContinuationToken>
                </ListBucketResult>
                """);
        assertThat(page.truncated()).isTrue();
        assertThat(page.entries()).containsExactly(
                new S3Listing.Entry("a/one  ", 3L, Instant.parse("2026-12-03T09:00:01.250Z"),
                        "\"5289df737df57326fcdd22597afb1fac\"", "GLACIER"),
                new S3Listing.Entry("a/two", null, Instant.parse("2026-12-03T09:00:02Z"), "\"abc-2\"", null));
    }

    /** S3's own form is read by position; other forms an S3-compatible store may write are read as the SDK reads them. */
    @Test
    void datesInAnyFormTheSdkReadsAreReadAsItReadsThem() throws XMLStreamException {
        for (String date : new String[]{"2026-12-03T09:00:01.250Z", "2026-12-03T09:00:01Z", "2026-12-03T09:00:01.123456789Z",
                "2024-02-29T23:59:59.999Z", "2026-12-03T10:00:01.250+01:00", "2026-12-03T09:00:01.250+0000",
                "2026-02-30T09:00:01Z" /* no such day: the SDK's fallback format takes it, and so does the listing */}) {
            assertThat(parse("<ListBucketResult><Contents><Key>k</Key><LastModified>" + date + "</LastModified></Contents>"
                    + "</ListBucketResult>").entries().get(0).lastModified()).as(date)
                    .isEqualTo(software.amazon.awssdk.utils.DateUtils.parseIso8601Date(date));
        }
        assertThatThrownBy(() -> parse("<ListBucketResult><Contents><Key>k</Key><LastModified>yesterday"
                + "</LastModified></Contents></ListBucketResult>")).isInstanceOf(SdkClientException.class)
                .hasMessageContaining("size or date");
    }

    /** With {@code encoding-type=url} keys come encoded, and the EncodingType element may follow the objects. */
    @Test
    void urlEncodedKeysAreDecodedAsTheSdkDecodesThem() throws XMLStreamException {
        S3Listing.Page page = parse("<ListBucketResult><IsTruncated>false</IsTruncated>"
                + "<Contents><Key>with+space/caf%C3%A9%01</Key><Size>0</Size></Contents>"
                + "<EncodingType>url</EncodingType></ListBucketResult>");
        assertThat(page.truncated()).isFalse();
        assertThat(page.entries()).extracting(S3Listing.Entry::key).containsExactly("with space/café\u0001");
        assertThat(parse("<ListBucketResult><Contents><Key>a+b%20</Key></Contents></ListBucketResult>").entries())
                .extracting(S3Listing.Entry::key).as("not encoded: taken as it is").containsExactly("a+b%20");
    }

    @Test
    void anAnswerThatIsNoListingIsRefusedNamingWhatItIs() {
        assertThatThrownBy(() -> parse("<html><body>proxy login</body></html>")).isInstanceOf(SdkClientException.class)
                .hasMessageContaining("<html>, not a ListObjectsV2 result");
        assertThatThrownBy(() -> parse("<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>"))
                .isInstanceOf(SdkClientException.class).hasMessageContaining("without a <Key>");
        assertThatThrownBy(() -> parse("<ListBucketResult><Contents><Key>k</Key><Size>big</Size></Contents></ListBucketResult>"))
                .isInstanceOf(SdkClientException.class).hasMessageContaining("size or date");
        assertThatThrownBy(() -> parse("<ListBucketResult><Contents><Key>k</Ke")).as("cut off")
                .isInstanceOf(XMLStreamException.class);
    }

    @Test
    void aDocumentTypeIsNotFollowed() {
        assertThatThrownBy(() -> parse("<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<ListBucketResult><Contents><Key>&x;</Key></Contents></ListBucketResult>"))
                .isInstanceOf(XMLStreamException.class);
    }
}
