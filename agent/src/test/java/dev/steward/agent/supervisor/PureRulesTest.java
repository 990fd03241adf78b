package dev.steward.agent.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.model.Health;
import dev.steward.model.InstanceState;
import dev.steward.model.Ping;
import dev.steward.model.ServiceState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PureRulesTest {
    static Instance inst(InstanceState s, boolean ready) {
        Instance i = new Instance("i", 1, null);
        i.state = s;
        i.ready = ready;
        return i;
    }

    @Test
    void serviceStateFollowsItsInstances() {
        assertThat(StateRules.state(false, 1, List.of())).isEqualTo(ServiceState.STARTING);
        assertThat(StateRules.state(false, 1, List.of(inst(InstanceState.RUNNING, false)))).isEqualTo(ServiceState.WAITING);
        assertThat(StateRules.state(false, 2, List.of(inst(InstanceState.RUNNING, false), inst(InstanceState.RUNNING, true))))
                .isEqualTo(ServiceState.AVAILABLE);
        assertThat(StateRules.state(false, 0, List.of(inst(InstanceState.STOPPING, true)))).isEqualTo(ServiceState.STOPPING);
        assertThat(StateRules.state(false, 0, List.of())).isEqualTo(ServiceState.STOPPED);
        assertThat(StateRules.state(true, 1, List.of())).isEqualTo(ServiceState.DISABLED);
        assertThat(StateRules.state(true, 1, List.of(inst(InstanceState.STOPPING, false)))).isEqualTo(ServiceState.STOPPING);
    }

    @Test
    void healthIsHealthyWhenAnyLiveInstanceIs() {
        Instance a = inst(InstanceState.RUNNING, true);
        a.health = Health.UNHEALTHY;
        Instance b = inst(InstanceState.RUNNING, true);
        b.health = Health.HEALTHY;
        assertThat(StateRules.health(List.of(a))).isEqualTo(Health.UNHEALTHY);
        assertThat(StateRules.health(List.of(a, b))).isEqualTo(Health.HEALTHY);
        assertThat(StateRules.health(List.of())).isEqualTo(Health.UNKNOWN);
    }

    @Test
    void failuresBeforeTheFirstPassKeepAnInstanceWaitingNotUnhealthy() {
        Ping ping = new Ping(new Ping.Check.Tcp(), Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 2);
        Instance i = inst(InstanceState.RUNNING, false);
        PingResult fail = new PingResult(false, Duration.ofMillis(1), "refused");
        PingResult pass = new PingResult(true, Duration.ofMillis(1), "ok");
        for (int n = 0; n < 5; n++) PingPolicy.apply(ping, i, fail);
        assertThat(i.health).isEqualTo(Health.UNKNOWN);
        PingPolicy.apply(ping, i, pass);
        assertThat(i.ready).isFalse();
        PingPolicy.apply(ping, i, pass);
        assertThat(i.ready).isTrue();
        assertThat(i.health).isEqualTo(Health.HEALTHY);
        PingPolicy.apply(ping, i, fail);
        assertThat(i.health).isEqualTo(Health.HEALTHY);
        PingPolicy.apply(ping, i, fail);
        assertThat(i.health).isEqualTo(Health.UNHEALTHY);
        assertThat(i.lastPing).isEqualTo("refused (1ms)");
    }

    @Test
    void needsCyclesAreFound() {
        assertThat(NeedsGraph.cycle(Map.of("a", List.of("b"), "b", List.of("c"), "c", List.of()))).isNull();
        assertThat(NeedsGraph.cycle(new java.util.LinkedHashMap<>(Map.of("a", List.of("b")))) ).isNull();
        var g = new java.util.LinkedHashMap<String, List<String>>();
        g.put("a", List.of("b"));
        g.put("b", List.of("c"));
        g.put("c", List.of("a"));
        assertThat(NeedsGraph.cycle(g)).containsExactly("a", "b", "c", "a");
        var diamond = new java.util.LinkedHashMap<String, List<String>>();
        diamond.put("top", List.of("l", "r"));
        diamond.put("l", List.of("base"));
        diamond.put("r", List.of("base"));
        diamond.put("base", List.of());
        assertThat(NeedsGraph.cycle(diamond)).isNull();
    }

    @Test
    void aRecommendationIsTheLastWellFormedLine() {
        assertThat(Pinger.recommendation("load high\nrecommend=3\n")).isEqualTo(3);
        assertThat(Pinger.recommendation("recommend: 2\nrecommend=5")).isEqualTo(5);
        assertThat(Pinger.recommendation("recommend=-1\nrecommend=lots\nrecommended=4")).isNull();
        assertThat(Pinger.recommendation(null)).isNull();
    }

    @Test
    void commandsExpandVariables() {
        Map<String, String> env = Map.of("PORT", "8080", "NAME", "x");
        assertThat(Expand.all(List.of("serve", "--port=${PORT}", "${NAME}-${NAME}", "$${PORT}", "${MISSING}"), env))
                .containsExactly("serve", "--port=8080", "x-x", "${PORT}", "");
    }
}
