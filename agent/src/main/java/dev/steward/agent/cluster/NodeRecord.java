package dev.steward.agent.cluster;

import java.util.Map;
import java.util.Objects;

/**
 * What a node publishes under {@code nodes/NAME} while it holds its lease: where it is reached, its
 * labels, its capacity and what is free of it, its load and instances, when it joined and when it
 * last refreshed this (epoch milliseconds); and which agent it is: its host and its data dir, so that
 * the same agent restarted after a crash (the data dir's lock says the old one is gone) takes its name
 * back at once; and the round trip from it to each other node it measured ({@code rtt}, node to milliseconds).
 */
public record NodeRecord(String name, Address address, Map<String, String> labels, Resources total, Resources free, double load,
                         int instances, long joined, long updated, String host, String dataDir, Map<String, Double> rtt) {
    public NodeRecord {
        Objects.requireNonNull(name, "name");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        rtt = rtt == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(rtt));
    }

    /** Whether {@code other} is the same agent's record: same host, same data dir. */
    public boolean sameAgent(NodeRecord other) {
        return Objects.equals(host, other.host) && dataDir != null && dataDir.equals(other.dataDir);
    }

    /** The node's listeners as others reach them (empty until they listen). */
    public record Address(String api, String gateway, String rpc) {
        public static final Address NONE = new Address("", "", "");
    }

    /** CPUs, bytes of memory, process ids. */
    public record Resources(double cpu, long memory, long pids) {}
}
