package dev.migrator.provider.s3;

import dev.migrator.provider.MigratorException;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import javax.net.ssl.TrustManager;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.SdkHttpService;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * The HTTP client under the S3 SDK: the JDK's ({@code HttpURLConnection}), the one shipped. The hidden system
 * property {@code migrator.s3.http} ({@code jdk}, {@code apache5}, {@code crt}) picks another synchronous client
 * the SDK offers when its jar is on the class path, for the contract suite and {@code bench/http-clients.sh}
 * to compare them; docs/benchmarks.md has the numbers and why the JDK client stays.
 */
final class S3HttpClients {
    static final String PROPERTY = "migrator.s3.http";
    /** The SDK's service class of each selectable client, found through {@link ServiceLoader}. */
    private static final Map<String, String> SERVICES = Map.of(
            "apache5", "software.amazon.awssdk.http.apache5.Apache5SdkHttpService",
            "crt", "software.amazon.awssdk.http.crt.AwsCrtSdkHttpService");
    /** Enough connections for the most transfers and parts one store runs at once (the SDK's default is 50). */
    private static final int MAX_CONNECTIONS = 1024;

    private S3HttpClients() {
    }

    static SdkHttpClient create(S3Location location) {
        String name = System.getProperty(PROPERTY, "jdk").toLowerCase(Locale.ROOT);
        if (name.equals("jdk")) {
            UrlConnectionHttpClient.Builder b = UrlConnectionHttpClient.builder()
                    .connectionTimeout(location.connectTimeout())
                    .socketTimeout(location.readTimeout());
            if (location.endpoint() != null && "http".equalsIgnoreCase(location.endpoint().getScheme())) {
                // The client builds its TLS context up front, which loads the JDK's CA certificates at start-up.
                // An http endpoint never does TLS; should a handshake happen anyway, it fails (nothing is trusted).
                b.tlsTrustManagersProvider(() -> new TrustManager[0]);
            }
            return b.build();
        }
        String service = SERVICES.get(name);
        if (service == null) {
            throw MigratorException.badInput("-D" + PROPERTY + "=" + name + " names no HTTP client: use jdk, apache5 or crt");
        }
        for (SdkHttpService s : ServiceLoader.load(SdkHttpService.class)) {
            if (s.getClass().getName().equals(service)) {
                return s.createHttpClientBuilder().buildWithDefaults(AttributeMap.builder()
                        .put(SdkHttpConfigurationOption.CONNECTION_TIMEOUT, location.connectTimeout())
                        .put(SdkHttpConfigurationOption.READ_TIMEOUT, location.readTimeout())
                        .put(SdkHttpConfigurationOption.MAX_CONNECTIONS, MAX_CONNECTIONS)
                        .build());
            }
        }
        throw MigratorException.badInput("-D" + PROPERTY + "=" + name + ": the client's jar (" + service
                + ") is not on the class path; bench/http-clients.sh shows how to add it");
    }
}
