package dev.migrator.bundle;

import dev.migrator.testkit.WrapperCheck;
import org.junit.jupiter.api.Test;

/** The wrappers of this module's tests forward every method of ObjectStore. */
class WrappersForwardEveryMethodTest {
    @Test
    void injectingStore() {
        WrapperCheck.assertForwardsEveryMethod(s -> new InjectingStore(s, (key, attempt) -> null));
    }
}
