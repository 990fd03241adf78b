package dev.steward.agent.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A node as {@code GET /v1/cluster/nodes} shows it: {@code leaseAge} in seconds since it took its
 * lease; {@code leader} when it runs the cluster's scheduler, {@code drained} when it takes no new
 * instances; {@code rtt} the round trip it measured to each other node, in milliseconds.
 */
public record NodeView(String name, NodeRecord.Address address, Map<String, String> labels, Capacity capacity, int instances,
                       double load, double leaseAge, boolean leader, boolean drained, Map<String, Double> rtt) {
    /** What a node has free of what it has in all. */
    public record Capacity(NodeRecord.Resources free, NodeRecord.Resources total) {}

    public static NodeView of(NodeRecord r, Instant now) {
        double age = Math.max(0, Duration.between(Instant.ofEpochMilli(r.joined()), now).toMillis()) / 1000.0;
        return new NodeView(r.name(), r.address(), r.labels(), new Capacity(r.free(), r.total()), r.instances(), r.load(),
                Math.round(age * 10) / 10.0, false, false, r.rtt());
    }

    /** This view as the scheduler's election and the drains say. */
    public NodeView with(boolean leads, boolean isDrained) {
        return new NodeView(name, address, labels, capacity, instances, load, leaseAge, leads, isDrained, rtt);
    }
}
