package dev.migrator.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Providers;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MyLocationTest {
    @TempDir
    Path dir;

    @Test
    void aPasswordFromTheUriGoesToA0600OptionFileNeverAnArgument() throws Exception {
        MyLocation l = MyLocation.parse(URI.create("mysql://app:p%40ss%22w@db1:3307/shop"), Map.of(), null);
        assertThat(l.display()).isEqualTo("mysql://app@db1:3307/shop");
        assertThat(l.toString()).doesNotContain("p@ss");
        Path cnf = dir.resolve("client.cnf");
        List<String> args = l.toolArguments(cnf);
        assertThat(args).containsExactly("--defaults-extra-file=" + cnf, "--protocol=TCP", "--host=db1", "--port=3307", "--user=app");
        assertThat(String.join(" ", args)).doesNotContain("p@ss");
        assertThat(Files.readString(cnf)).isEqualTo("[client]\npassword=\"p@ss\\\"w\"\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cnf))).isEqualTo("rw-------");
    }

    @Test
    void whatTheUriLeavesOutComesFromMyCnfForTheJdbcSide() throws Exception {
        Path myCnf = dir.resolve(".my.cnf");
        Files.writeString(myCnf, "[mysqld]\nport=1\n[client]\nuser = ops\npassword=\"from file\"\n# comment\n[mysql]\nuser=other\n");
        MyLocation l = MyLocation.parse(URI.create("mysql://db2/posts"), Map.of(), myCnf);
        assertThat(l.user()).isEqualTo("ops");
        assertThat(l.password()).isEqualTo("from file");
        assertThat(l.port()).isEqualTo(3306);
        assertThat(l.toolArguments(dir.resolve("unused.cnf"))).doesNotContain("--defaults-extra-file=" + dir.resolve("unused.cnf"));
        assertThat(MyLocation.parse(URI.create("mysql://u@localhost/posts"), Map.of("MYSQL_PWD", "envpw"), myCnf).password())
                .isEqualTo("envpw");
        assertThat(MyLocation.parse(URI.create("mysql://u@localhost/posts"), Map.of(), null).host()).isEqualTo("127.0.0.1");
    }

    @Test
    void badUrisAreRefused() {
        assertThatThrownBy(() -> MyLocation.parse(URI.create("mysql://u:pw@h/"), Map.of(), null))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("one database").hasMessageNotContaining(":pw@");
        assertThatThrownBy(() -> MyLocation.parse(URI.create("mysql://u@h/db?ssl=true"), Map.of(), null))
                .hasMessageContaining("~/.my.cnf");
    }

    @Test
    void bothSchemesAreRegisteredAsDatabases() {
        assertThat(Providers.isDatabase("mysql://u@h/db")).isTrue();
        assertThat(Providers.isDatabase("mariadb://u@h/db")).isTrue();
        assertThat(Providers.database("mariadb://u:secret@h:1/db").displayUri()).isEqualTo("mysql://u@h:1/db");
    }
}
