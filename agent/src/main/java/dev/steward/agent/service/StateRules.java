package dev.steward.agent.service;

import dev.steward.model.Health;
import dev.steward.model.InstanceState;
import dev.steward.model.ServiceState;
import java.util.Collection;

/** How a service's state and health follow from its instances: pure. */
final class StateRules {
    private StateRules() {}

    /** One instance as the rules see it. */
    record Seen(InstanceState state, boolean ready, boolean stopRequested, Health health) {
        boolean live() {
            return state.live();
        }

        boolean serving() {
            return !stopRequested && live();
        }
    }

    static ServiceState state(boolean disabled, int wanted, Collection<Seen> instances) {
        boolean anyLive = instances.stream().anyMatch(Seen::live);
        if (disabled && !anyLive) return ServiceState.DISABLED;
        if (wanted == 0 || disabled) return anyLive ? ServiceState.STOPPING : ServiceState.STOPPED;
        if (instances.stream().anyMatch(i -> i.serving() && i.state() == InstanceState.RUNNING && i.ready())) return ServiceState.AVAILABLE;
        if (instances.stream().anyMatch(i -> i.serving() && i.state() == InstanceState.RUNNING)) return ServiceState.WAITING;
        if (instances.stream().anyMatch(i -> i.serving() && i.state() == InstanceState.PAUSED)) return ServiceState.PAUSED;
        return ServiceState.STARTING;
    }

    static Health health(Collection<Seen> instances) {
        boolean healthy = false;
        boolean unhealthy = false;
        for (Seen i : instances) {
            if (!i.serving()) continue;
            healthy |= i.health() == Health.HEALTHY;
            unhealthy |= i.health() == Health.UNHEALTHY;
        }
        return healthy ? Health.HEALTHY : unhealthy ? Health.UNHEALTHY : Health.UNKNOWN;
    }
}
