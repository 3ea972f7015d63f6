package dev.migrator.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataNamesTest {
    private static final java.util.regex.Pattern CSHARP_IDENTIFIER = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    @Test
    void identifiersAreKeptAndEverythingElseIsEscapedReversibly() {
        assertThat(MetadataNames.toAzure("origin")).isEqualTo("origin");
        assertThat(MetadataNames.toAzure("with_underscore")).isEqualTo("with_underscore");
        assertThat(MetadataNames.toAzure("owner-id")).isEqualTo("migx_owner_2did");
        for (String name : List.of("origin", "owner-id", "x.y", "9lives", "a b", "café", "migx_native", "migx_owner_2did",
                "_", "-", "a__b", "emoji😀", "UPPER-case")) {
            String stored = MetadataNames.toAzure(name);
            assertThat(stored).as(name).matches(CSHARP_IDENTIFIER);
            assertThat(MetadataNames.fromAzure(stored)).as(name).isEqualTo(name);
            // Azure compares names case-insensitively and may answer in another case.
            assertThat(MetadataNames.fromAzure(stored.toUpperCase(java.util.Locale.ROOT)).toLowerCase(java.util.Locale.ROOT))
                    .as(name).isEqualTo(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    @Test
    void distinctNamesNeverShareAnAzureName() {
        List<String> names = List.of("a-b", "a_b", "a.b", "a_2db", "migx_a_2db", "a b");
        assertThat(names.stream().map(n -> MetadataNames.toAzure(n).toLowerCase(java.util.Locale.ROOT)).distinct())
                .hasSize(names.size());
    }

    @Test
    void valuesAzureCannotCarryAsHeadersAreEncodedReversibly() {
        for (String v : java.util.List.of("plain", "naïve ☕", " padded ", "=?UTF-8?B?eA==?=", "", "line\nbreak")) {
            String stored = AzureMetadata.encodeValue(v);
            assertThat(stored).as(v).matches("[\\x20-\\x7e]*");
            assertThat(AzureMetadata.decodeValue(stored)).as(v).isEqualTo(v);
        }
        assertThat(AzureMetadata.encodeValue("plain")).isEqualTo("plain");
    }

    @Test
    void tagsAzureCannotHoldAreRefusedNamingTheTag() {
        dev.migrator.provider.ObjectMetadata bad = dev.migrator.provider.ObjectMetadata.EMPTY.withTags(Map.of("team", "ops&dev"));
        assertThatThrownBy(() -> AzureMetadata.tags(bad, "'k' in az://a/c"))
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("'team'").contains("'k' in az://a/c").doesNotContain("\n");
                });
        // A class no provider's table knows is refused, naming Azure's tiers; another provider's class is mapped (the table).
        assertThatThrownBy(() -> AzureMetadata.tier(dev.migrator.provider.ObjectMetadata.EMPTY.withStorageClass("GOLD"), "x"))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.getMessage()).contains("Hot"));
        assertThat(AzureMetadata.tier(dev.migrator.provider.ObjectMetadata.EMPTY.withStorageClass("GLACIER"), "x").toString())
                .isEqualTo(dev.migrator.provider.StorageClasses.forTarget("GLACIER", dev.migrator.provider.StorageClasses.Family.S3,
                        dev.migrator.provider.StorageClasses.Family.AZURE, null));
    }
}
