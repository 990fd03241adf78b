package dev.steward.agent.supervisor;

import dev.steward.model.Health;
import dev.steward.model.InstanceState;
import dev.steward.model.ServiceState;
import java.util.Collection;

/** How a service's state and health follow from its instances: pure. */
final class StateRules {
    private StateRules() {}

    static ServiceState state(boolean disabled, int wanted, Collection<Instance> instances) {
        if (disabled && instances.stream().noneMatch(i -> i.state.live())) return ServiceState.DISABLED;
        boolean anyLive = instances.stream().anyMatch(i -> i.state.live());
        if (wanted == 0 || disabled) return anyLive ? ServiceState.STOPPING : ServiceState.STOPPED;
        if (instances.stream().anyMatch(i -> i.state == InstanceState.RUNNING && i.ready && !i.stopRequested)) return ServiceState.AVAILABLE;
        if (instances.stream().anyMatch(i -> (i.state == InstanceState.RUNNING || i.state == InstanceState.PAUSED) && !i.stopRequested)) {
            return ServiceState.WAITING;
        }
        return ServiceState.STARTING;
    }

    static Health health(Collection<Instance> instances) {
        boolean healthy = false;
        boolean unhealthy = false;
        for (Instance i : instances) {
            if (!i.state.live() || i.stopRequested) continue;
            healthy |= i.health == Health.HEALTHY;
            unhealthy |= i.health == Health.UNHEALTHY;
        }
        return healthy ? Health.HEALTHY : unhealthy ? Health.UNHEALTHY : Health.UNKNOWN;
    }
}
