package dev.steward.agent.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.model.RestartPolicy;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RestartTrackerTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration SHORT = Duration.ofMillis(50);

    static RestartTracker tracker(int limit) {
        return new RestartTracker(new RestartPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), limit, Duration.ofMinutes(1)));
    }

    static Duration restartAfter(RestartTracker.Decision d) {
        return ((RestartTracker.Decision.Restart) d).after();
    }

    @Test
    void delaysDoubleUpToMaxDelay() {
        RestartTracker t = tracker(100);
        assertThat(restartAfter(t.ended(T0, SHORT, true))).isEqualTo(Duration.ofMillis(100));
        assertThat(restartAfter(t.ended(T0.plusSeconds(1), SHORT, true))).isEqualTo(Duration.ofMillis(200));
        assertThat(restartAfter(t.ended(T0.plusSeconds(2), SHORT, true))).isEqualTo(Duration.ofMillis(400));
        assertThat(restartAfter(t.ended(T0.plusSeconds(3), SHORT, true))).isEqualTo(Duration.ofMillis(800));
        assertThat(restartAfter(t.ended(T0.plusSeconds(4), SHORT, true))).isEqualTo(Duration.ofSeconds(1));
        assertThat(restartAfter(t.ended(T0.plusSeconds(5), SHORT, true))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theLimitWithinTheWindowDisables() {
        RestartTracker t = tracker(3);
        t.ended(T0, SHORT, true);
        t.ended(T0.plusSeconds(1), SHORT, true);
        RestartTracker.Decision d = t.ended(T0.plusSeconds(2), SHORT, true);
        assertThat(d).isInstanceOf(RestartTracker.Decision.Disable.class);
        assertThat(((RestartTracker.Decision.Disable) d).reason()).isEqualTo("3 failures within 1m (failures-limit 3)");
    }

    @Test
    void failuresOutsideTheWindowAreForgotten() {
        RestartTracker t = tracker(3);
        t.ended(T0, SHORT, true);
        t.ended(T0.plusSeconds(1), SHORT, true);
        assertThat(t.ended(T0.plusSeconds(90), SHORT, true)).isInstanceOf(RestartTracker.Decision.Restart.class);
        assertThat(t.recentFailures()).isEqualTo(1);
    }

    @Test
    void aCleanRunClearsTheHistory() {
        RestartTracker t = tracker(3);
        t.ended(T0, SHORT, true);
        t.ended(T0.plusSeconds(1), SHORT, true);
        RestartTracker.Decision d = t.ended(T0.plusSeconds(30), Duration.ofSeconds(20), true);
        assertThat(restartAfter(d)).isEqualTo(Duration.ofMillis(100));
        assertThat(t.recentFailures()).isEqualTo(1);
    }

    @Test
    void aCleanExitIsNotAFailure() {
        RestartTracker t = tracker(1);
        assertThat(restartAfter(t.ended(T0, SHORT, false))).isEqualTo(Duration.ofMillis(100));
        assertThat(t.recentFailures()).isZero();
    }
}
