package dev.steward.agent.mesh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The round trip from this node to each other node: a TCP connect to the node's gateway (one SYN and its
 * answer, on the path requests take), timed, the median of the last {@link Samples#KEPT} kept. A node that
 * cannot be reached within {@link #TIMEOUT_MILLIS} gets no sample; a node gone is forgotten.
 */
final class RoundTrips {
    static final int TIMEOUT_MILLIS = 1000;
    private final Map<String, Samples> byNode = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    RoundTrips(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Probes each node of {@code gateways} (name to its gateway's address) once, one after another. */
    void probe(Map<String, InetSocketAddress> gateways) {
        byNode.keySet().retainAll(gateways.keySet());
        gateways.forEach((node, address) -> {
            long t = connect(address);
            if (t >= 0) byNode.computeIfAbsent(node, n -> new Samples()).add(t);
        });
    }

    private long connect(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            long t0 = nanoTime.getAsLong();
            s.connect(address, TIMEOUT_MILLIS);
            return nanoTime.getAsLong() - t0;
        } catch (IOException e) {
            return -1;
        }
    }

    long nanos(String node) {
        Samples s = byNode.get(node);
        return s == null ? -1 : s.median();
    }

    /** The nodes probed, by name, with their round trips in milliseconds (to the microsecond). */
    Map<String, Double> millis() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String node : Set.copyOf(byNode.keySet()).stream().sorted().toList()) {
            long n = nanos(node);
            if (n >= 0) out.put(node, Math.round(n / 1000.0) / 1000.0);
        }
        return out;
    }
}
