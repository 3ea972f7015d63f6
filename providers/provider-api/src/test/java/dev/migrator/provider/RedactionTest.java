package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
    }
}
