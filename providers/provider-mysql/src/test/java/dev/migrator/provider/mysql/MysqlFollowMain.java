package dev.migrator.provider.mysql;

import dev.migrator.provider.Database;
import dev.migrator.provider.Replication;
import java.net.URI;

/** Run in a child JVM by {@link MysqlReplicationTest}: follows SRC into DST until killed (kill -9 is the point). */
public final class MysqlFollowMain {
    private MysqlFollowMain() {
    }

    public static void main(String[] args) {
        MysqlProviderFactory f = new MysqlProviderFactory();
        try (Database src = f.database(URI.create(args[0])); Database dst = f.database(URI.create(args[1]));
             Replication r = src.replicateTo(dst, Replication.Options.defaults())) {
            System.out.println("following " + r.slot());
            System.out.flush();
            r.follow(null, () -> false, lag -> {
                System.out.println("applied " + lag.transactions());
                System.out.flush();
            });
        }
    }
}
