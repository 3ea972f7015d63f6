package dev.migrator.provider.s3;

import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.testkit.ObjectStoreContract;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The conformance suite against LocalStack's S3, with the SDK's default checksums
 * ({@code checksums=when-supported}) and every check enabled. Runs where Docker is available.
 */
@Testcontainers(disabledWithoutDocker = true)
class S3LocalStackContractTest extends ObjectStoreContract {
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer("localstack/localstack:4.4").withServices("s3");

    @Override
    protected java.util.List<String> secretsInUri() {
        return java.util.List.of(LOCALSTACK.getSecretKey());
    }

    @Override
    protected ObjectStore newStore() {
        return newStore(false);
    }

    /** LocalStack keeps versions as S3 does: the contract's version cases run here. */
    @Override
    protected ObjectStore newVersionedStore() {
        return newStore(true);
    }

    private ObjectStore newStore(boolean versioned) {
        String bucket = "contract-" + BUCKETS.incrementAndGet();
        try (S3Client admin = S3Client.builder()
                .endpointOverride(LOCALSTACK.getEndpoint())
                .region(Region.of(LOCALSTACK.getRegion()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey())))
                .build()) {
            admin.createBucket(b -> b.bucket(bucket));
            if (versioned) {
                admin.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status("Enabled")));
            }
        }
        String uri = "s3://" + bucket + "/?endpoint=" + LOCALSTACK.getEndpoint()
                + "&region=" + LOCALSTACK.getRegion()
                + "&checksums=when-supported"
                + "&page-size=" + MAX_PAGE_SIZE
                + "&access-key=" + URLEncoder.encode(LOCALSTACK.getAccessKey(), StandardCharsets.UTF_8)
                + "&secret-key=" + URLEncoder.encode(LOCALSTACK.getSecretKey(), StandardCharsets.UTF_8);
        return Stores.openAdapter(uri, new StoreOptions(PART_SIZE, 4, Retry.NONE));
    }
}
