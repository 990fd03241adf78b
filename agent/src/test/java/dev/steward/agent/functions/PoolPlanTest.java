package dev.steward.agent.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PoolPlanTest {
    static final long MS = 1_000_000L;
    static final long MIB = 1L << 20;
    final PoolPlan plan = new PoolPlan(3, Duration.ofMinutes(10), 100 * MIB);
    final long lots = 10_000 * MIB;

    static PoolPlan.Lane lane(int ready, int starting, long lastUse) {
        return new PoolPlan.Lane(ready, starting, lastUse, 0, 0, 40 * MIB);
    }

    @Test
    void aPoolFillsUpToItsSizeCountingWorkersStarting() {
        long now = 1_000 * MS;
        assertThat(plan.toStart(now, lane(0, 0, now), lots)).isEqualTo(3);
        assertThat(plan.toStart(now, lane(1, 1, now), lots)).isEqualTo(1);
        assertThat(plan.toStart(now, lane(2, 1, now), lots)).isZero();
        assertThat(new PoolPlan(0, Duration.ofMinutes(1), 0).toStart(now, lane(0, 0, now), lots)).isZero();
    }

    @Test
    void itIsBoundedByTheMemoryBeyondTheReserve() {
        long now = 0;
        assertThat(plan.toStart(now, lane(0, 0, now), 100 * MIB + 80 * MIB)).isEqualTo(2); // two workers of 40 MiB
        assertThat(plan.toStart(now, lane(0, 0, now), 100 * MIB + 39 * MIB)).isZero();
        assertThat(plan.toStart(now, lane(0, 0, now), 50 * MIB)).isZero(); // below the reserve
    }

    @Test
    void aRuntimeUnusedForIdleIsEmptiedAndNotRefilled() {
        long lastUse = 7 * MS;
        long idle = Duration.ofMinutes(10).toNanos();
        assertThat(plan.idle(lastUse + idle - 1, lane(3, 0, lastUse))).isFalse();
        assertThat(plan.idle(lastUse + idle, lane(3, 0, lastUse))).isTrue();
        assertThat(plan.toStart(lastUse + idle, lane(0, 0, lastUse), lots)).isZero();
    }

    @Test
    void threeFailedStartsInARowWaitAMinute() {
        long failedAt = 50 * MS;
        PoolPlan.Lane failing = new PoolPlan.Lane(0, 0, failedAt, 3, failedAt, 40 * MIB);
        assertThat(plan.toStart(failedAt + Duration.ofSeconds(59).toNanos(), failing, lots)).isZero();
        assertThat(plan.toStart(failedAt + Duration.ofSeconds(60).toNanos(), failing, lots)).isEqualTo(3);
    }

    @Test
    void badSettingsAreRefusedByName() {
        assertThatThrownBy(() -> new PoolPlan(-1, Duration.ofMinutes(1), 0)).hasMessage("size: -1 (expected: 0 or more)");
        assertThatThrownBy(() -> new PoolPlan(1, Duration.ZERO, 0)).hasMessage("idle: PT0S (expected: more than 0)");
    }
}
