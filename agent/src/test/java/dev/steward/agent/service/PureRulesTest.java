package dev.steward.agent.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.model.Health;
import dev.steward.model.InstanceState;
import dev.steward.model.ServiceState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PureRulesTest {
    static StateRules.Seen inst(InstanceState s, boolean ready) {
        return new StateRules.Seen(s, ready, false, Health.UNKNOWN);
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
    void aServiceWhoseInstancesAreAllPausedIsPausedNotWaiting() {
        assertThat(StateRules.state(false, 1, List.of(inst(InstanceState.PAUSED, true)))).isEqualTo(ServiceState.PAUSED);
        assertThat(StateRules.state(false, 2, List.of(inst(InstanceState.PAUSED, true), inst(InstanceState.RUNNING, true))))
                .isEqualTo(ServiceState.AVAILABLE);
    }

    @Test
    void healthIsHealthyWhenAnyLiveInstanceIs() {
        var a = new StateRules.Seen(InstanceState.RUNNING, true, false, Health.UNHEALTHY);
        var b = new StateRules.Seen(InstanceState.RUNNING, true, false, Health.HEALTHY);
        var stopping = new StateRules.Seen(InstanceState.STOPPING, true, true, Health.HEALTHY);
        assertThat(StateRules.health(List.of(a))).isEqualTo(Health.UNHEALTHY);
        assertThat(StateRules.health(List.of(a, b))).isEqualTo(Health.HEALTHY);
        assertThat(StateRules.health(List.of(a, stopping))).as("a stopping instance does not count").isEqualTo(Health.UNHEALTHY);
        assertThat(StateRules.health(List.of())).isEqualTo(Health.UNKNOWN);
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
}
