package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.ObjectStore;
import org.junit.jupiter.api.Test;

/** The conformance suite against S3Mock (checksums, versions, tags) once more, through the SDK ({@code -Dmigrator.s3.wire=sdk}). */
class S3MockSdkContractTest extends S3MockContractTest {
    @Override
    protected ObjectStore newStore() {
        return S3WireTest.onSdkPath(super::newStore);
    }

    @Override
    protected ObjectStore newVersionedStore() {
        return S3WireTest.onSdkPath(super::newVersionedStore);
    }

    @Override
    @Test
    void runsOnTheRequestPathItIsFor() {
        assertThat(((S3ObjectStore) store).wire).isNull();
    }
}
