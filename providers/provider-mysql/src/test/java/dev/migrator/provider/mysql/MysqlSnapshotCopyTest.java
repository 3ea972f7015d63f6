package dev.migrator.provider.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.MigratorException;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The snapshot copy's LOAD DATA guard, against the 3307 MariaDB (a LOCAL load reports bad rows only as warnings). */
class MysqlSnapshotCopyTest {

    @Test
    void aRowTheTargetTruncatesFailsTheChunkNamingTheTableAndCommitsNothing() throws Exception {
        BinlogServer.assumeRunning();
        String src = MysqlServer.uniqueName("copysrc");
        String dst = MysqlServer.uniqueName("copydst");
        try {
            BinlogServer.exec("", "create database " + src, "create database " + dst);
            BinlogServer.exec(src, "create table notes (id int primary key, s varchar(40))",
                    "insert into notes values (1, 'fits'), (2, 'much too long for the target')");
            BinlogServer.exec(dst, "create table notes (id int primary key, s varchar(8))"); // a target that differs
            MysqlLocation from = new MysqlLocation("127.0.0.1", BinlogServer.PORT, "root", null, false, src);
            Map<String, MysqlTable> tables;
            try (Connection c = BinlogServer.connect(src)) {
                tables = MysqlTable.read(c, src);
            }
            assertThatThrownBy(() -> MysqlSnapshotCopy.copy(from, from.withDatabase(dst), tables, 1, true, s -> { }))
                    .isInstanceOf(MigratorException.class)
                    .hasMessageContaining("loading notes into " + dst)
                    .hasMessageContaining("Data truncated for column 's'");
            assertThat(BinlogServer.value(dst, "select count(*) from notes")).isZero();
        } finally {
            BinlogServer.exec("", "drop database if exists " + src, "drop database if exists " + dst);
        }
    }
}
