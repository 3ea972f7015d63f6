package dev.migrator.provider.azure;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.migrator.testkit.azure.Azurite;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** Containers on Azurite for the tests, created with the SDK directly (the store never creates one). */
final class AzureTestSupport {
    private static final AtomicInteger RUNS = new AtomicInteger();

    private AzureTestSupport() {
    }

    static BlobServiceClient service(URI accountUrl) {
        return new BlobServiceClientBuilder().endpoint(accountUrl.toString())
                .credential(new StorageSharedKeyCredential(Azurite.ACCOUNT, Azurite.KEY)).buildClient();
    }

    /** A fresh container's name, created on Azurite. */
    static String newContainer(Azurite azurite, String prefix) {
        String name = prefix + "-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet();
        service(azurite.accountUrl()).createBlobContainer(name);
        return name;
    }

    static String keyParam() {
        return "account-key=" + URLEncoder.encode(Azurite.KEY, StandardCharsets.UTF_8);
    }

    /** The store URI of {@code container} through {@code endpoint} (Azurite itself or a proxy before it). */
    static String uri(URI endpoint, String container, String rest) {
        return "az://" + Azurite.ACCOUNT + "/" + container + (rest == null ? "" : rest) + "?endpoint=" + endpoint + "&"
                + keyParam();
    }
}
