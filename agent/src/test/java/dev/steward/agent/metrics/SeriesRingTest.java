package dev.steward.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SeriesRingTest {
    private static final long T0 = 1_800_000_000L;

    @Test
    void keepsTheLastHourSecondBySecondAndAnOlderHourNeverShowsThrough() {
        SeriesRing ring = new SeriesRing(T0);
        for (long s = T0; s < T0 + 5000; s++) ring.put(s, (int) (s - T0), 1.5, 9.0, 2);
        long now = T0 + 4999;
        SeriesRing.Window w = ring.window(now, SeriesRing.SECONDS);
        assertThat(w.from()).isEqualTo(now - 3599);
        assertThat(w.requests()).hasSize(3600);
        assertThat(w.requests().get(0)).isEqualTo(1400);
        assertThat(w.requests().get(3599)).isEqualTo(4999);
        assertThat(w.p50().get(3599)).isEqualTo(1.5);
        assertThat(w.p99().get(3599)).isEqualTo(9.0);
        assertThat(w.instances()).containsOnly(2);
        // a second skipped (the sampler late) is a gap, not the value of the hour before in its slot
        ring.put(now + 2, 7, 1, 1, 2);
        SeriesRing.Window later = ring.window(now + 2, 3);
        assertThat(later.requests()).containsExactly(4999, null, 7);
        assertThat(later.instances()).containsExactly(2, null, 2);
    }

    @Test
    void anIdleServiceReadsAsZerosForTheSecondsSampledSinceItWasFirstSeen() {
        SeriesRing ring = new SeriesRing(T0);
        for (long s = T0; s < T0 + 10; s++) ring.put(s, 0, Double.NaN, Double.NaN, 0);
        SeriesRing.Window w = ring.window(T0 + 9, 12);
        // two seconds before it was first seen: unknown; then idle
        assertThat(w.requests()).containsExactly(null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(w.p50()).containsOnlyNulls();
        // the first busy second: the idle ones before it stay known as idle
        ring.put(T0 + 10, 3, 2.0, 4.0, 1);
        SeriesRing.Window after = ring.window(T0 + 10, 4);
        assertThat(after.requests()).containsExactly(0, 0, 0, 3);
        assertThat(after.instances()).containsExactly(0, 0, 0, 1);
        assertThat(after.p50()).containsExactly(null, null, null, 2.0);
    }

    @Test
    void theInstanceCountIsKeptAsItsChangesAndStillKnownAnHourOnWhenItDidNotChange() {
        SeriesRing ring = new SeriesRing(T0);
        ring.put(T0, 0, Double.NaN, Double.NaN, 1);
        for (long s = T0 + 1; s <= T0 + 7200; s++) ring.put(s, 0, Double.NaN, Double.NaN, s == T0 + 7000 ? 3 : (s > T0 + 7000 ? 2 : 1));
        SeriesRing.Window w = ring.window(T0 + 7200, 3600);
        assertThat(w.instances().get(0)).isEqualTo(1); // set two hours ago, unchanged since
        assertThat(w.instances().subList(3398, 3401)).containsExactly(1, 3, 2);
        assertThat(w.instances().get(3599)).isEqualTo(2);
        assertThat(w.requests()).containsOnly(0);
        // and a ring whose points are older than its hour reads as gaps
        assertThat(ring.window(T0 + 7200 + 5000, 3).instances()).containsOnlyNulls();
    }

    @Test
    void refusesWindowsOutsideAnHourAndPointsBeforeItsStartOrNotNewer() {
        SeriesRing ring = new SeriesRing(T0);
        assertThatThrownBy(() -> ring.window(T0, 0)).hasMessage("seconds: 0 (expected: 1-3600)");
        assertThatThrownBy(() -> ring.window(T0, 3601)).hasMessage("seconds: 3601 (expected: 1-3600)");
        assertThatThrownBy(() -> ring.put(T0 - 1, 1, 1, 1, 1)).hasMessage("second: " + (T0 - 1) + " (expected: " + T0 + " or later)");
        ring.put(T0 + 5, 1, 1, 1, 1);
        assertThatThrownBy(() -> ring.put(T0 + 5, 1, 1, 1, 1)).hasMessage("second: " + (T0 + 5) + " (expected: after " + (T0 + 5) + ")");
    }
}
