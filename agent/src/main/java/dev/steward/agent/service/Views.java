package dev.steward.agent.service;

import dev.steward.agent.Json;
import dev.steward.agent.instance.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** Builds the API's views of a service from its published snapshot (reading usage figures as it goes). */
final class Views {
    private Views() {}

    static ServiceView service(Snapshot s, Context ctx, Placed placed) {
        Instant now = ctx.clock().instant();
        List<InstanceView> list = s.instances().stream().map(i -> instance(i, ctx.node())).toList();
        String name = s.spec().name();
        String pending = placed == null ? "" : placed.pending(name);
        if (placed != null) list = java.util.stream.Stream.concat(list.stream(), placed.elsewhere(name).stream()).toList();
        long uptime = s.instances().stream().filter(i -> i.state().live() && i.started() != null)
                .map(Snapshot.Instance::started).min(Comparator.naturalOrder())
                .map(t -> Duration.between(t, now).toSeconds()).orElse(0L);
        var st = s.stats();
        return new ServiceView(s.spec().name(), s.spec().kind().wire(), s.spec().policy().wire(), s.state().wire(), s.health().wire(),
                s.reason().isEmpty() && !pending.isEmpty() ? "pending: " + pending : s.reason(), s.custom(), s.record().enabled(),
                s.record().owner(), s.record().uuid(), ctx.node(), s.wanted(), s.wantedBy(),
                s.references(), list, new ServiceView.Statistics(st.starts(), st.failures(), st.lastExit(), st.lastExitReason(), uptime),
                Json.tree(s.record().spec()), placed == null ? java.util.Map.of() : placed.nodes(name), pending, null);
    }

    static InstanceView instance(Snapshot.Instance i, String node) {
        return new InstanceView(i.id(), i.state().wire(), i.health().wire(), i.pid(), i.port(), node, i.started(), i.restarts(),
                i.reason(), i.lastPing(), i.log() == null ? null : i.log().toString(),
                i.handle() != null && i.state().live() ? i.handle().usage() : null);
    }
}
