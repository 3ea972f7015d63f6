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
}
