package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InstantsTest {
    /** Every form Instant#toString writes (whole seconds, milli-, micro-, nanoseconds) reads back as Instant#parse reads it. */
    @Test
    void readsWhatInstantToStringWritesAsInstantParseDoes() {
        Random random = new Random(5);
        for (int i = 0; i < 40_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(253_402_300_799L), random.nextInt(1_000_000_000));
            Instant written = switch (i % 4) {
                case 0 -> t.truncatedTo(ChronoUnit.SECONDS);
                case 1 -> t.truncatedTo(ChronoUnit.MILLIS);
                case 2 -> t.truncatedTo(ChronoUnit.MICROS);
                default -> t;
            };
            String text = written.toString();
            assertThat(Instants.utc(text)).as(text).isEqualTo(Instant.parse(text)).isEqualTo(written);
        }
        assertThat(Instants.parse("2026-12-03T09:00:00.1Z")).isEqualTo(Instant.parse("2026-12-03T09:00:00.100Z"));
    }

    /** Other forms and bad text: the same answer or the same refusal as Instant#parse. */
    @Test
    void everythingElseIsInstantParses() {
        for (String other : new String[] {"2026-12-03T09:00:00+01:00", "2026-12-03T23:59:60Z", "+12026-12-03T09:00:00Z",
                "2024-02-29T00:00:00Z", "2026-12-03T24:00:00Z", "2026-12-03T09:00:00.Z"}) {
            assertThat(Instants.parse(other)).as(other).isEqualTo(Instant.parse(other));
        }
        for (String bad : new String[] {"2027-02-29T00:00:00Z", "2026-13-03T09:00:00Z", "2026-12-03T09:00:00.1234567890Z",
                "2026-12-03 09:00:00Z", "2026-12-3T09:00:00Z", "yesterday", ""}) {
            assertThat(Instants.utc(bad)).as(bad).isNull();
            assertThatThrownBy(() -> Instants.parse(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
        }
    }
}
