package dev.migrator.transfer;

import dev.migrator.testkit.WrapperCheck;
import org.junit.jupiter.api.Test;

/** The wrappers of this module's tests forward every method of ObjectStore. */
class WrappersForwardEveryMethodTest {
    @Test
    void flakyStore() {
        WrapperCheck.assertForwardsEveryMethod(FlakyStore::new);
    }

    @Test
    void bandwidthLimitedStore() {
        WrapperCheck.assertForwardsEveryMethod(d -> new BandwidthLimitedStore(d, new Bandwidth(1L << 30), false));
    }

    @Test
    void countingList() {
        WrapperCheck.assertForwardsEveryMethod(CopierTest.CountingList::new);
    }
}
