package dev.steward.agent.dynamic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What an idle probe may answer: the seconds inactive, as a number or as oSPARC's JSON. */
class IdleAnswerTest {
    @Test
    void readsANumberOrSecondsInactive() {
        assertThat(Running.seconds("42\n")).isEqualTo(42);
        assertThat(Running.seconds("7.9")).isEqualTo(7);
        assertThat(Running.seconds("{\"seconds_inactive\": 600}")).isEqualTo(600);
        assertThat(Running.seconds(" {\"seconds_inactive\":0.5} ")).isZero();
    }

    @Test
    void refusesAnythingElseSayingWhatItGot() {
        for (String bad : new String[] {"", "-1", "soon", "{\"inactive\": 3}", "{\"seconds_inactive\": \"3\"}"}) {
            assertThatThrownBy(() -> Running.seconds(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the idle probe answered '" + bad.strip() + "'");
        }
    }
}
