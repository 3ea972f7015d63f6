package dev.migrator.cli;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.migrator.testkit.azure.Azurite;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Containers on the shared Azurite for the CLI's Azure tests, and their az:// URIs. */
final class AzuriteContainers {
    private AzuriteContainers() {
    }

    /** Creates {@code name} (made unique per JVM) and returns the az:// URI of {@code prefix} in it. */
    static String create(Azurite azurite, String name, String prefix) {
        String unique = name + "-" + ProcessHandle.current().pid();
        new BlobServiceClientBuilder().endpoint(azurite.accountUrl().toString())
                .credential(new StorageSharedKeyCredential(Azurite.ACCOUNT, Azurite.KEY)).buildClient()
                .createBlobContainer(unique);
        return "az://" + Azurite.ACCOUNT + "/" + unique + "/" + prefix + "?endpoint=" + azurite.endpoint()
                + "&account-key=" + URLEncoder.encode(Azurite.KEY, StandardCharsets.UTF_8);
    }
}
