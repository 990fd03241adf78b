package dev.steward.agent.supervisor;

import dev.steward.agent.Json;
import dev.steward.agent.store.ServiceRecord;
import dev.steward.model.Health;
import dev.steward.model.ServiceState;
import dev.steward.model.Spec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Builds the API's views of a service from its controller's state. */
final class Views {
    private Views() {}

    static ServiceView service(ServiceController c, Spec spec, ServiceRecord record, boolean custom, ServiceState state,
                               Health health, String reason, int wanted, int references, Collection<Instance> instances,
                               ServiceController.Stats stats, Context ctx) {
        Instant now = ctx.clock().instant();
        List<InstanceView> list = instances.stream().map(i -> instance(i, ctx.node())).toList();
        long uptime = instances.stream().filter(i -> i.state.live() && i.started != null)
                .map(i -> i.started).min(Comparator.naturalOrder())
                .map(t -> Duration.between(t, now).toSeconds()).orElse(0L);
        return new ServiceView(spec.name(), spec.kind().wire(), spec.policy().wire(), state.wire(), health.wire(), reason,
                custom, record.enabled(), record.owner(), record.uuid(), wanted, references, list,
                new ServiceView.Statistics(stats.starts, stats.failures, stats.lastExit, stats.lastExitReason, uptime),
                Json.tree(record.spec()));
    }

    static InstanceView instance(Instance i, String node) {
        return new InstanceView(i.id, i.state.wire(), i.health.wire(), i.pid(), i.port, node, i.started, i.restarts,
                i.reason, i.lastPing, i.log == null ? null : i.log.toString(),
                i.handle != null && i.state.live() ? i.handle.usage() : null);
    }
}
