package dev.migrator.provider.mysql;

import dev.migrator.provider.Database;
import dev.migrator.provider.ProviderFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code mysql://user@host:3306/database} and {@code mariadb://...}: a MySQL or MariaDB database, dumped
 * with mariadb-dump (or mysqldump) and restored with the mariadb (or mysql) client.
 * {@code MIGRATOR_MYSQL_BINDIR} names the directory of the tools to use instead of the PATH.
 */
public final class MysqlProviderFactory implements ProviderFactory {
    @Override
    public Set<String> schemes() {
        return Set.of("mysql", "mariadb");
    }

    @Override
    public String usage() {
        return "mysql://user@host:3306/database   MySQL/MariaDB (mariadb-dump/mariadb; ~/.my.cnf honoured), also mariadb://";
    }

    /** {@code ?password=} (a password in the user info is hidden anyway); password-file= names a file, not a secret. */
    @Override
    public Set<String> secretParameters() {
        return Set.of("password");
    }

    @Override
    public boolean holdsDatabases() {
        return true;
    }

    @Override
    public Database database(URI uri) {
        String bin = System.getenv("MIGRATOR_MYSQL_BINDIR");
        Path myCnf = Path.of(System.getProperty("user.home"), ".my.cnf");
        return new MysqlDatabase(MysqlLocation.parse(uri, System.getenv(), myCnf),
                bin == null || bin.isBlank() ? null : Path.of(bin));
    }
}
