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
}
