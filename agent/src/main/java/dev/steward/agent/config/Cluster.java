package dev.steward.agent.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How an agent joins a cluster: the etcd endpoints ({@code http://HOST:PORT}), the address other
 * nodes reach it at (null: the API's bind address), its labels, and its lease's time to live.
 */
public record Cluster(List<String> endpoints, String advertise, Map<String, String> labels, Duration ttl) {
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);
    private static final String HOST = "[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|[0-9a-fA-F:.]+";
    private static final String LABEL_KEY = "[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?";
    private static final String LABEL_VALUE = "[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?|";

    public Cluster {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) throw new IllegalArgumentException("--cluster: no etcd endpoint");
        if (advertise != null && !advertise.matches(HOST)) throw new IllegalArgumentException("--advertise: '" + advertise + "' (expected: a host name or IP address)");
        labels = Map.copyOf(labels);
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.toSeconds() < 2) throw new IllegalArgumentException("lease ttl: " + ttl + " (expected: 2s or more)");
    }

    /**
     * The options of {@code steward agent}: {@code --cluster etcd://H:P[,H:P...]}, {@code --advertise},
     * {@code --labels k=v,...}; null without {@code --cluster} (and then the other two are refused).
     */
    public static Cluster parse(String cluster, String advertise, List<String> labels) {
        if (cluster == null) {
            if (advertise != null) throw new IllegalArgumentException("--advertise needs --cluster");
            if (labels != null && !labels.isEmpty()) throw new IllegalArgumentException("--labels needs --cluster");
            return null;
        }
        return new Cluster(endpoints(cluster), advertise, labels(labels), DEFAULT_TTL);
    }

    /** {@code etcd://H:P[,H:P...]} as gRPC endpoints {@code http://H:P}. */
    static List<String> endpoints(String url) {
        String expected = "--cluster: '" + url + "' (expected: etcd://HOST:PORT[,HOST:PORT...])";
        if (!url.startsWith("etcd://") || url.length() == "etcd://".length()) throw new IllegalArgumentException(expected);
        List<String> out = new ArrayList<>();
        for (String hp : url.substring("etcd://".length()).split(",", -1)) {
            int colon = hp.lastIndexOf(':');
            String host = colon <= 0 ? "" : hp.substring(0, colon);
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            if (!bare.matches(HOST)) throw new IllegalArgumentException(expected);
            int port;
            try {
                port = Integer.parseInt(hp.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(expected);
            }
            if (port < 1 || port > 65535) throw new IllegalArgumentException("--cluster: port " + port + " in '" + url + "' (expected: 1-65535)");
            out.add("http://" + host + ":" + port);
        }
        return out;
    }

    static Map<String, String> labels(List<String> given) {
        Map<String, String> out = new LinkedHashMap<>();
        if (given == null) return out;
        for (String kv : given) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--labels: '" + kv + "' (expected: KEY=VALUE)");
            String k = kv.substring(0, eq);
            String v = kv.substring(eq + 1);
            if (!k.matches(LABEL_KEY)) throw new IllegalArgumentException("--labels: key '" + k + "' (expected: lowercase letters, digits, '.', '_', '/', '-'; up to 63)");
            if (!v.matches(LABEL_VALUE)) throw new IllegalArgumentException("--labels: value '" + v + "' of " + k + " (expected: letters, digits, '.', '_', '-'; up to 63)");
            if (out.put(k, v) != null) throw new IllegalArgumentException("--labels: " + k + " given twice");
        }
        return out;
    }
}
