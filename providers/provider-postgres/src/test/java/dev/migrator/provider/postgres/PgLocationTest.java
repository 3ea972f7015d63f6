package dev.migrator.provider.postgres;

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

class PgLocationTest {
    @Test
    void partsComeFromTheUriAndThePasswordStaysHidden() {
        PgLocation l = PgLocation.parse(URI.create("postgresql://app:s%40cr+t@db1.example:6543/shop?sslmode=require"), Map.of());
        assertThat(l.user()).isEqualTo("app");
        assertThat(l.password()).isEqualTo("s@cr+t");
        assertThat(l.host()).isEqualTo("db1.example");
        assertThat(l.port()).isEqualTo(6543);
        assertThat(l.database()).isEqualTo("shop");
        assertThat(l.display()).isEqualTo("postgresql://app@db1.example:6543/shop");
        assertThat(l.toString()).doesNotContain("cr+t");
        assertThat(l.toolEnvironment()).containsEntry("PGPASSWORD", "s@cr+t").containsEntry("PGSSLMODE", "require")
                .containsEntry("PGHOST", "db1.example").containsEntry("PGPORT", "6543").containsEntry("PGDATABASE", "shop");
    }

    @Test
    void whatTheUriLeavesOutComesFromTheLibpqEnvironment() {
        PgLocation l = PgLocation.parse(URI.create("postgresql:///"),
                Map.of("PGHOST", "10.0.0.5", "PGPORT", "5433", "PGUSER", "ops", "PGPASSWORD", "envpw", "PGDATABASE", "posts"));
        assertThat(l.display()).isEqualTo("postgresql://ops@10.0.0.5:5433/posts");
        assertThat(l.password()).isEqualTo("envpw");
        PgLocation noPassword = PgLocation.parse(URI.create("postgres://ops@h/posts"), Map.of());
        assertThat(noPassword.password()).isNull(); // ~/.pgpass is then read by libpq and by the JDBC driver
        assertThat(noPassword.toolEnvironment()).doesNotContainKey("PGPASSWORD");
        assertThat(noPassword.port()).isEqualTo(5432);
    }

    @Test
    void aPasswordFileGivesThePasswordWithoutItBeingOnTheCommandLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "From-File-9\n");
        String uri = "postgresql://app@db1/shop?password-file=" + file;
        PgLocation l = PgLocation.parse(URI.create(uri), Map.of("PGPASSWORD", "from-env"));
        assertThat(l.password()).isEqualTo("From-File-9");
        assertThat(l.toolEnvironment()).containsEntry("PGPASSWORD", "From-File-9");
        assertThat(Stores.database(uri).displayUri()).isEqualTo("postgresql://app@db1:5432/shop");
        assertThatThrownBy(() -> PgLocation.parse(URI.create(uri + "-missing"), Map.of()))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("password-file=" + file + "-missing").hasMessageContaining("no such file");
    }

    @Test
    void badUrisAreRefusedWithTheirRedactedForm() {
        assertThatThrownBy(() -> PgLocation.parse(URI.create("postgresql://u:pw@h/db?colour=blue"), Map.of()))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("colour").hasMessageContaining("sslmode").hasMessageNotContaining(":pw@");
        assertThatThrownBy(() -> PgLocation.parse(URI.create("postgresql://h/a/b"), Map.of()))
                .hasMessageContaining("one database");
    }

    @Test
    void hostileValuesAreOneLineBadInputNotTheDriversText() {
        for (String uri : new String[] {"postgresql://u@127.0.0.1:99999/db", "postgresql://u@h/db?sslmode=bogus",
                "postgresql://u@h/db?connect_timeout=abc"}) {
            assertThatThrownBy(() -> PgLocation.parse(URI.create(uri), Map.of()))
                    .as(uri).isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageNotContaining("Exception").hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> PgLocation.parse(URI.create("postgresql://u@no-such-host.invalid/db"), Map.of()).connect())
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("unknown host 'no-such-host.invalid'");
    }

    @Test
    void bothSchemesAreRegisteredAsDatabases() {
        assertThat(Stores.isDatabase("postgresql://u@h/db")).isTrue();
        assertThat(Stores.isDatabase("postgres://u@h/db")).isTrue();
        assertThat(Stores.database("postgres://u:secret@h:1/db").displayUri()).isEqualTo("postgresql://u@h:1/db");
    }
}
