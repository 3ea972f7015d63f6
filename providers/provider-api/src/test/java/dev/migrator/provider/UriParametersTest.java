package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UriParametersTest {
    @Test
    void numbersInRangeOrTheDefaultElseOneClearLine() {
        assertThat(UriParameters.number(null, "page-size", 1, 1000, 500, "gs://b/")).isEqualTo(500);
        assertThat(UriParameters.number("1000", "page-size", 1, 1000, 500, "gs://b/")).isEqualTo(1000);
        for (String bad : new String[] {"0", "1001", "ten"}) {
            assertThatThrownBy(() -> UriParameters.number(bad, "page-size", 1, 1000, 500, "gs://b/?page-size=" + bad))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessage("page-size '" + bad + "' in 'gs://b/?page-size=" + bad + "' must be a number from 1 to 1000");
        }
    }

    @Test
    void durationsOrTheDefault() {
        assertThat(UriParameters.duration(Map.of(), "read-timeout", Duration.ofSeconds(30), "az://a/c")).hasSeconds(30);
        assertThat(UriParameters.duration(Map.of("read-timeout", "2m"), "read-timeout", Duration.ofSeconds(30), "az://a/c"))
                .hasMinutes(2);
        assertThatThrownBy(() -> UriParameters.duration(Map.of("read-timeout", "soon"), "read-timeout", Duration.ZERO, "az://a/c"))
                .isInstanceOf(MigratorException.class).hasMessageContaining("read-timeout 'soon' in 'az://a/c'");
    }
}
