package dev.steward.agent.placement;

import dev.steward.agent.Json;
import dev.steward.agent.cluster.NodeView;
import dev.steward.agent.cluster.Nodes;
import dev.steward.agent.errors.NotFoundException;
import dev.steward.agent.store.Store;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** The cluster's nodes with who leads the scheduler and which are drained; drains are kept under {@code drains/NODE}. */
public final class ClusterNodes implements Nodes {
    private final Nodes members;
    private final Store store;
    private final Scheduler scheduler;
    private final Clock clock;

    public ClusterNodes(Nodes members, Store store, Scheduler scheduler, Clock clock) {
        this.members = members;
        this.store = store;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    @Override
    public List<NodeView> nodes() {
        String leader = scheduler.leader().orElse("");
        return members.nodes().stream().map(n -> n.with(n.name().equals(leader), store.get(Scheduler.DRAINS + n.name()).isPresent())).toList();
    }

    @Override
    public NodeView drain(String node) {
        NodeView n = find(node);
        store.putIfAbsent(Scheduler.DRAINS + node, Json.write(Map.of("node", node, "since", clock.millis())));
        return n.with(n.leader(), true);
    }

    @Override
    public NodeView undrain(String node) {
        NodeView n = find(node);
        store.delete(Scheduler.DRAINS + node);
        return n.with(n.leader(), false);
    }

    private NodeView find(String node) {
        return nodes().stream().filter(n -> n.name().equals(node)).findFirst()
                .orElseThrow(() -> new NotFoundException("no node '" + node + "' is in the cluster (steward cluster nodes lists them)"));
    }
}
