package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class StoresTest {
    @Test
    void providersAreFoundOnceNotOnEveryCall() {
        for (int i = 0; i < 5; i++) {
            Stores.open("vault-test://a", StoreOptions.DEFAULTS).close();
            Stores.openAdapter("vault-test://a", StoreOptions.DEFAULTS).close();
            Stores.isDatabase("vault-test://a");
        }
        assertThat(VaultTestProvider.CREATED.get()).isEqualTo(1);
    }

    @Test
    void aStoreIsWrappedOnceInRetryThenInTheRegisteredWrappers() {
        List<String> wrapped = new ArrayList<>();
        StoreWrapper metrics = (store, options) -> {
            wrapped.add(store.getClass().getSimpleName());
            return new ForwardingObjectStore(store) { };
        };
        try (Stores.Registration r = Stores.register(metrics); ObjectStore s = Stores.open("vault-test://a", StoreOptions.DEFAULTS)) {
            assertThat(wrapped).containsExactly("RetryingObjectStore");
            assertThat(s.unwrap()).isInstanceOf(RetryingObjectStore.class);
            assertThat(ObjectStore.find(s, RetryingObjectStore.class)).isPresent();
            // Code handed this store does not retry it a second time.
            assertThat(RetryingObjectStore.around(s, Retry.DEFAULT, (w, a, c) -> { })).isSameAs(s);
        }
        try (ObjectStore s = Stores.open("vault-test://a", StoreOptions.DEFAULTS)) {
            assertThat(s).as("closed registration").isInstanceOf(RetryingObjectStore.class);
            ObjectStore again = RetryingObjectStore.around(s, Retry.NONE, (w, a, c) -> { });
            assertThat(again).isInstanceOf(RetryingObjectStore.class);
            assertThat(again.unwrap()).isSameAs(s.unwrap()); // re-wrapped with the caller's policy, not stacked
        }
        assertThat(Stores.openAdapter("vault-test://a", StoreOptions.DEFAULTS)).as("the old facade: the bare adapter")
                .isNotInstanceOf(RetryingObjectStore.class);
    }

    @Test
    void parsedOnceWithTheFormSafeToShow() {
        Stores.Parsed p = Stores.parse("vault-test://a?account-key=hunter2&x=1");
        assertThat(p.display()).isEqualTo("vault-test://a?account-key=***&x=1");
        assertThat(p.factory()).isInstanceOf(VaultTestProvider.class);
        assertThatThrownBy(() -> Stores.parse("nope://b?account-key=hunter2"))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("unknown scheme 'nope'").hasMessageContaining("vault-test://")
                .hasMessageNotContaining("hunter2");
    }

    /** The default list(prefix, startAfter) drops keys up to and including startAfter, lazily. */
    @Test
    void theDefaultListingFromAKeyFilters() {
        ObjectStore store = new ObjectStore() {
            @Override
            public String displayUri() {
                return "t://";
            }

            @Override
            public Stream<ObjectInfo> list(String prefix) {
                return Stream.of("a", "b", "c").map(k -> new ObjectInfo(k, 0, null, null, Checksums.NONE, null));
            }

            @Override
            public Optional<ObjectInfo> stat(String key) {
                return Optional.empty();
            }

            @Override
            public java.io.InputStream open(String key, long offset, long length) {
                return null;
            }

            @Override
            public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
                return null;
            }

            @Override
            public void delete(String key) {
            }

            @Override
            public void close() {
            }
        };
        assertThat(store.list("", "a").map(ObjectInfo::key).toList()).containsExactly("b", "c");
        assertThat(store.list("", "bb").map(ObjectInfo::key).toList()).containsExactly("c");
        assertThat(store.list("", null).map(ObjectInfo::key).toList()).containsExactly("a", "b", "c");
        assertThat(store.capabilities().listFromKey()).isFalse();
        assertThat(ObjectStore.innermost(store)).isSameAs(store);
    }

    /**
     * A retry layer under another wrapper (metrics, a bandwidth limit) is not stacked again, and the caller handed that
     * store still hears its retries: a copier counts them and sees throttling.
     */
    @Test
    void aCallerHandedABuriedRetryLayerHearsItsRetries() {
        int[] calls = {0};
        ObjectStore flaky = new ForwardingObjectStore(Stores.openAdapter("vault-test://a", StoreOptions.DEFAULTS)) {
            @Override
            public Optional<ObjectInfo> stat(String key) {
                if (calls[0]++ == 0) {
                    throw MigratorException.retryable("503 SlowDown", null);
                }
                return Optional.empty();
            }
        };
        ObjectStore wrapped = new ForwardingObjectStore(new RetryingObjectStore(flaky,
                new Retry(3, java.time.Duration.ZERO, java.time.Duration.ZERO), (w, a, c) -> { })) { };
        List<String> heard = new ArrayList<>();
        Retry.Listener listener = (w, a, c) -> heard.add(w + " #" + a);
        assertThat(RetryingObjectStore.around(wrapped, Retry.DEFAULT, listener)).isSameAs(wrapped);
        assertThat(RetryingObjectStore.around(wrapped, Retry.DEFAULT, listener)).as("told once").isSameAs(wrapped);
        assertThat(wrapped.stat("k")).isEmpty();
        assertThat(calls[0]).isEqualTo(2);
        assertThat(heard).containsExactly("stat k #1");
    }
}
