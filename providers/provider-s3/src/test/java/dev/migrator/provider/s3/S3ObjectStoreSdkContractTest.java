package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.ObjectStore;
import org.junit.jupiter.api.Test;

/** The conformance suite against S3Proxy once more, with every per-object call through the SDK ({@code -Dmigrator.s3.wire=sdk}). */
class S3ObjectStoreSdkContractTest extends S3ObjectStoreContractTest {
    @Override
    protected ObjectStore newStore() {
        return S3WireTest.onSdkPath(super::newStore);
    }

    @Override
    @Test
    void runsOnTheRequestPathItIsFor() {
        assertThat(((S3ObjectStore) store).wire).isNull();
    }
}
