package dev.steward.agent.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SamplesTest {
    @Test
    void theMedianOfTheLastNineForgetsOlderSamplesAndIgnoresOneOutlier() {
        Samples s = new Samples();
        assertThat(s.median()).as("none yet").isEqualTo(-1);
        s.add(100);
        assertThat(s.median()).isEqualTo(100);
        s.add(300);
        assertThat(s.median()).as("two: their mean").isEqualTo(200);
        for (int i = 0; i < 8; i++) s.add(50);
        s.add(1_000_000); // one slow probe
        assertThat(s.median()).isEqualTo(50);
        for (int i = 0; i < Samples.KEPT; i++) s.add(70);
        assertThat(s.median()).as("only the last nine count").isEqualTo(70);
    }

    @Test
    void aNegativeRoundTripIsRefused() {
        assertThatThrownBy(() -> new Samples().add(-1)).hasMessage("round trip: -1 ns (expected: 0 or more)");
    }
}
