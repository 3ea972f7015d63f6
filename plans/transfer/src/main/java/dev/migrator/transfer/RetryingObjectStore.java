package dev.migrator.transfer;

import dev.migrator.provider.ForwardingObjectStore;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;

/**
 * The retry decorator's old name, kept only while the bundle module still wraps stores itself: the
 * decorator now lives in provider-api ({@link dev.migrator.provider.RetryingObjectStore}) so that
 * {@link dev.migrator.provider.Stores} wraps every store once where it is opened. Wrapping never
 * retries twice ({@link dev.migrator.provider.RetryingObjectStore#around}). Remove once no caller is left.
 *
 * @deprecated open stores with {@link dev.migrator.provider.Stores}, or use
 *     {@link dev.migrator.provider.RetryingObjectStore#around}
 */
@Deprecated
public final class RetryingObjectStore extends ForwardingObjectStore {
    private final ObjectStore retried;

    public RetryingObjectStore(ObjectStore delegate, Retry retry, Retry.Listener listener) {
        super(dev.migrator.provider.RetryingObjectStore.around(delegate, retry, listener));
        this.retried = delegate;
    }

    /** The store as it was given, without this retry layer. */
    public ObjectStore delegate() {
        return retried;
    }
}
