package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.provider.local.LocalObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tags, classes, language, expiry and Unicode metadata through copy and verify, and what verify says when they differ. */
class FidelityTest {
    static final ObjectMetadata RICH = new ObjectMetadata("text/plain", null, "no-cache", null, Map.of("city", "Zürich ☕"),
            "fr", Instant.parse("2031-05-06T07:08:09Z"), "NEARLINE", Map.of("Project", "exit", "legal-hold", "yes"));

    @TempDir
    Path dir;

    CopySummary copy(ObjectStore from, ObjectStore to) {
        return copy(from, to, false);
    }

    CopySummary copy(ObjectStore from, ObjectStore to, boolean overwrite) {
        return new Copier(from, to, new CopyOptions(2, overwrite, false, dir.resolve("state/" + System.nanoTime()), CopierTest.FAST),
                Progress.NONE).run();
    }

    VerifyReport verify(ObjectStore a, ObjectStore b) {
        return new Verifier(a, b, 2, CopierTest.FAST, Progress.NONE).run();
    }

    @Test
    void copyKeepsEverythingAndVerifyFindsAChangedTag() {
        LocalObjectStore a = new LocalObjectStore(dir.resolve("a"));
        LocalObjectStore b = new LocalObjectStore(dir.resolve("b"));
        a.put("doc.txt", Content.of("bonjour".getBytes(StandardCharsets.UTF_8)), RICH);
        copy(a, b);
        assertThat(b.stat("doc.txt").orElseThrow().metadata()).isEqualTo(RICH);
        assertThat(verify(a, b).identical()).isTrue();

        b.put("doc.txt", Content.of("bonjour".getBytes(StandardCharsets.UTF_8)), RICH.withTags(Map.of("Project", "exit")));
        VerifyReport report = verify(a, b);
        assertThat(report.differences()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Difference.Kind.METADATA);
            assertThat(d.detail()).isEqualTo("tags {Project=exit, legal-hold=yes} vs {Project=exit}");
        });
        // Without --overwrite a copy refuses the object whose tags differ; with it, rewrites it.
        assertThat(copy(a, b).failed()).isEqualTo(1);
        copy(a, b, true);
        assertThat(verify(a, b).identical()).isTrue();

        b.put("doc.txt", Content.of("bonjour".getBytes(StandardCharsets.UTF_8)), RICH.withStorageClass("COLDLINE"));
        assertThat(verify(a, b).differences()).singleElement()
                .satisfies(d -> assertThat(d.detail()).isEqualTo("storage class 'COLDLINE' where 'NEARLINE' was expected"));
    }

    @Test
    void aClassIsMappedOntoS3AndAnOverrideIsExpectedByVerify() {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("dst");
            LocalObjectStore a = new LocalObjectStore(dir.resolve("a"));
            a.put("cold/1", Content.of(new byte[] {1, 2, 3}), RICH);
            a.put("hot/2", Content.of(new byte[] {4}), ObjectMetadata.EMPTY);
            try (ObjectStore target = Stores.open(s3.s3Uri("dst", ""), StoreOptions.DEFAULTS)) {
                copy(a, target);
                ObjectInfo cold = target.stat("cold/1").orElseThrow();
                assertThat(cold.metadata().storageClass()).as("GCS NEARLINE is S3 STANDARD_IA").isEqualTo("STANDARD_IA");
                assertThat(cold.metadata().contentLanguage()).isEqualTo("fr");
                assertThat(cold.metadata().expires()).isEqualTo(RICH.expires());
                assertThat(cold.metadata().userMetadata()).isEqualTo(RICH.userMetadata());
                // S3Proxy keeps no tags and says so; verify does not expect them there.
                assertThat(target.capabilities().tags()).isFalse();
                assertThat(verify(a, target).identical()).isTrue();

                ObjectStore glacier = StorageClassOverride.around(target, "GLACIER_IR");
                a.put("hot/2", Content.of(new byte[] {5}), ObjectMetadata.EMPTY);
                copy(a, glacier, true);
                // Every object that is not in the chosen class is rewritten into it (with --overwrite).
                assertThat(target.stat("hot/2").orElseThrow().metadata().storageClass()).isEqualTo("GLACIER_IR");
                assertThat(target.stat("cold/1").orElseThrow().metadata().storageClass()).isEqualTo("GLACIER_IR");
                assertThat(verify(a, glacier).identical()).as("verify expects the chosen class").isTrue();
                assertThat(verify(a, target).differences()).extracting(Difference::detail).containsExactly(
                        "storage class 'GLACIER_IR' where 'STANDARD_IA' was expected (the source's 'NEARLINE', mapped)",
                        "storage class 'GLACIER_IR' where (none) was expected");
            }
        }
    }

    @Test
    void anOverrideTheTargetDoesNotHaveIsRefusedNamingIt() {
        LocalObjectStore b = new LocalObjectStore(dir.resolve("b"));
        assertThat(StorageClassOverride.around(b, "ANYTHING")).isNotSameAs(b); // local disk keeps any name
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("dst");
            try (ObjectStore target = Stores.open(s3.s3Uri("dst", ""), StoreOptions.DEFAULTS)) {
                assertThatThrownBy(() -> StorageClassOverride.around(target, "NEARLINE"))
                        .isInstanceOf(MigratorException.class)
                        .hasMessageStartingWith("--storage-class NEARLINE is not a storage class of s3://dst/");
            }
        }
    }
}
