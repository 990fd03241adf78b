package dev.steward.agent.traffic;

/** Where a ready instance listens; {@code node} names the node that runs it when that is another node, else "". */
public record Endpoint(String instance, String host, int port, String hostAndPort, String node) {
    public Endpoint {
        if (node == null) node = "";
    }

    /** An instance of this node. */
    public Endpoint(String instance, String host, int port) {
        this(instance, host, port, host + ":" + port, "");
    }

    /** An instance of another node, {@code node}. */
    public Endpoint(String instance, String host, int port, String node) {
        this(instance, host, port, host + ":" + port, node);
    }

    /** Whether this node runs it. */
    public boolean local() {
        return node.isEmpty();
    }
}
