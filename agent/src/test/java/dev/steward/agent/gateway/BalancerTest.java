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
                new Route.Latency(Duration.ofMillis(softMs), Duration.ofMillis(hardMs)), null, 0, 0);
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
        Route rr = new Route(null, null, true, Route.Balance.ROUND_ROBIN, null, null, 0, 0);
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

    // ---- instances of other nodes: the round trip to their node plus their own latency ----

    final Endpoint here = new Endpoint("here", "127.0.0.2", 1);
    final Endpoint near = new Endpoint("near", "127.0.0.3", 1, "b");
    final Endpoint far = new Endpoint("far", "127.0.0.4", 1, "c");
    final Map<String, Long> rtt = new HashMap<>(Map.of("b", 2_000_000L, "c", 80_000_000L));

    /** As the gateway works it out: the node's round trip plus the instance's own latency, -1 when neither is known. */
    Balancer.Pick across(Route r, List<Endpoint> ready, int turn) {
        return Balancer.pick(ready, r, null, turn, i -> inFlight.getOrDefault(i, 0), e -> {
            long own = latency.getOrDefault(e.instance(), -1L);
            long trip = e.local() ? 0 : rtt.getOrDefault(e.node(), -1L);
            return own < 0 && trip <= 0 ? -1 : Math.max(0, own) + Math.max(0, trip);
        });
    }

    @Test
    void thisNodesInstanceIsPreferredWhileItMeetsTheBound() {
        latency.put("here", 10_000_000L);
        latency.put("near", 1_000_000L);
        for (int t = 0; t < 6; t++) {
            assertThat(across(latencyRoute(20, 200), List.of(here, near), t)).isEqualTo(new Balancer.Pick(here, false));
            assertThat(across(Route.DEFAULT, List.of(near, here), t).endpoint()).as("without bounds too").isEqualTo(here);
        }
    }

    @Test
    void anotherNodesInstanceUnderTheBoundWinsOverThisNodesOverIt() {
        latency.put("here", 300_000_000L); // over hard
        latency.put("near", 1_000_000L); // 2 ms away: 3 ms in all
        for (int t = 0; t < 6; t++) assertThat(across(latencyRoute(20, 200), List.of(here, near, far), t)).isEqualTo(new Balancer.Pick(near, false));
    }

    @Test
    void theRoundTripCountsSoAFarNodeIsOverTheSoftBoundEvenWhenItsInstanceIsFast() {
        latency.put("far", 1_000_000L); // 80 ms away: 81 ms, over soft 20 ms, under hard 200 ms
        Balancer.Pick p = across(latencyRoute(20, 200), List.of(far), 0);
        assertThat(p).as("the only one, under hard: it serves, and one more is asked for").isEqualTo(new Balancer.Pick(far, true));
        rtt.put("c", 250_000_000L);
        latency.put("here", 150_000_000L);
        for (int t = 0; t < 6; t++) {
            assertThat(across(latencyRoute(20, 200), List.of(far, here), t)).as("never over hard while one is under").isEqualTo(new Balancer.Pick(here, true));
        }
    }

    @Test
    void aNodeNotMeasuredYetWithAnInstanceNotMeasuredYetCountsAsUnderTheBound() {
        rtt.clear();
        latency.put("here", 100_000_000L);
        assertThat(across(latencyRoute(20, 200), List.of(here, near), 0)).isEqualTo(new Balancer.Pick(near, false));
    }
}
