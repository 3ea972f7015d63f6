package dev.migrator.provider;

import static dev.migrator.provider.StorageClasses.Family.ANY;
import static dev.migrator.provider.StorageClasses.Family.AZURE;
import static dev.migrator.provider.StorageClasses.Family.GCS;
import static dev.migrator.provider.StorageClasses.Family.NONE;
import static dev.migrator.provider.StorageClasses.Family.S3;
import static dev.migrator.provider.StorageClasses.forTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.StorageClasses.Tier;
import org.junit.jupiter.api.Test;

class StorageClassesTest {
    @Test
    void classesAreKeptWithinAProviderAndOnStoresThatKeepAnyName() {
        assertThat(forTarget("ONEZONE_IA", S3, S3, null)).isEqualTo("ONEZONE_IA");
        assertThat(forTarget("DEEP_ARCHIVE", S3, ANY, null)).isEqualTo("DEEP_ARCHIVE");
        assertThat(forTarget("Cool", AZURE, AZURE, null)).isEqualTo("Cool");
        assertThat(forTarget("NEARLINE", GCS, NONE, null)).isNull();
    }

    @Test
    void classesAreMappedAcrossProvidersByTier() {
        assertThat(forTarget("STANDARD_IA", S3, GCS, null)).isEqualTo("NEARLINE");
        assertThat(forTarget("ONEZONE_IA", S3, AZURE, null)).isEqualTo("Cool");
        assertThat(forTarget("GLACIER_IR", S3, GCS, null)).isEqualTo("COLDLINE");
        assertThat(forTarget("DEEP_ARCHIVE", S3, GCS, null)).isEqualTo("ARCHIVE");
        assertThat(forTarget("GLACIER", S3, AZURE, null)).isEqualTo("Archive");
        assertThat(forTarget("COLDLINE", GCS, S3, null)).isEqualTo("GLACIER_IR");
        // GCS ARCHIVE is readable at once: never mapped to a class that needs a restore.
        assertThat(forTarget("ARCHIVE", GCS, S3, null)).isEqualTo("GLACIER_IR");
        assertThat(forTarget("ARCHIVE", GCS, AZURE, null)).isEqualTo("Cold");
        assertThat(forTarget("Archive", AZURE, S3, null)).isEqualTo("GLACIER");
        assertThat(forTarget("Cold", AZURE, GCS, null)).isEqualTo("COLDLINE");
        // Defaults are written as no class.
        assertThat(forTarget("INTELLIGENT_TIERING", S3, GCS, null)).isNull();
        assertThat(forTarget(null, GCS, S3, null)).isNull();
        // A class kept on local disk is mapped from the provider that spells it so.
        assertThat(forTarget("NEARLINE", ANY, S3, null)).isEqualTo("STANDARD_IA");
        assertThat(forTarget("Archive", ANY, GCS, null)).isEqualTo("ARCHIVE");
        assertThat(forTarget("ARCHIVE", ANY, AZURE, null)).isEqualTo("Cold");
        // An unknown name is dropped across providers.
        assertThat(forTarget("SNOW", S3, GCS, null)).isNull();
    }

    @Test
    void anOverrideWinsAndIsCheckedAgainstTheTarget() {
        assertThat(forTarget("STANDARD", S3, S3, "GLACIER")).isEqualTo("GLACIER");
        StorageClasses.checkOverride("NEARLINE", GCS, "gs://b/");
        assertThatThrownBy(() -> StorageClasses.checkOverride("NEARLINE", S3, "s3://b/"))
                .isInstanceOf(MigratorException.class)
                .hasMessage("--storage-class NEARLINE is not a storage class of s3://b/; use one of DEEP_ARCHIVE, "
                        + "EXPRESS_ONEZONE, GLACIER, GLACIER_IR, INTELLIGENT_TIERING, ONEZONE_IA, REDUCED_REDUNDANCY, "
                        + "STANDARD, STANDARD_IA")
                .satisfies(e -> assertThat(((MigratorException) e).code()).isEqualTo(ErrorCode.BAD_INPUT));
    }

    @Test
    void tiersAndDefaults() {
        assertThat(StorageClasses.tier(S3, "GLACIER")).contains(Tier.ARCHIVE_OFFLINE);
        assertThat(StorageClasses.tier(GCS, "ARCHIVE")).contains(Tier.ARCHIVE_ONLINE);
        assertThat(StorageClasses.tier(S3, "ARCHIVE")).isEmpty();
        assertThat(StorageClasses.tier(AZURE, null)).contains(Tier.HOT);
        assertThat(Tier.ARCHIVE_OFFLINE.needsRestore()).isTrue();
        assertThat(StorageClasses.sameClass(null, "STANDARD")).isTrue();
        assertThat(StorageClasses.sameClass("Hot", null)).isTrue();
        assertThat(StorageClasses.sameClass("ARCHIVE", "Archive")).isFalse();
    }
}
