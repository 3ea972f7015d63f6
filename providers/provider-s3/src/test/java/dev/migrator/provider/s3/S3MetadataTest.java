package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.Checksums;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** What S3 sends and returns that S3Proxy cannot show: RFC 2047 words, tagging strings, composite checksums, archived objects. */
class S3MetadataTest {
    /** The by-position reading of HTTP dates gives what the SDK's parser gives, for every form a server may send. */
    @Test
    void httpDatesReadAsTheSdkReadsThem() {
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < 20_000; i++) {
            java.time.Instant t = java.time.Instant.ofEpochSecond(random.nextLong(4_102_444_800L)); // 1970 to 2100
            String sent = software.amazon.awssdk.utils.DateUtils.formatRfc822Date(t);
            assertThat(dev.migrator.provider.Instants.imfFixdate(sent)).as(sent).isEqualTo(t);
        }
        for (String other : new String[] {"Thu, 3 Dec 2026 09:00:00 GMT", "Thu, 03 Dec 2026 09:00:00 +0000",
                "Wed, 03 Dec 2026 09:00:00 GMT", "Mon, 29 Feb 2027 09:00:00 GMT", "Thu, 03 Dec 2026 24:00:00 GMT",
                "Thu, 03 Dez 2026 09:00:00 GMT", "Thu, 03 Dec 2026 0x:00:00 GMT", "Thursday, 03-Dec-26 09:00:00 GMT", "", "soon"}) {
            assertThat(dev.migrator.provider.Instants.imfFixdate(other)).as(other).isNull();
            java.time.Instant sdk;
            try {
                sdk = software.amazon.awssdk.utils.DateUtils.parseRfc822Date(other);
            } catch (RuntimeException e) {
                sdk = null;
            }
            assertThat(S3Metadata.date(other)).as(other).isEqualTo(sdk);
        }
    }

    @Test
    void nonAsciiValuesTravelAsRfc2047WordsAndComeBackAsTheyWere() {
        ObjectMetadata m = new ObjectMetadata(null, null, null, null, Map.of("city", "Zürich – 東京", "plain", "ok", "looks", "=?x?="));
        Map<String, String> sent = S3Metadata.userMetadata(m, "s3://b/k");
        assertThat(sent.get("plain")).isEqualTo("ok");
        assertThat(sent.get("city")).isEqualTo("=?UTF-8?B?WsO8cmljaCDigJMg5p2x5Lqs?=");
        assertThat(S3Metadata.decodeUserMetadata(sent)).isEqualTo(m.userMetadata());
        // As S3 itself may return a long value: several words, Q-encoding too.
        assertThat(S3Metadata.decodeWords("=?UTF-8?B?WsO8?= =?UTF-8?Q?rich_=E2=80=93?=")).isEqualTo("Zürich –");
        assertThat(S3Metadata.decodeWords("no words here")).isEqualTo("no words here");
    }

    @Test
    void aPutWithoutUserMetadataSetsNoMapSoTheSdkDoesNotRebuildIt() {
        PutObjectRequest.Builder none =
                PutObjectRequest.builder().bucket("b").key("k");
        S3Metadata.apply(ObjectMetadata.EMPTY, none, "s3://b/k");
        assertThat(none.build().hasMetadata()).isFalse();
        PutObjectRequest.Builder some =
                PutObjectRequest.builder().bucket("b").key("k");
        S3Metadata.apply(new ObjectMetadata(null, null, null, null, Map.of("a", "1")), some, "s3://b/k");
        assertThat(some.build().metadata()).containsExactly(Map.entry("a", "1"));
    }

    @Test
    void aNonAsciiKeyIsRefusedNamingIt() {
        ObjectMetadata m = new ObjectMetadata(null, null, null, null, Map.of("größe", "1"));
        assertThatThrownBy(() -> S3Metadata.userMetadata(m, "s3://b/k"))
                .isInstanceOf(MigratorException.class)
                .hasMessageStartingWith("user metadata key 'größe' of s3://b/k is not ASCII");
    }

    @Test
    void tagsAreAQueryStringBothWays() {
        ObjectMetadata m = ObjectMetadata.EMPTY.withTags(Map.of("Project", "exit 2026", "e=mc2", "a&b", "ü", "+"));
        String tagging = S3Metadata.tagging(m);
        assertThat(tagging).isEqualTo("Project=exit%202026&e%3Dmc2=a%26b&%C3%BC=%2B");
        assertThat(S3Metadata.parseTagging(tagging)).isEqualTo(m.tags());
        assertThat(S3Metadata.tagging(ObjectMetadata.EMPTY)).isNull();
    }

    @Test
    void classesFromOtherProvidersAreSentAsS3Names() {
        assertThat(S3Metadata.storageClass(ObjectMetadata.EMPTY.withStorageClass("COLDLINE"))).isEqualTo("GLACIER_IR");
        assertThat(S3Metadata.storageClass(ObjectMetadata.EMPTY.withStorageClass("ONEZONE_IA"))).isEqualTo("ONEZONE_IA");
        assertThat(S3Metadata.storageClass(ObjectMetadata.EMPTY.withStorageClass("Hot"))).isNull();
    }

    @Test
    void onlyFullObjectChecksumsAreKept() {
        String crc32 = Checksums.base64OfHex("cbf43926");
        String crc32c = Checksums.base64OfHex("e3069283");
        String crc64 = Checksums.base64OfHex("ae8b14860a799888");
        Checksums full = S3Metadata.checksums(Checksums.NONE, crc32, crc32c, crc64, null, ChecksumType.FULL_OBJECT);
        assertThat(full).isEqualTo(new Checksums(null, "cbf43926", "e3069283", "ae8b14860a799888", null));
        // A multipart upload's COMPOSITE CRC32C is a checksum of the parts' checksums: never compared.
        Checksums composite = S3Metadata.checksums(Checksums.NONE, null, crc32c + "-3", crc64, null, ChecksumType.COMPOSITE);
        assertThat(composite).isEqualTo(new Checksums(null, null, null, "ae8b14860a799888", null));
        assertThat(S3Metadata.checksums(Checksums.NONE, null, crc32c, null, null, ChecksumType.COMPOSITE).isEmpty()).isTrue();
    }

    @Test
    void anArchivedObjectIsNotReportedAsACredentialProblem() {
        S3Errors errors = new S3Errors(S3Location.parse(URI.create("s3://media/")), () -> true);
        S3Exception archived = (S3Exception) S3Exception.builder().statusCode(403)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidObjectState")
                        .errorMessage("The operation is not valid for the object's storage class").build()).build();
        MigratorException e = errors.translate(archived, "reading s3://media/old.tar");
        assertThat(e.code()).isEqualTo(ErrorCode.FAILED);
        assertThat(e.getMessage()).startsWith("reading s3://media/old.tar: the object is archived and cannot be read until it is restored")
                .doesNotContain("credentials");
    }
}
