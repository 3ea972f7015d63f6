package dev.migrator.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.RetryingObjectStore;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class WrappersForwardEveryMethodTest {
    @Test
    void forwardingObjectStoreForwardsEveryMethod() {
        WrapperCheck.assertForwardsEveryMethod(s -> new ForwardingObjectStore(s) { });
    }

    @Test
    void retryingObjectStoreForwardsEveryMethod() {
        WrapperCheck.assertForwardsEveryMethod(s -> new RetryingObjectStore(s, Retry.NONE, (w, a, c) -> { }));
    }

    /** The check itself can fail: a wrapper that leaves list(prefix, startAfter) to the interface's default. */
    @Test
    void aWrapperThatDropsAMethodFailsTheCheck() {
        assertThatThrownBy(() -> WrapperCheck.assertForwardsEveryMethod(HalfWrapper::new))
                .isInstanceOf(AssertionError.class).hasMessageContaining("must override");
    }

    @Test
    void theCheckCoversTheDefaultMethods() {
        assertThat(WrapperCheck.methods()).extracting(m -> m.getName())
                .contains("list", "openWithInfo", "serverSideCopyFrom", "capabilities", "location");
    }

    /** A hand-written wrapper, as they were before ForwardingObjectStore: it forgets the default methods. */
    private static final class HalfWrapper implements ObjectStore {
        private final ObjectStore d;

        HalfWrapper(ObjectStore d) {
            this.d = d;
        }

        @Override
        public ObjectStore unwrap() {
            return d;
        }

        @Override
        public String displayUri() {
            return d.displayUri();
        }

        @Override
        public Stream<dev.migrator.provider.ObjectInfo> list(String prefix) {
            return d.list(prefix);
        }

        @Override
        public java.util.Optional<dev.migrator.provider.ObjectInfo> stat(String key) {
            return d.stat(key);
        }

        @Override
        public java.io.InputStream open(String key, long offset, long length) {
            return d.open(key, offset, length);
        }

        @Override
        public dev.migrator.provider.ObjectInfo put(String key, dev.migrator.provider.Content content,
                dev.migrator.provider.ObjectMetadata metadata) {
            return d.put(key, content, metadata);
        }

        @Override
        public void delete(String key) {
            d.delete(key);
        }

        @Override
        public void close() {
            d.close();
        }
    }
}
