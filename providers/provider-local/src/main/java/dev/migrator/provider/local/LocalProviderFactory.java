package dev.migrator.provider.local;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ProviderFactory;
import dev.migrator.provider.StoreOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/** {@code file:///absolute/dir}: a directory on local disk. */
public final class LocalProviderFactory implements ProviderFactory {
    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public String usage() {
        return "file:///absolute/path/dir   a local directory (created when written to); metadata kept in user.* xattrs;"
                + " ?links=skip|follow for symbolic links";
    }

    @Override
    public ObjectStore objectStore(URI uri, StoreOptions options) {
        if (uri.getAuthority() != null && !uri.getAuthority().isEmpty() && !uri.getAuthority().equals("localhost")) {
            throw MigratorException.badInput("'" + uri + "' names host '" + uri.getAuthority()
                    + "'; a file URI is file:///absolute/path (three slashes)");
        }
        String path = uri.getPath();
        if (path == null || !path.startsWith("/")) {
            throw MigratorException.badInput("'" + uri + "' is not an absolute path; use file:///absolute/path");
        }
        return new LocalObjectStore(Path.of(path), links(uri));
    }

    /** {@code ?links=refuse|skip|follow}, the only option; anything else is refused rather than ignored. */
    private static LocalObjectStore.Links links(URI uri) {
        String query = uri.getQuery();
        if (query == null || query.isEmpty()) {
            return LocalObjectStore.Links.REFUSE;
        }
        LocalObjectStore.Links links = LocalObjectStore.Links.REFUSE;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            if (!name.equals("links")) {
                throw MigratorException.badInput("unknown option '" + name + "' in '" + uri + "'; a file:// URI takes only"
                        + " links=refuse|skip|follow");
            }
            links = switch (value) {
                case "refuse" -> LocalObjectStore.Links.REFUSE;
                case "skip" -> LocalObjectStore.Links.SKIP;
                case "follow" -> LocalObjectStore.Links.FOLLOW;
                default -> throw MigratorException.badInput("links='" + value + "' in '" + uri + "' must be refuse, skip or follow");
            };
        }
        return links;
    }
}
