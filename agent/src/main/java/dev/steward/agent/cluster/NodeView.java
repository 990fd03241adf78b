package dev.steward.agent.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** A node as {@code GET /v1/cluster/nodes} shows it: {@code leaseAge} in seconds since it took its lease. */
public record NodeView(String name, NodeRecord.Address address, Map<String, String> labels, Capacity capacity, int instances,
                       double load, double leaseAge) {
    /** What a node has free of what it has in all. */
    public record Capacity(NodeRecord.Resources free, NodeRecord.Resources total) {}

    public static NodeView of(NodeRecord r, Instant now) {
        double age = Math.max(0, Duration.between(Instant.ofEpochMilli(r.joined()), now).toMillis()) / 1000.0;
        return new NodeView(r.name(), r.address(), r.labels(), new Capacity(r.free(), r.total()), r.instances(), r.load(), Math.round(age * 10) / 10.0);
    }
}
