package dev.migrator.transfer;

import dev.migrator.provider.Retry;
import dev.migrator.testkit.WrapperCheck;
import org.junit.jupiter.api.Test;

/** The wrappers of this module's tests and the old retry name forward every method of ObjectStore. */
class WrappersForwardEveryMethodTest {
    @Test
    void flakyStore() {
        WrapperCheck.assertForwardsEveryMethod(FlakyStore::new);
    }

    @Test
    void countingList() {
        WrapperCheck.assertForwardsEveryMethod(CopierTest.CountingList::new);
    }

    @Test
    @SuppressWarnings("deprecation")
    void theOldRetryingName() {
        WrapperCheck.assertForwardsEveryMethod(s -> new RetryingObjectStore(s, Retry.NONE, (w, a, c) -> { }));
    }
}
