package dev.migrator.provider;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one way to open a store or a database by URI. It finds the installed providers once
 * ({@link ServiceLoader}), parses and redacts a URI once ({@link #parse}), and wraps every object store
 * it opens once, where it is opened: in {@link RetryingObjectStore} with the options' retry policy, then
 * in each {@link #register registered} {@link StoreWrapper}, in the order they were registered.
 * Code handed such a store does not wrap it again ({@link RetryingObjectStore#around}), and a capability
 * check sees through the layers ({@link ObjectStore#unwrap()}, {@link ObjectStore#innermost}).
 */
public final class Stores {
    private static final Retry.Listener SILENT = (what, attempt, cause) -> { };
    private static final List<StoreWrapper> WRAPPERS = new CopyOnWriteArrayList<>();

    private Stores() {
    }

    /** The installed providers, found on first use and kept: the class path does not change while we run. */
    private static final class Installed {
        static final SortedMap<String, ProviderFactory> BY_SCHEME;
        static final Set<String> SECRETS;

        static {
            TreeMap<String, ProviderFactory> byScheme = new TreeMap<>();
            Set<String> secrets = new LinkedHashSet<>();
            for (ProviderFactory f : ServiceLoader.load(ProviderFactory.class)) {
                f.schemes().forEach(s -> byScheme.put(s, f));
                secrets.addAll(f.secretParameters());
            }
            BY_SCHEME = Collections.unmodifiableSortedMap(byScheme);
            SECRETS = Set.copyOf(secrets);
        }
    }

    /** A URI as the user gave it, parsed once, with the form safe to show and the provider for its scheme. */
    public record Parsed(URI uri, String display, ProviderFactory factory) {
    }

    /** Parses {@code uri} and finds its provider; a malformed URI or an unknown scheme is {@link ErrorCode#BAD_INPUT}. */
    public static Parsed parse(String uri) {
        URI parsed = uri(uri);
        return new Parsed(parsed, Redaction.uri(uri), factoryFor(parsed));
    }

    /** Opens the object store {@code uri} names, wrapped (see the class comment); retries are not reported. */
    public static ObjectStore open(String uri, StoreOptions options) {
        return open(uri, options, SILENT);
    }

    /** Opens the object store {@code uri} names, wrapped, telling {@code onRetry} about each retry. */
    public static ObjectStore open(String uri, StoreOptions options, Retry.Listener onRetry) {
        return wrap(openAdapter(uri, options), options, onRetry);
    }

    /**
     * The adapter itself, without any layer: for adapters' own tests and for checks that do no I/O (a
     * store's {@link ObjectStore#location()}). Everything that reads or writes uses {@link #open}.
     */
    public static ObjectStore openAdapter(String uri, StoreOptions options) {
        Parsed p = parse(uri);
        return p.factory().objectStore(p.uri(), options);
    }

    /** Puts the layers {@link #open} puts around a store that was opened some other way (a test's store). */
    public static ObjectStore wrap(ObjectStore store, StoreOptions options, Retry.Listener onRetry) {
        Retry.Listener listener = onRetry;
        for (StoreWrapper w : WRAPPERS) {
            Retry.Listener also = w.onRetry(store);
            if (also != null) {
                Retry.Listener before = listener;
                listener = (what, attempt, cause) -> {
                    before.retrying(what, attempt, cause);
                    also.retrying(what, attempt, cause);
                };
            }
        }
        ObjectStore s = new RetryingObjectStore(store, options.retry(), listener);
        for (StoreWrapper w : WRAPPERS) {
            s = w.wrap(s, options);
        }
        return s;
    }

    /** Adds a layer around every store opened from now on, until the returned registration is closed. */
    public static Registration register(StoreWrapper wrapper) {
        WRAPPERS.add(wrapper);
        return () -> WRAPPERS.remove(wrapper);
    }

    /** A registered wrapper; closing it stops wrapping stores opened later. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    public static Database database(String uri) {
        Parsed p = parse(uri);
        return p.factory().database(p.uri());
    }

    /** Whether {@code uri} names a database (by its scheme's provider). */
    public static boolean isDatabase(String uri) {
        return parse(uri).factory().holdsDatabases();
    }

    public static ProviderFactory factoryFor(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        ProviderFactory factory = Installed.BY_SCHEME.get(scheme);
        if (factory == null) {
            throw MigratorException.badInput((scheme.isEmpty()
                    ? "'" + Redaction.uri(uri.toString()) + "' has no scheme"
                    : "unknown scheme '" + scheme + "' in " + Redaction.uri(uri.toString()))
                    + "; use one of: " + String.join(", ", Installed.BY_SCHEME.keySet().stream().map(s -> s + "://").toList()));
        }
        return factory;
    }

    /** Every installed provider by scheme, sorted. */
    public static SortedMap<String, ProviderFactory> factories() {
        return Installed.BY_SCHEME;
    }

    /** Usage lines of every installed provider. */
    public static List<String> usage() {
        List<String> lines = new ArrayList<>();
        Installed.BY_SCHEME.values().stream().distinct().forEach(f -> lines.add(f.usage()));
        return lines;
    }

    /**
     * The secret URI parameters every installed provider declares ({@link ProviderFactory#secretParameters}),
     * for {@link Redaction}; empty while the providers are still being loaded (a provider that shows a URI
     * while it is being constructed gets only Redaction's built-in list).
     */
    static Set<String> secretParameters() {
        Set<String> s = Installed.SECRETS;
        return s == null ? Set.of() : s;
    }

    /** Parses a user-supplied URI; a local path without scheme is not guessed at. */
    public static URI uri(String uri) {
        try {
            return new URI(uri);
        } catch (URISyntaxException e) {
            throw MigratorException.badInput("'" + Redaction.uri(uri) + "' is not a valid URI: " + e.getReason()
                    + " at index " + e.getIndex() + " (percent-encode spaces and special characters)");
        }
    }
}
