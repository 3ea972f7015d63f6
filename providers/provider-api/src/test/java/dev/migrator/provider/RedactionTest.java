package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedactionTest {
    @Test
    void removesPasswordsAndSecretParameters() {
        assertThat(Redaction.uri("postgresql://app:s3cret@db:5432/posts"))
                .isEqualTo("postgresql://app:***@db:5432/posts");
        assertThat(Redaction.uri("s3://bucket/p?endpoint=http://h:9000&secret_key=abc&region=x"))
                .isEqualTo("s3://bucket/p?endpoint=http://h:9000&secret_key=***&region=x");
        assertThat(Redaction.uri("s3://bucket/p?endpoint=http://h:9000")).isEqualTo("s3://bucket/p?endpoint=http://h:9000");
        assertThat(Redaction.uri("s3://b/?access-key=AKIA1&secret-key=abc%2Fdef&path-style=true"))
                .isEqualTo("s3://b/?access-key=***&secret-key=***&path-style=true");
        assertThat(Redaction.uri("mysql://root@127.0.0.1/db")).isEqualTo("mysql://root@127.0.0.1/db");
        assertThat(Redaction.uri("postgresql://app@db/posts?password-file=/run/secrets/pg&sslmode=require"))
                .isEqualTo("postgresql://app@db/posts?password-file=***&sslmode=require");
    }

    /** A provider's own secret parameter, unknown to the built-in list, is hidden because the provider declares it. */
    @Test
    void hidesTheSecretParametersProvidersDeclare() {
        assertThat(Redaction.uri("vault-test://box/p?account-key=hunter2&x=1"))
                .isEqualTo("vault-test://box/p?account-key=***&x=1");
        assertThat(Redaction.uri("vault-test://box/p?ACCOUNT-KEY=hunter2")).isEqualTo("vault-test://box/p?ACCOUNT-KEY=***");
        // Not a parameter merely containing the name.
        assertThat(Redaction.uri("vault-test://box/p?my-account-key-id=7")).isEqualTo("vault-test://box/p?my-account-key-id=7");
    }

    @Test
    void aSecretFileGivesItsFirstLineAndABadOneIsOneLineWithoutTheSecret(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pw");
        Files.writeString(file, "s3 cr=t\nsecond line\n");
        assertThat(Redaction.secretFromFile("password-file", file.toString(), "mysql://u@h/db")).isEqualTo("s3 cr=t");
        Files.writeString(file, "no newline");
        assertThat(Redaction.secretFromFile("password-file", file.toString(), "mysql://u@h/db")).isEqualTo("no newline");
        for (Path bad : new Path[] {dir.resolve("missing"), dir, Files.writeString(dir.resolve("empty"), "\nSeCrEt2\n")}) {
            assertThatThrownBy(() -> Redaction.secretFromFile("password-file", bad.toString(), "mysql://u@h/db"))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining("password-file=" + bad).hasMessageNotContaining("Exception").hasMessageNotContaining("SeCrEt2");
        }
    }
}
