package dev.steward.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsAndSizesTest {

    @ParameterizedTest
    @CsvSource({"100ms,100", "30s,30000", "10m,600000", "2h,7200000", "30d,2592000000", "0ms,0", "' 5s ',5000"})
    void parsesDurations(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "1.5s", "-1s", "10 s", "10sec", "1w", "s", "1e3ms", "1234567890123456789s"})
    void refusesLooseDurations(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a duration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"366d", "99999999999d", "8761h", "525601m", "31536001s", "31536000001ms", "999999999999999999ms"})
    void refusesDurationsOverAYear(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is longer than a year (at most 365d)");
        assertThat(Durations.parse("365d")).isEqualTo(Durations.MAX);
    }

    @ParameterizedTest
    @CsvSource({"100ms", "30s", "10m", "2h", "1500ms"})
    void formatsBackToTheSameText(String text) {
        assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"256Mi,268435456", "1Ki,1024", "2Gi,2147483648", "1k,1000", "3M,3000000", "512,512", "1Ti,1099511627776"})
    void parsesSizes(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "256MB", "256mi", "1.5Gi", "-1", "Mi", "256 Mi", "999999999999999Ti"})
    void refusesLooseSizes(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
