package dev.steward.agent.rpc;

import java.util.Map;
import java.util.Objects;

/** Where a protocol service listens and what it offers: its host and port, its version, its methods by id. */
public record Located(String host, int port, int version, Map<Integer, String> methods) {
    public Located {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) throw new IllegalArgumentException("host: empty");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        methods = Map.copyOf(methods);
    }
}
