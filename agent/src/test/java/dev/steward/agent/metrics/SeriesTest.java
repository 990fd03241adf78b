package dev.steward.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.steward.model.InstanceState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SeriesTest {
    /** A clock the test moves. */
    private static final class Manual extends Clock {
        Instant now = Instant.ofEpochSecond(1_800_000_000L);

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void eachSecondTakesTheGatewaysRequestsOfThatSecondTheirQuantilesAndTheLiveInstances() {
        Manual clock = new Manual();
        ProxyStats gateway = new ProxyStats();
        AtomicReference<Map<String, Map<InstanceState, Integer>>> instances = new AtomicReference<>(
                Map.of("web", Map.of(InstanceState.RUNNING, 2, InstanceState.EXITED, 3)));
        Series series = new Series(clock, gateway::totals, instances::get);
        for (int i = 0; i < 90; i++) gateway.record("web", 200, 3_000_000); // 3 ms: the 2.5-5 ms bucket
        for (int i = 0; i < 10; i++) gateway.record("web", 200, 400_000_000); // 400 ms: the 250-500 ms bucket
        series.sample();
        clock.now = clock.now.plusSeconds(1);
        series.sample(); // nothing in this second
        clock.now = clock.now.plusSeconds(1);
        gateway.record("web", 500, 700_000); // 0.7 ms
        series.sample();
        series.sample(); // the same second again: not taken twice

        Map<String, Object> w = series.window("web", 4);
        assertThat(w.get("from")).isEqualTo(1_800_000_000L - 1);
        assertThat(w.get("to")).isEqualTo(1_800_000_002L);
        assertThat(w.get("requests")).isEqualTo(java.util.Arrays.asList(null, 100, 0, 1));
        assertThat(w.get("instances")).isEqualTo(java.util.Arrays.asList(null, 2, 2, 2)); // exited ones are not live
        @SuppressWarnings("unchecked") List<Double> p50 = (List<Double>) w.get("p50-ms");
        @SuppressWarnings("unchecked") List<Double> p99 = (List<Double>) w.get("p99-ms");
        // rank 50 of 100 lies in the 2.5-5 ms bucket (90 there): 2.5 + 2.5 * 50/90
        assertThat(p50.get(1)).isCloseTo(2.5 + 2.5 * 50 / 90.0, within(0.001));
        // rank 99: the 9th of 10 in the 250-500 ms bucket
        assertThat(p99.get(1)).isCloseTo(250 + 250 * 9 / 10.0, within(0.01));
        assertThat(p50.get(2)).isNull();
        assertThat(p50.get(3)).isCloseTo(0.5 + 0.5 * 0.5, within(0.001));

        // unregistered: its ring goes with it
        instances.set(Map.of());
        clock.now = clock.now.plusSeconds(1);
        series.sample();
        assertThat(series.window("web", 2).get("requests")).isEqualTo(java.util.Arrays.asList(null, null));
    }

    @Test
    void figuresCountedAgainFromZeroAreTakenAsTheyAreNotAsANegativeRate() {
        Manual clock = new Manual();
        AtomicReference<Map<String, long[]>> totals = new AtomicReference<>();
        Series series = new Series(clock, totals::get, () -> Map.of("web", Map.of(InstanceState.RUNNING, 1)));
        long[] many = new long[ProxyStats.FIRST_BUCKET + ProxyStats.BOUNDS.length + 2];
        many[ProxyStats.FIRST_BUCKET + 3] = 50;
        totals.set(Map.of("web", many));
        series.sample();
        long[] few = new long[many.length];
        few[ProxyStats.FIRST_BUCKET + 3] = 2; // the gateway forgot the service and counted two since
        totals.set(Map.of("web", few));
        clock.now = clock.now.plusSeconds(1);
        series.sample();
        assertThat(series.window("web", 2).get("requests")).isEqualTo(List.of(50, 2));
    }

    @Test
    void quantilesPastTheLastBoundAreTheLastBound() {
        long[] buckets = new long[ProxyStats.BOUNDS.length + 1];
        buckets[buckets.length - 1] = 5;
        assertThat(Series.quantile(buckets, 5, 0.5)).isEqualTo(60_000.0);
        assertThat(Series.quantile(buckets, 0, 0.5)).isNaN();
    }
}
