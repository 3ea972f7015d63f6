package dev.migrator.provider.s3;

import com.adobe.testing.s3mock.S3MockApplication;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Adobe S3Mock in this JVM, plain HTTP on an ephemeral port, its objects under a folder the caller owns (a
 * {@code @TempDir}). Unlike S3Proxy it keeps versions, checksums, tags and some bucket settings, so the S3 code
 * that needs those runs here against a real server. Start once per test class: Spring takes a few seconds.
 */
final class S3MockServer implements AutoCloseable {
    /** S3Mock accepts any credentials; these only make the SDK sign. */
    static final String ACCESS_KEY = "s3mock-access";
    static final String SECRET_KEY = "s3mock-secret";

    private final S3MockApplication app;
    private final URI endpoint;

    private S3MockServer(S3MockApplication app) {
        this.app = app;
        this.endpoint = URI.create("http://127.0.0.1:" + app.getHttpPort());
    }

    static S3MockServer start(Path root) {
        // slf4j-simple is the tests' logger; Spring Boot must not insist on the Logback that S3Mock brings.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        // A mutable map: start() adds its defaults to it.
        return new S3MockServer(S3MockApplication.start(new java.util.HashMap<>(Map.of(
                S3MockApplication.PROP_HTTP_PORT, S3MockApplication.RANDOM_PORT,
                S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT,
                S3MockApplication.PROP_ROOT_DIRECTORY, root.toString(),
                S3MockApplication.PROP_SILENT, true,
                "spring.main.banner-mode", "off"))));
    }

    URI endpoint() {
        return endpoint;
    }

    /** An SDK client straight to the server, for arranging what the adapter under test does not do itself. */
    S3Client admin() {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** Creates the bucket, with versioning enabled when asked. */
    void createBucket(String bucket, boolean versioned) {
        try (S3Client admin = admin()) {
            admin.createBucket(b -> b.bucket(bucket));
            if (versioned) {
                admin.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status("Enabled")));
            }
        }
    }

    /** The migrator URI of {@code s3://bucket/prefix} on this server, with the given extra query parameters. */
    String uri(String bucket, String prefix, String extra) {
        return "s3://" + bucket + "/" + prefix + "?endpoint=" + endpoint + "&region=us-east-1"
                + "&access-key=" + ACCESS_KEY + "&secret-key=" + SECRET_KEY + extra;
    }

    @Override
    public void close() {
        app.stop();
    }
}
