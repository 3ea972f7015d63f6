package dev.migrator.provider.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Stores;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MysqlLocationTest {
    @TempDir
    Path dir;

    @Test
    void aPasswordFromTheUriGoesToTheToolsEnvironmentNeverAnArgumentOrAFile() {
        MysqlLocation l = MysqlLocation.parse(URI.create("mysql://app:p%40ss%22w@db1:3307/shop"), Map.of(), null);
        assertThat(l.display()).isEqualTo("mysql://app@db1:3307/shop");
        assertThat(l.toString()).doesNotContain("p@ss");
        assertThat(l.toolArguments()).containsExactly("--protocol=TCP", "--host=db1", "--port=3307", "--user=app");
        assertThat(l.toolEnvironment()).containsExactly(Map.entry("MYSQL_PWD", "p@ss\"w"));
        // no password: MYSQL_PWD is removed from the tool's environment, so the caller's cannot leak into it
        assertThat(MysqlLocation.parse(URI.create("mysql://app@db1/shop"), Map.of(), null).toolEnvironment())
                .containsEntry("MYSQL_PWD", null);
    }

    @Test
    void aPasswordFileGivesThePasswordAndOtherOptionsAreRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "From-File-9\n");
        String uri = "mysql://app@db1/shop?password-file=" + file;
        MysqlLocation l = MysqlLocation.parse(URI.create(uri), Map.of("MYSQL_PWD", "from-env"), null);
        assertThat(l.password()).isEqualTo("From-File-9");
        assertThat(l.toolEnvironment()).containsEntry("MYSQL_PWD", "From-File-9");
        assertThat(Stores.database(uri).displayUri()).isEqualTo("mysql://app@db1:3306/shop");
        assertThatThrownBy(() -> MysqlLocation.parse(URI.create(uri + "-missing"), Map.of(), null))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("password-file=" + file + "-missing").hasMessageContaining("no such file");
        // the tools would take a password of ~/.my.cnf before MYSQL_PWD: a different one there is refused, not ignored
        Path myCnf = Files.writeString(dir.resolve(".my.cnf"), "[client]\npassword=Other-1\n");
        assertThatThrownBy(() -> MysqlLocation.parse(URI.create(uri), Map.of(), myCnf))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining(myCnf.toString()).hasMessageNotContaining("Other-1").hasMessageNotContaining("From-File-9");
        Files.writeString(myCnf, "[client]\npassword=From-File-9\n");
        assertThat(MysqlLocation.parse(URI.create(uri), Map.of(), myCnf).password()).isEqualTo("From-File-9");
    }

    @Test
    void whatTheUriLeavesOutComesFromMyCnfForTheJdbcSide() throws Exception {
        Path myCnf = dir.resolve(".my.cnf");
        Files.writeString(myCnf, "[mysqld]\nport=1\n[client]\nuser = ops\npassword=\"from file\"\n# comment\n[mysql]\nuser=other\n");
        MysqlLocation l = MysqlLocation.parse(URI.create("mysql://db2/posts"), Map.of(), myCnf);
        assertThat(l.user()).isEqualTo("ops");
        assertThat(l.password()).isEqualTo("from file");
        assertThat(l.port()).isEqualTo(3306);
        assertThat(l.toolArguments()).noneMatch(a -> a.contains("from file"));
        assertThat(MysqlLocation.parse(URI.create("mysql://u@localhost/posts"), Map.of("MYSQL_PWD", "envpw"), myCnf).password())
                .isEqualTo("envpw");
        assertThat(MysqlLocation.parse(URI.create("mysql://u@localhost/posts"), Map.of(), null).host()).isEqualTo("127.0.0.1");
    }

    @Test
    void badUrisAreRefused() {
        assertThatThrownBy(() -> MysqlLocation.parse(URI.create("mysql://u:pw@h/"), Map.of(), null))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("one database").hasMessageNotContaining(":pw@");
        assertThatThrownBy(() -> MysqlLocation.parse(URI.create("mysql://u@h/db?ssl=true"), Map.of(), null))
                .hasMessageContaining("~/.my.cnf").hasMessageContaining("password-file");
    }

    @Test
    void hostileValuesAreOneLineBadInputNotTheDriversText() {
        assertThatThrownBy(() -> MysqlLocation.parse(URI.create("mysql://u@127.0.0.1:99999/db"), Map.of(), null))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("99999").hasMessageNotContaining("Exception");
        assertThatThrownBy(() -> MysqlLocation.parse(URI.create("mysql://u@no-such-host.invalid/db"), Map.of(), null).connect())
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("unknown host 'no-such-host.invalid'");
    }

    @Test
    void bothSchemesAreRegisteredAsDatabases() {
        assertThat(Stores.isDatabase("mysql://u@h/db")).isTrue();
        assertThat(Stores.isDatabase("mariadb://u@h/db")).isTrue();
        assertThat(Stores.database("mariadb://u:secret@h:1/db").displayUri()).isEqualTo("mysql://u@h:1/db");
    }

    /** Like PostgreSQL's: a password given as ?password= is declared secret, so Redaction hides it wherever a URI is shown. */
    @Test
    void thePasswordParameterIsDeclaredSecretLikePostgres() {
        assertThat(new MysqlProviderFactory().secretParameters()).containsExactly("password");
    }
}
