package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectMetadataTest {
    @Test
    void contentTypesCompareAsHttpMeansThem() {
        assertThat(ObjectMetadata.sameContentType("text/plain; charset=utf-8", "text/plain;charset=utf-8")).isTrue();
        assertThat(ObjectMetadata.sameContentType("Image/JPEG", "image/jpeg")).isTrue();
        assertThat(ObjectMetadata.sameContentType(null, "binary/octet-stream")).isTrue();
        assertThat(ObjectMetadata.sameContentType("application/octet-stream", null)).isTrue();
        assertThat(ObjectMetadata.sameContentType("text/plain", "text/html")).isFalse();
        assertThat(ObjectMetadata.sameContentType("text/plain", null)).isFalse();
    }

    @Test
    void userMetadataKeysAreLowerCasedAndEverythingElseMustMatch() {
        ObjectMetadata a = new ObjectMetadata("a/b", "gzip", "no-cache", "inline", Map.of("Owner", "x"));
        ObjectMetadata b = new ObjectMetadata("a/b", "gzip", "no-cache", "inline", Map.of("owner", "x"));
        assertThat(a).isEqualTo(b);
        assertThat(a.sameAs(b)).isTrue();
        assertThat(a.sameAs(new ObjectMetadata("a/b", null, "no-cache", "inline", Map.of("owner", "x")))).isFalse();
        assertThat(a.sameAs(new ObjectMetadata("a/b", "gzip", "no-cache", "inline", Map.of("owner", "y")))).isFalse();
    }

    @Test
    void languageExpiryClassAndTagsTakePartInEquality() {
        java.time.Instant when = java.time.Instant.parse("2027-01-01T00:00:00.250Z");
        ObjectMetadata a = new ObjectMetadata("a/b", null, null, null, Map.of("Ünïcode", "café ☕"), "de-CH", when,
                "STANDARD", Map.of("Project", "x", "team", "Ops"));
        ObjectMetadata b = ObjectMetadata.EMPTY.withContentType("a/b").withContentLanguage("de-CH")
                .withExpires(java.time.Instant.parse("2027-01-01T00:00:00Z"))
                .withTags(Map.of("team", "Ops", "Project", "x"));
        b = new ObjectMetadata(b.contentType(), null, null, null, Map.of("ünïcode", "café ☕"), b.contentLanguage(),
                b.expires(), b.storageClass(), b.tags());
        assertThat(a.expires()).isEqualTo(b.expires());
        assertThat(a.sameAs(b)).as("STANDARD is the default class").isTrue();
        assertThat(a.sameAs(b.withTags(Map.of("project", "x", "team", "Ops")))).as("tag keys keep case").isFalse();
        assertThat(a.sameAs(b.withStorageClass("STANDARD_IA"))).isFalse();
        assertThat(a.sameAs(b.withContentLanguage("de"))).isFalse();
        assertThat(a.sameAs(b.withExpires(null))).isFalse();
        assertThat(a.withStorageClass(null).withTags(null)).isEqualTo(b.withTags(Map.of()));
        assertThat(ObjectMetadata.EMPTY.withTags(Map.of()).isEmpty()).isTrue();
        assertThat(ObjectMetadata.EMPTY.withStorageClass("GLACIER").isEmpty()).isFalse();
    }
}
