package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.local.LocalObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifierTest {
    @TempDir
    Path dir;

    @Test
    void findsEveryKindOfDifference() throws Exception {
        LocalObjectStore a = new LocalObjectStore(dir.resolve("a"));
        LocalObjectStore b = new LocalObjectStore(dir.resolve("b"));
        ObjectMetadata meta = new ObjectMetadata("text/plain", null, null, null, Map.of("x", "1"));
        for (String k : new String[] {"same", "missing", "bytes", "meta", "size"}) {
            a.put(k, Content.of(("v-" + k).getBytes(StandardCharsets.UTF_8)), meta);
        }
        b.put("same", Content.of("v-same".getBytes(StandardCharsets.UTF_8)), meta);
        b.put("bytes", Content.of("v-bytes".getBytes(StandardCharsets.UTF_8)), meta);
        // Same size, different bytes, written behind the store's back: no checksum to compare, so both are read.
        Files.writeString(dir.resolve("b/bytes"), "v-bytez");
        Files.setLastModifiedTime(dir.resolve("b/bytes"), FileTime.from(Instant.parse("2021-01-01T00:00:00Z")));
        b.put("meta", Content.of("v-meta".getBytes(StandardCharsets.UTF_8)), meta.withContentType("text/html"));
        b.put("size", Content.of("v-size!".getBytes(StandardCharsets.UTF_8)), meta);
        b.put("zextra", Content.of(new byte[1]), ObjectMetadata.EMPTY);

        VerifyReport report = new Verifier(a, b, 3, CopierTest.FAST, Progress.NONE).run();
        assertThat(report.identical()).isFalse();
        assertThat(report.sourceCount()).isEqualTo(5);
        assertThat(report.targetCount()).isEqualTo(5);
        assertThat(report.differences()).extracting(Difference::key, Difference::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple("bytes", Difference.Kind.CONTENT),
                org.assertj.core.groups.Tuple.tuple("meta", Difference.Kind.METADATA),
                org.assertj.core.groups.Tuple.tuple("missing", Difference.Kind.MISSING),
                org.assertj.core.groups.Tuple.tuple("size", Difference.Kind.CONTENT),
                org.assertj.core.groups.Tuple.tuple("zextra", Difference.Kind.EXTRA));
    }

    @Test
    void identicalStoresAreIdentical() {
        LocalObjectStore a = new LocalObjectStore(dir.resolve("a"));
        LocalObjectStore b = new LocalObjectStore(dir.resolve("b"));
        a.put("k", Content.of(new byte[] {1, 2}), ObjectMetadata.EMPTY);
        b.put("k", Content.of(new byte[] {1, 2}), ObjectMetadata.EMPTY.withContentType("application/octet-stream"));
        VerifyReport report = new Verifier(a, b, 2, CopierTest.FAST, Progress.NONE).run();
        assertThat(report.identical()).isTrue();
        assertThat(report.compared()).isEqualTo(1);
    }
}
