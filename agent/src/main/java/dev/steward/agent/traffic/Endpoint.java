package dev.steward.agent.traffic;

/** Where a ready instance listens. */
public record Endpoint(String instance, String host, int port, String hostAndPort) {
    public Endpoint(String instance, String host, int port) {
        this(instance, host, port, host + ":" + port);
    }
}
