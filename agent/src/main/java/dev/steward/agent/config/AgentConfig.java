package dev.steward.agent.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the agent runs: where it listens, where it keeps its data, and which specs it applies at start
 * (dev mode applies the examples).
 */
public record AgentConfig(InetSocketAddress api, Path dataDir, String nodeName, Duration stopGrace, List<Path> applyAtStart,
                          boolean dev) {
    public AgentConfig {
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(nodeName, "nodeName");
        applyAtStart = List.copyOf(applyAtStart);
    }

    /** Parses {@code HOST:PORT} strictly; port 0 lets the system choose. */
    public static InetSocketAddress address(String option, String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0) throw new IllegalArgumentException(option + ": '" + text + "' (expected: HOST:PORT)");
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' has no port number (expected: HOST:PORT)");
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException(option + ": port " + port + " (expected: 0-65535)");
        return new InetSocketAddress(host, port);
    }
}
