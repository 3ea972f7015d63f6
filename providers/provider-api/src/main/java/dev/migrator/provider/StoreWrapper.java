package dev.migrator.provider;

/**
 * A layer {@link Stores} puts around every store it opens, outside the retry layer (a rate limiter,
 * metrics). Register it with {@link Stores#register}. The store it returns should extend
 * {@link ForwardingObjectStore}, so every method it does not change is forwarded and
 * {@link ObjectStore#unwrap()} sees through it.
 */
@FunctionalInterface
public interface StoreWrapper {
    ObjectStore wrap(ObjectStore store, StoreOptions options);

    /**
     * Told about each retry of {@code adapter}'s requests (the retry layer sits inside the wrappers, so a
     * wrapper cannot see them itself): e.g. metrics counting retries and throttles per endpoint. None by default.
     */
    default Retry.Listener onRetry(ObjectStore adapter) {
        return null;
    }
}
