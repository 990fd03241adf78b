package dev.steward.agent.cluster;

import java.time.Clock;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** This node's record as of now: its name, labels, addresses, capacity, load, live instances and round trips to the others. */
public final class NodeReport {
    private final String name;
    private final Map<String, String> labels;
    private final Clock clock;
    private final long joined;
    private final Capacity capacity = Capacity.ofMachine();
    private final NodeRecord.Resources total;
    private volatile Supplier<NodeRecord.Address> address = () -> NodeRecord.Address.NONE;
    private volatile IntSupplier instances = () -> 0;
    private volatile Supplier<Map<String, Double>> rtt = Map::of;
    private final String host;
    private final String dataDir;

    /** This node, kept in {@code dataDir} (whose lock the agent holds). */
    public NodeReport(String name, Map<String, String> labels, java.nio.file.Path dataDir, Clock clock) {
        this.name = name;
        this.dataDir = dataDir.toAbsolutePath().toString();
        this.host = hostName();
        this.labels = Map.copyOf(labels);
        this.clock = clock;
        this.joined = clock.millis();
        this.total = capacity.total();
    }

    /** Where the node is reached, once its listeners are bound, and how many instances it runs. */
    public void serving(Supplier<NodeRecord.Address> addresses, IntSupplier liveInstances) {
        this.address = addresses;
        this.instances = liveInstances;
    }

    /** The round trips to the other nodes (node to milliseconds), once they are measured. */
    public void measuring(Supplier<Map<String, Double>> roundTrips) {
        this.rtt = roundTrips;
    }

    public String name() {
        return name;
    }

    public NodeRecord now() {
        return new NodeRecord(name, address.get(), labels, total, capacity.free(total), capacity.load(), instances.getAsInt(), joined, clock.millis(), host, dataDir,
                rtt.get());
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
