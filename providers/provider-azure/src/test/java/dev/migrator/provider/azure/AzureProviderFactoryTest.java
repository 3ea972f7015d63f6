package dev.migrator.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Redaction;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URI forms, credentials and their redaction; no server needed (opening a store does no I/O). */
class AzureProviderFactoryTest {
    private static final String KEY = "c2VjcmV0LWtleS1ieXRlcysvPQ==";
    private static final String SAS = "sv=2024-08-04&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&sig=AbC%2Bd%2Fe%3D";

    private static ObjectStore open(AzureProviderFactory f, String uri) {
        return f.objectStore(URI.create(uri), StoreOptions.DEFAULTS);
    }

    @Test
    void declaredSecretsAreNeverShown() {
        String uri = "az://acct/media/p?account-key=" + java.net.URLEncoder.encode(KEY, java.nio.charset.StandardCharsets.UTF_8)
                + "&endpoint=http://127.0.0.1:10000";
        assertThat(Stores.factoryFor(URI.create(uri)).secretParameters()).contains("account-key", "sas");
        assertThat(Redaction.uri(uri)).doesNotContain("c2VjcmV0").contains("account-key=***");
        String sasUri = "az://acct/media?sas=" + java.net.URLEncoder.encode(SAS, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Redaction.uri(sasUri)).isEqualTo("az://acct/media?sas=***");
        try (ObjectStore s = Stores.openAdapter(uri, StoreOptions.DEFAULTS)) {
            assertThat(s.displayUri()).doesNotContain("c2VjcmV0").doesNotContain("%2F%3D");
        }
        try (ObjectStore s = Stores.openAdapter(sasUri, StoreOptions.DEFAULTS)) {
            assertThat(s.displayUri()).doesNotContain("sig").doesNotContain("AbC");
        }
        // A bad URI's message shows the redacted URI, not the key.
        assertThatThrownBy(() -> Stores.openAdapter("az://acct/media?account-key=" + KEY + "&bogus=1", StoreOptions.DEFAULTS))
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("bogus").doesNotContain("c2VjcmV0");
                });
    }

    @Test
    void locationNamesTheEndpointHostAccountContainerAndPrefix() {
        AzureProviderFactory f = new AzureProviderFactory(Map.of("AZURE_STORAGE_KEY", KEY)::get);
        try (ObjectStore s = open(f, "az://acct/media/photos")) {
            assertThat(s.location()).isEqualTo("az://acct.blob.core.windows.net/acct/media/photos/");
        }
        try (ObjectStore s = open(f, "az://devstoreaccount1/media?endpoint=http://127.0.0.1:10000")) {
            assertThat(s.location()).isEqualTo("az://127.0.0.1:10000/devstoreaccount1/media/");
        }
        try (ObjectStore s = open(f, "az://devstoreaccount1/media?endpoint=http://127.0.0.1:10000/devstoreaccount1")) {
            assertThat(s.location()).isEqualTo("az://127.0.0.1:10000/devstoreaccount1/media/");
        }
    }

    @Test
    void badUrisAreOneLineNamingWhatToFix() {
        AzureProviderFactory f = new AzureProviderFactory(Map.of("AZURE_STORAGE_KEY", KEY)::get);
        for (String[] c : new String[][] {
                {"az:///media", "names no account"},
                {"az://acct", "names no container"},
                {"az://Acct/media", "not a valid Azure storage account"},
                {"az://acct/Media", "not a valid Azure container name"},
                {"az://acct/media?page-size=0", "page-size"},
                {"az://acct/media?endpoint=ftp://x", "endpoint"},
                {"az://acct/media?endpoint=http://127.0.0.1:10000/other", "not the account"},
                {"az://acct/media?account-key=not*base64", "not an Azure account key"},
                {"az://acct/media?sas=sv%3D1", "not a SAS token"},
                {"az://acct/media?account-key=" + "YQ%3D%3D" + "&sas=sig%3Dx", "give one"},
                {"az://acct/media?sv=2024&sig=x", "sas="}}) {
            assertThatThrownBy(() -> open(f, c[0])).as(c[0]).isInstanceOfSatisfying(MigratorException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                assertThat(e.getMessage()).contains(c[1]).doesNotContain("\n").doesNotContain("Exception");
            });
        }
    }

    @Test
    void withoutKeyOrSasOverPlainHttpItSaysWhatToGive() {
        AzureProviderFactory f = new AzureProviderFactory(Map.<String, String>of()::get);
        assertThatThrownBy(() -> open(f, "az://devstoreaccount1/media?endpoint=http://127.0.0.1:10000"))
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("account-key=").contains("AZURE_STORAGE_CONNECTION_STRING");
                });
    }

    @Test
    void aConnectionStringForAnotherAccountIsNotUsed() {
        String cs = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + KEY
                + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";
        AzureProviderFactory f = new AzureProviderFactory(Map.of("AZURE_STORAGE_CONNECTION_STRING", cs)::get);
        try (ObjectStore s = open(f, "az://devstoreaccount1/media")) {
            // The connection string's endpoint is used when the URI gives none.
            assertThat(s.location()).isEqualTo("az://127.0.0.1:10000/devstoreaccount1/media/");
        }
        // Another account: the connection string does not apply, and DefaultAzureCredential needs https (fine here).
        try (ObjectStore s = open(f, "az://otheraccount/media")) {
            assertThat(s.location()).isEqualTo("az://otheraccount.blob.core.windows.net/otheraccount/media/");
        }
    }
}
