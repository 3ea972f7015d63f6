package dev.migrator.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void bytesWithOrWithoutB() {
        assertThat(Sizes.parse("0")).isZero();
        assertThat(Sizes.parse("512")).isEqualTo(512L);
        assertThat(Sizes.parse("512B")).isEqualTo(512L);
        assertThat(Sizes.parse("512 b")).isEqualTo(512L);
    }

    @Test
    void singleLettersAreBinary() {
        assertThat(Sizes.parse("1K")).isEqualTo(1024L);
        assertThat(Sizes.parse("16M")).isEqualTo(16L << 20);
        assertThat(Sizes.parse("1G")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("2T")).isEqualTo(2L << 40);
        assertThat(Sizes.parse("1P")).isEqualTo(1L << 50);
        assertThat(Sizes.parse("16m")).isEqualTo(16L << 20);
    }

    @Test
    void iecUnitsAreBinary() {
        assertThat(Sizes.parse("1KiB")).isEqualTo(1024L);
        assertThat(Sizes.parse("512MiB")).isEqualTo(512L << 20);
        assertThat(Sizes.parse("1GiB")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("1.8TiB")).isEqualTo(Math.round(1.8 * (1L << 40)));
        assertThat(Sizes.parse("1PiB")).isEqualTo(1L << 50);
        assertThat(Sizes.parse("1Mi")).isEqualTo(1L << 20);
        assertThat(Sizes.parse("1mib")).isEqualTo(1L << 20);
    }

    @Test
    void siUnitsAreDecimal() {
        assertThat(Sizes.parse("1kB")).isEqualTo(1_000L);
        assertThat(Sizes.parse("1KB")).isEqualTo(1_000L);
        assertThat(Sizes.parse("1MB")).isEqualTo(1_000_000L);
        assertThat(Sizes.parse("40GB")).isEqualTo(40_000_000_000L);
        assertThat(Sizes.parse("1TB")).isEqualTo(1_000_000_000_000L);
        assertThat(Sizes.parse("1PB")).isEqualTo(1_000_000_000_000_000L);
        assertThat(Sizes.parse("1mb")).isEqualTo(1_000_000L);
    }

    @Test
    void fractionsSpacesAndRounding() {
        assertThat(Sizes.parse("1.5G")).isEqualTo(3L << 29);
        assertThat(Sizes.parse(" 1.5 GiB ")).isEqualTo(3L << 29);
        assertThat(Sizes.parse("0.5K")).isEqualTo(512L);
        assertThat(Sizes.parse("1.5")).isEqualTo(2L); // rounded to a whole byte
        assertThat(Sizes.parse("0.0001K")).isZero();
    }

    @Test
    void exactForLargeIntegersAndRefusesOverflow() {
        assertThat(Sizes.parse(Long.toString(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
        assertThat(Sizes.parse("9007199254740993")).isEqualTo(9_007_199_254_740_993L); // not representable as a double
        assertThat(Sizes.parse("9223372036854775808")).isNull();
        assertThat(Sizes.parse("8192P")).isNull();
        assertThat(Sizes.parse("8191P")).isEqualTo(8191L << 50);
    }

    @Test
    void whatIsNotASize() {
        for (String bad : new String[] {"", " ", "M", "-1", "-5M", "+5M", "1e6", "1,5G", "1.G", ".5G", "1X", "1KK", "1iB", "1i",
            "1BB", "1 M B", "1Gb/s", "ten", "1E"}) {
            assertThat(Sizes.parse(bad)).as(bad).isNull();
        }
        assertThat(Sizes.parse(null)).isNull();
    }

    @Test
    void badInputIsOneLineNamingTheOptionAndTheForms() {
        assertThatThrownBy(() -> Sizes.parse("12X", "--part-size"))
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).isEqualTo("--part-size '12X' is not a size; write e.g. 16M, 1.5GiB or 500MB"
                            + " (K, M, G, T and KiB, MiB, ... are powers of 1024; kB, MB, GB, ... powers of 1000)");
                    assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception");
                });
        assertThat(Sizes.parse("64M", "--bytes")).isEqualTo(64L << 20);
    }

    @Test
    void rates() {
        assertThat(Sizes.rate("100MiB/s")).isEqualTo(100L << 20);
        assertThat(Sizes.rate(" 40MB/s ")).isEqualTo(40_000_000L);
        assertThat(Sizes.rate("100MiB")).isNull();
        assertThat(Sizes.rate("fast/s")).isNull();
    }

    @Test
    void formatsInBinaryUnitsThatParseBack() {
        assertThat(Sizes.format(0)).isEqualTo("0 B");
        assertThat(Sizes.format(1023)).isEqualTo("1023 B");
        assertThat(Sizes.format(1536)).isEqualTo("1.5 KiB");
        assertThat(Sizes.format(16L << 20)).isEqualTo("16.0 MiB");
        assertThat(Sizes.format(3L << 39)).isEqualTo("1.5 TiB");
        assertThat(Sizes.format(2L << 50)).isEqualTo("2.0 PiB");
        assertThat(Sizes.format(5000L << 50)).isEqualTo("5000.0 PiB");
        assertThat(Sizes.parse(Sizes.format(3L << 29))).isEqualTo(3L << 29);
    }
}
