package dev.migrator.testkit.s3;

import com.adobe.testing.s3mock.S3MockApplication;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Adobe S3Mock in this JVM, plain HTTP on an ephemeral port, its objects under a folder the caller owns (a
 * {@code @TempDir}). Unlike S3Proxy it keeps versions, checksums, tags and lifecycle rules, so the S3 code that
 * needs those runs against a real server. Start once per test class: Spring takes a few seconds. The module that
 * starts it declares {@code com.adobe.testing:s3mock} as a test dependency (this testkit has it optional).
 */
public final class S3MockServer implements AutoCloseable {
    /** S3Mock accepts any credentials; these only make the SDK sign. */
    public static final String ACCESS_KEY = "s3mock-access";
    public static final String SECRET_KEY = "s3mock-secret";

    private final S3MockApplication app;
    private final URI endpoint;

    private S3MockServer(S3MockApplication app) {
        this.app = app;
        this.endpoint = URI.create("http://127.0.0.1:" + app.getHttpPort());
    }

    public static S3MockServer start(Path root) {
        return start(root, Map.of());
    }

    /** With S3Mock properties of the test's own, e.g. {@code com.adobe.testing.s3mock.store.validKmsKeys}. */
    public static S3MockServer start(Path root, Map<String, Object> properties) {
        // slf4j-simple is the tests' logger; Spring Boot must not insist on the Logback that S3Mock brings.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        // A mutable map: start() adds its defaults to it.
        Map<String, Object> all = new HashMap<>(Map.of(
                S3MockApplication.PROP_HTTP_PORT, S3MockApplication.RANDOM_PORT,
                S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT,
                S3MockApplication.PROP_ROOT_DIRECTORY, root.toString(),
                S3MockApplication.PROP_SILENT, true,
                "spring.main.banner-mode", "off"));
        all.putAll(properties);
        return new S3MockServer(S3MockApplication.start(all));
    }

    public URI endpoint() {
        return endpoint;
    }

    /** An SDK client straight to the server, for arranging what the code under test does not do itself. */
    public S3Client admin() {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** Creates the bucket, with versioning enabled when asked. */
    public void createBucket(String bucket, boolean versioned) {
        try (S3Client admin = admin()) {
            admin.createBucket(b -> b.bucket(bucket));
            if (versioned) {
                admin.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status("Enabled")));
            }
        }
    }

    /** The migrator URI of {@code s3://bucket/prefix} on this server, with the given extra query parameters. */
    public String uri(String bucket, String prefix, String extra) {
        return "s3://" + bucket + "/" + prefix + "?endpoint=" + endpoint + "&region=us-east-1"
                + "&access-key=" + ACCESS_KEY + "&secret-key=" + SECRET_KEY + extra;
    }

    /** The migrator URI of the whole bucket. */
    public String uri(String bucket) {
        return uri(bucket, "", "");
    }

    /** The whole bucket, opened through migrator's own S3 adapter. */
    public ObjectStore open(String bucket) {
        return Stores.open(uri(bucket), StoreOptions.DEFAULTS);
    }

    @Override
    public void close() {
        app.stop();
    }
}
