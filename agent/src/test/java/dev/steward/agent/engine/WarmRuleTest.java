package dev.steward.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WarmRuleTest {
    static final long MS = 1_000_000L;
    final Warmth warmth = new Warmth(Duration.ofMillis(50), Duration.ofMinutes(10), WorkerSource.NONE, s -> {});

    @Test
    void aWorkerStaysWarmForKeepWarmAfterItsLastReplyThenPauses() {
        long now = 1_000 * MS; // a manual clock
        long idleSince = now;
        assertThat(WarmRule.decide(now, 0, idleSince, -1, warmth)).isEqualTo(WarmRule.Action.KEEP);
        assertThat(WarmRule.untilPause(now, idleSince, warmth)).isEqualTo(50 * MS);
        now += 49 * MS;
        assertThat(WarmRule.decide(now, 0, idleSince, -1, warmth)).isEqualTo(WarmRule.Action.KEEP);
        assertThat(WarmRule.untilPause(now, idleSince, warmth)).isEqualTo(MS);
        now += MS;
        assertThat(WarmRule.decide(now, 0, idleSince, -1, warmth)).isEqualTo(WarmRule.Action.PAUSE);
        assertThat(WarmRule.untilPause(now, idleSince, warmth)).isZero();
    }

    @Test
    void aBusyWorkerIsNeverPausedNorRemoved() {
        assertThat(WarmRule.decide(Long.MAX_VALUE / 2, 1, 0, -1, warmth)).isEqualTo(WarmRule.Action.KEEP);
        assertThat(WarmRule.decide(Long.MAX_VALUE / 2, 1, 0, 0, warmth)).isEqualTo(WarmRule.Action.KEEP);
    }

    @Test
    void aPausedWorkerIsRemovedAfterIdle() {
        long pausedAt = 5 * MS;
        long tenMinutes = Duration.ofMinutes(10).toNanos();
        assertThat(WarmRule.decide(pausedAt + tenMinutes - 1, 0, 0, pausedAt, warmth)).isEqualTo(WarmRule.Action.KEEP);
        assertThat(WarmRule.decide(pausedAt + tenMinutes, 0, 0, pausedAt, warmth)).isEqualTo(WarmRule.Action.REMOVE);
    }

    @Test
    void withoutKeepWarmOrForAppsNothingIsPaused() {
        Warmth never = new Warmth(Duration.ZERO, Duration.ofMinutes(10), WorkerSource.NONE, s -> {});
        assertThat(WarmRule.decide(Long.MAX_VALUE / 2, 0, 0, -1, never)).isEqualTo(WarmRule.Action.KEEP);
        assertThat(WarmRule.decide(Long.MAX_VALUE / 2, 0, 0, -1, Warmth.NONE)).isEqualTo(WarmRule.Action.KEEP);
        assertThatThrownBy(() -> new Warmth(Duration.ofMillis(-1), Duration.ofMinutes(1), WorkerSource.NONE, s -> {}))
                .hasMessage("keep-warm: PT-0.001S (expected: 0 or more)");
    }

    @Test
    void aWorkerBusyOnItsOwnIsLeftWarmUpToTheLimit() {
        assertThat(WarmRule.waitForQuiet(WarmRule.QUIET_LIMIT_NANOS - 1, 0)).isTrue();
        assertThat(WarmRule.waitForQuiet(WarmRule.QUIET_LIMIT_NANOS, 0)).as("paused anyway at the limit").isFalse();
    }
}
