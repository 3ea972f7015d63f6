package dev.migrator.provider;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds the adapter for a URI by its scheme. */
public final class Providers {
    private Providers() {
    }

    public static ObjectStore objectStore(String uri, StoreOptions options) {
        URI parsed = parse(uri);
        return factoryFor(parsed).objectStore(parsed, options);
    }

    public static Database database(String uri) {
        URI parsed = parse(uri);
        return factoryFor(parsed).database(parsed);
    }

    /** Whether {@code uri} names a database (by its scheme's provider). */
    public static boolean isDatabase(String uri) {
        return factoryFor(parse(uri)).holdsDatabases();
    }

    public static ProviderFactory factoryFor(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        TreeMap<String, ProviderFactory> known = all();
        ProviderFactory factory = known.get(scheme);
        if (factory == null) {
            throw MigratorException.badInput((scheme.isEmpty()
                    ? "'" + Redaction.uri(uri.toString()) + "' has no scheme"
                    : "unknown scheme '" + scheme + "' in " + Redaction.uri(uri.toString()))
                    + "; use one of: " + String.join(", ", known.keySet().stream().map(s -> s + "://").toList()));
        }
        return factory;
    }

    /** Every installed provider by scheme, sorted. */
    public static TreeMap<String, ProviderFactory> all() {
        TreeMap<String, ProviderFactory> byScheme = new TreeMap<>();
        for (ProviderFactory f : ServiceLoader.load(ProviderFactory.class)) {
            f.schemes().forEach(s -> byScheme.put(s, f));
        }
        return byScheme;
    }

    /** Usage lines of every installed provider. */
    public static List<String> usage() {
        List<String> lines = new ArrayList<>();
        all().values().stream().distinct().forEach(f -> lines.add(f.usage()));
        return lines;
    }

    /** Parses a user-supplied URI; a local path without scheme is not guessed at. */
    public static URI parse(String uri) {
        try {
            return new URI(uri);
        } catch (URISyntaxException e) {
            throw MigratorException.badInput("'" + Redaction.uri(uri) + "' is not a valid URI: " + e.getReason()
                    + " at index " + e.getIndex() + " (percent-encode spaces and special characters)");
        }
    }
}
