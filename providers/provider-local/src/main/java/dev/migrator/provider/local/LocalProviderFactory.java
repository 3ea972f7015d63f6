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
        return "file:///absolute/path/dir   a local directory (created when written to); metadata kept in user.* xattrs";
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
        return new LocalObjectStore(Path.of(path));
    }
}
