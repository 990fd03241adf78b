package dev.steward.agent.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.agent.traffic.Endpoint;
import dev.steward.model.Route;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BalancerTest {
    final Endpoint a = new Endpoint("a", "127.0.0.1", 1);
    final Endpoint b = new Endpoint("b", "127.0.0.1", 2);
    final Endpoint c = new Endpoint("c", "127.0.0.1", 3);
    final List<Endpoint> all = List.of(a, b, c);
    final Map<String, Integer> inFlight = new HashMap<>();
    final Map<String, Long> latency = new HashMap<>();

    Balancer.Pick pick(Route r, String not, int turn) {
        return Balancer.pick(all, r, not, turn, i -> inFlight.getOrDefault(i, 0), e -> latency.getOrDefault(e.instance(), -1L));
    }

    static Route latencyRoute(int softMs, int hardMs) {
        return new Route(null, null, true, Route.Balance.LEAST_REQUESTS,
                new Route.Latency(Duration.ofMillis(softMs), Duration.ofMillis(hardMs)), null, 0);
    }

    @Test
    void leastRequestsPicksTheIdlestAndTakesTiesInTurn() {
        inFlight.put("a", 3);
        inFlight.put("b", 1);
        inFlight.put("c", 1);
        assertThat(pick(Route.DEFAULT, null, 0).endpoint()).isIn(b, c);
        assertThat(List.of(pick(Route.DEFAULT, null, 1).endpoint(), pick(Route.DEFAULT, null, 2).endpoint())).containsExactlyInAnyOrder(b, c);
    }

    @Test
    void roundRobinTakesEachInTurnWhateverTheirLoad() {
        Route rr = new Route(null, null, true, Route.Balance.ROUND_ROBIN, null, null, 0);
        inFlight.put("a", 100);
        assertThat(List.of(pick(rr, null, 0).endpoint(), pick(rr, null, 1).endpoint(), pick(rr, null, 2).endpoint(), pick(rr, null, 3).endpoint()))
                .containsExactly(a, b, c, a);
    }

    @Test
    void aRetryNeverGoesBackToTheInstanceItCameFrom() {
        for (int t = 0; t < 6; t++) assertThat(pick(Route.DEFAULT, "a", t).endpoint()).isNotEqualTo(a);
        assertThat(Balancer.pick(List.of(a), Route.DEFAULT, "a", 0, i -> 0, e -> -1)).isNull();
    }

    @Test
    void latencyAwarePrefersInstancesUnderSoftEvenWhenBusier() {
        latency.put("a", 5_000_000L);
        latency.put("b", 50_000_000L);
        latency.put("c", 300_000_000L);
        inFlight.put("a", 5);
        for (int t = 0; t < 6; t++) {
            Balancer.Pick p = pick(latencyRoute(20, 200), null, t);
            assertThat(p.endpoint()).isEqualTo(a);
            assertThat(p.wantMore()).isFalse();
        }
    }

    @Test
    void noneUnderSoftAsksForMoreAndNeverSendsOverHardWhileAnotherIsUnder() {
        latency.put("a", 100_000_000L);
        latency.put("b", 300_000_000L);
        latency.put("c", 400_000_000L);
        for (int t = 0; t < 6; t++) {
            Balancer.Pick p = pick(latencyRoute(20, 200), null, t);
            assertThat(p.endpoint()).isEqualTo(a);
            assertThat(p.wantMore()).isTrue();
        }
    }

    @Test
    void unknownLatencyCountsAsFastSoANewInstanceGetsTried() {
        latency.put("a", 100_000_000L);
        latency.put("b", 100_000_000L);
        assertThat(pick(latencyRoute(20, 200), null, 0).endpoint()).isEqualTo(c);
    }

    @Test
    void whenAllAreOverHardTheyAllStillServe() {
        latency.put("a", 900_000_000L);
        latency.put("b", 900_000_000L);
        latency.put("c", 900_000_000L);
        Balancer.Pick p = pick(latencyRoute(20, 200), null, 0);
        assertThat(p.endpoint()).isNotNull();
        assertThat(p.wantMore()).isTrue();
    }
}
