package dev.migrator.provider;

import java.net.URI;
import java.util.Set;

/**
 * A provider adapter, found through {@link java.util.ServiceLoader} by URI scheme. Implementations
 * are registered in {@code META-INF/services/dev.migrator.provider.ProviderFactory}.
 */
public interface ProviderFactory {

    /** The URI schemes this provider handles, lower-case, e.g. {@code s3}. */
    Set<String> schemes();

    /** One line per URI form, shown in help and in the error for an unknown scheme. */
    String usage();

    /**
     * The URI query parameters whose values are secrets (e.g. {@code secret-key}, {@code password}), as
     * they are spelled in the URI. {@link Redaction} hides their values wherever a URI is shown, so a new
     * provider declares its own here rather than relying on a central list. A password in the URI's user
     * info is always hidden and need not be declared.
     */
    default Set<String> secretParameters() {
        return Set.of();
    }

    /**
     * Opens an object store for {@code uri}. Cheap and offline where possible: a missing bucket or bad
     * credentials may surface only on the first call. Malformed URIs throw {@link ErrorCode#BAD_INPUT}.
     */
    default ObjectStore objectStore(URI uri, StoreOptions options) {
        throw MigratorException.badInput(Redaction.uri(uri.toString()) + " names a database, not an object store");
    }

    /** Whether this provider's URIs name databases ({@link #database}) rather than object stores. */
    default boolean holdsDatabases() {
        return false;
    }

    /**
     * Opens a database for {@code uri}. Cheap: connection problems surface on the first call, as
     * {@link ErrorCode#AUTH} or {@link ErrorCode#BAD_INPUT}. Malformed URIs throw {@link ErrorCode#BAD_INPUT}.
     */
    default Database database(URI uri) {
        throw MigratorException.badInput(Redaction.uri(uri.toString()) + " names an object store, not a database");
    }

    /**
     * The HTTP endpoint requests for {@code uri} go to (for a check of the local clock against the server's
     * {@code Date} header: signed requests fail when the two differ by more than 15 minutes), or empty when
     * the provider does not speak HTTP. Parses only; no I/O.
     */
    default java.util.Optional<URI> httpEndpoint(URI uri) {
        return java.util.Optional.empty();
    }
}
