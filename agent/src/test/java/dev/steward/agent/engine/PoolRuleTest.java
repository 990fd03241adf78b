package dev.steward.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pool's growth rule and the crash back-off, as PROTOCOL.md states them. */
class PoolRuleTest {
    @Test
    void anyWaitingEventGetsAWorkerAndThePoolGrowsPastItsThreshold() {
        assertThat(PoolRule.toSpawn(0, 0, 5, 10)).isZero();
        assertThat(PoolRule.toSpawn(1, 0, 5, 10)).isEqualTo(1);
        assertThat(PoolRule.toSpawn(5, 1, 5, 10)).as("not more than pool x threshold").isZero();
        assertThat(PoolRule.toSpawn(6, 1, 5, 10)).as("to max(1, 6 / 5) = 1: already there").isZero();
        assertThat(PoolRule.toSpawn(20, 1, 5, 10)).as("to 20 / 5 = 4").isEqualTo(3);
        assertThat(PoolRule.toSpawn(500, 2, 5, 10)).as("never past the limit").isEqualTo(8);
        assertThat(PoolRule.toSpawn(500, 10, 5, 10)).isZero();
        assertThat(PoolRule.toSpawn(3, 1, 0, 10)).as("a threshold of 0 counts as 1").isEqualTo(2);
    }

    @Test
    void backOffStartsAtOneSecondAndDoublesToThirtyTwo() {
        Backoff b = Backoff.NONE;
        assertThat(b.holds(0)).isFalse();
        long now = 1_000L;
        long[] expected = {1, 2, 4, 8, 16, 32, 32};
        for (long seconds : expected) {
            b = b.crashed(now);
            assertThat(b.delayNanos()).isEqualTo(seconds * 1_000_000_000L);
            assertThat(b.holds(now + b.delayNanos() - 1)).isTrue();
            assertThat(b.holds(now + b.delayNanos())).isFalse();
        }
    }

    @Test
    void timeoutsAreCheckedAtAQuarterOfTheShortestWithinBounds() {
        dev.steward.model.Profile p = dev.steward.model.Profile.parse("{\"heartbeat-timeout\": 2, \"startup-timeout\": 1}");
        assertThat(AppEngine.tickNanos(p)).isEqualTo(250_000_000L);
        assertThat(AppEngine.tickNanos(dev.steward.model.Profile.defaults())).as("at most a second").isEqualTo(1_000_000_000L);
    }
}
