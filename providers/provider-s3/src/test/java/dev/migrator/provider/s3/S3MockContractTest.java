package dev.migrator.provider.s3;

import dev.migrator.testkit.s3.S3MockServer;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.ObjectStoreContract;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance suite against Adobe S3Mock 4.12 (in-process, on disk under a temporary folder) through the real
 * SDK client, with the SDK's default checksums. S3Mock keeps versions, so the contract's version cases run here.
 * Where S3Mock falls short of S3, and what this class does about it:
 * <ul>
 *   <li>{@code awkwardKeysSurviveBytesExact} is skipped: the Tomcat under S3Mock answers HTTP 400 (an HTML page) to
 *       an encoded backslash ({@code %5C}) in the path, which S3 and S3Proxy store. S3Proxy runs that case.</li>
 *   <li>S3Mock stores the {@code x-amz-tagging} header without URL-decoding it ({@code a%2Fb} comes back from
 *       GetObjectTagging as {@code a%2Fb}), so the tags of {@link #extendedMetadata()} here need no encoding.</li>
 *   <li>Its {@code If-None-Match: *} is checked, then written, not atomically: the racing-creates rounds are off.</li>
 *   <li>Listing from a key and movable files skip for the same reasons as on every S3 store.</li>
 * </ul>
 */
@ExtendWith(S3MockContractTest.SkipWhatS3MockLacks.class)
class S3MockContractTest extends ObjectStoreContract {
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    @TempDir
    static Path root;
    private static S3MockServer server;

    @BeforeAll
    static void startServer() {
        server = S3MockServer.start(root);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** Disables the inherited cases S3Mock cannot pass, with the reason in the report (see the class comment). */
    static final class SkipWhatS3MockLacks implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod().map(Method::getName).filter("awkwardKeysSurviveBytesExact"::equals)
                    .map(m -> ConditionEvaluationResult.disabled("S3Mock's Tomcat answers HTTP 400 to %5C (backslash) in a key"))
                    .orElse(ConditionEvaluationResult.enabled("S3Mock runs it"));
        }
    }

    @Override
    protected boolean serverCreatesAtomically() {
        return false;
    }

    /** The contract's, with tags that need no URL encoding (S3Mock does not decode {@code x-amz-tagging}). */
    @Override
    protected ObjectMetadata extendedMetadata() {
        return super.extendedMetadata().withTags(Map.of("Project", "exit-2026", "team", "ops.db"));
    }

    @Override
    protected List<String> secretsInUri() {
        return List.of(S3MockServer.SECRET_KEY);
    }

    @Override
    protected ObjectStore newStore() {
        return open(false);
    }

    @Override
    protected ObjectStore newVersionedStore() {
        return open(true);
    }

    private ObjectStore open(boolean versioned) {
        String bucket = "contract-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket, versioned);
        return Stores.openAdapter(server.uri(bucket, "", "&checksums=when-supported&page-size=" + MAX_PAGE_SIZE),
                new StoreOptions(PART_SIZE, 4, Retry.NONE));
    }

    /** This suite runs on the lean path ({@link S3Wire}); its -Sdk subclass runs it on the SDK's. */
    @Test
    void runsOnTheRequestPathItIsFor() {
        org.assertj.core.api.Assertions.assertThat(((S3ObjectStore) store).wire).isNotNull();
    }
}
