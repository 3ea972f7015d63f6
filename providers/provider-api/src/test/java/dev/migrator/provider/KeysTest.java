package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeysTest {
    @Test
    void ordersByUnsignedUtf8BytesLikeS3() {
        // UTF-16 order would put U+FF01 before the surrogate pair of U+1F600; UTF-8 order does not.
        List<String> keys = new ArrayList<>(List.of("a/b", "a-c", "\uD83D\uDE00", "\uFF01", "a", "A", "a/"));
        keys.sort(Keys.ORDER);
        assertThat(keys).containsExactly("A", "a", "a-c", "a/", "a/b", "\uFF01", "\uD83D\uDE00");
    }

    @Test
    void rootPrefixAlwaysEndsWithSlash() {
        assertThat(Keys.rootPrefix("")).isEmpty();
        assertThat(Keys.rootPrefix("/")).isEmpty();
        assertThat(Keys.rootPrefix("/media")).isEqualTo("media/");
        assertThat(Keys.rootPrefix("/media/2024/")).isEqualTo("media/2024/");
    }

    @Test
    void rejectsKeysNoStoreAccepts() {
        assertThatThrownBy(() -> Keys.requireValid("x".repeat(1025)))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT));
        assertThat(Keys.requireValid("é".repeat(512))).hasSize(512);
    }
}
