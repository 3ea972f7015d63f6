package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void unitsAndPlainSeconds() {
        assertThat(Durations.parse("500ms", "t")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30s", "t")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("2m", "t")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse(" 45 ", "t")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Durations.parse("1ms", "t")).isEqualTo(Duration.ofMillis(1));
        assertThat(Durations.parse("60m", "t")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("3600", "t")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void outsideTheRangeOrNotADurationIsBadInputNamingTheThing() {
        for (String bad : new String[] {"0", "0ms", "3601", "61m", "-1", "1.5s", "forever", "10h", "", "99999999"}) {
            assertThatThrownBy(() -> Durations.parse(bad, "read-timeout '" + bad + "' in 's3://b/'"))
                    .as(bad).isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.getMessage()).isEqualTo("read-timeout '" + bad + "' in 's3://b/' must be " + Durations.FORMS);
                    });
        }
        assertThatThrownBy(() -> Durations.parse(null, "connect-timeout")).hasMessageContaining("connect-timeout must be");
    }
}
