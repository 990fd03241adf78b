package dev.steward.agent.config;

import dev.steward.agent.tls.ClusterTls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How an agent joins a cluster: the etcd endpoints ({@code http://HOST:PORT}, or {@code https://} with
 * {@code tls}), the address other nodes reach it at (null: the API's bind address), its labels, its
 * lease's time to live; the cluster's CA and this node's pair (null: plain etcd) and the cluster's token
 * (null: none), which it shows to etcd and to the other agents.
 */
public record Cluster(List<String> endpoints, String advertise, Map<String, String> labels, Duration ttl, ClusterTls tls, String token) {
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
        boolean secure = endpoints.getFirst().startsWith("https://");
        if (secure && tls == null) {
            throw new IllegalArgumentException("--cluster etcds://... needs the cluster's TLS files: --cluster-ca FILE, --cluster-cert FILE and --cluster-key FILE"
                    + " (steward agent certs DIR --nodes NAME,... makes them)");
        }
        if (!secure && tls != null) {
            throw new IllegalArgumentException("--cluster-ca, --cluster-cert and --cluster-key are for etcd over TLS: give the cluster as etcds://HOST:PORT[,HOST:PORT...]");
        }
        if (secure && token == null) throw new IllegalArgumentException("--cluster etcds://... needs the cluster's token too: --cluster-token FILE");
    }

    /** A cluster on plain etcd, without a token. */
    public Cluster(List<String> endpoints, String advertise, Map<String, String> labels, Duration ttl) {
        this(endpoints, advertise, labels, ttl, null, null);
    }

    /** Whether the agent speaks TLS to etcd and the other agents. */
    public boolean secure() {
        return tls != null;
    }

    @Override
    public String toString() {
        return "Cluster[" + endpoints + ", advertise " + advertise + ", labels " + labels + ", ttl " + ttl + ", tls " + tls + ", token " + (token == null ? "none" : "given") + "]";
    }

    /**
     * The options of {@code steward agent}: {@code --cluster etcd://H:P[,H:P...]}, {@code --advertise},
     * {@code --labels k=v,...}; null without {@code --cluster} (and then the other two are refused).
     */
    public static Cluster parse(String cluster, String advertise, List<String> labels) {
        return parse(cluster, advertise, labels, null, null);
    }

    /** As above, with the cluster's TLS files read already (or null) and its token (or null). */
    public static Cluster parse(String cluster, String advertise, List<String> labels, ClusterTls tls, String token) {
        if (cluster == null) {
            if (tls != null) throw new IllegalArgumentException("--cluster-ca, --cluster-cert and --cluster-key need --cluster");
            if (token != null) throw new IllegalArgumentException("--cluster-token needs --cluster");
            if (advertise != null) throw new IllegalArgumentException("--advertise needs --cluster");
            if (labels != null && !labels.isEmpty()) throw new IllegalArgumentException("--labels needs --cluster");
            return null;
        }
        return new Cluster(endpoints(cluster), advertise, labels(labels), DEFAULT_TTL, tls, token);
    }

    /** {@code etcd://H:P[,H:P...]} as gRPC endpoints {@code http://H:P}; {@code etcds://} as {@code https://}. */
    static List<String> endpoints(String url) {
        String expected = "--cluster: '" + url + "' (expected: etcd://HOST:PORT[,HOST:PORT...], or etcds:// for etcd over TLS)";
        String scheme = url.startsWith("etcds://") ? "etcds://" : "etcd://";
        if (!url.startsWith(scheme) || url.length() == scheme.length()) throw new IllegalArgumentException(expected);
        String http = scheme.equals("etcds://") ? "https://" : "http://";
        List<String> out = new ArrayList<>();
        for (String hp : url.substring(scheme.length()).split(",", -1)) {
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
            out.add(http + host + ":" + port);
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

    /**
     * The cluster's token from {@code file} ({@code --cluster-token}): one line of at least 16 characters,
     * in a file no one but its owner may read.
     */
    public static String token(java.nio.file.Path file) {
        if (file == null) return null;
        try {
            var mode = java.nio.file.Files.getPosixFilePermissions(file);
            if (mode.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ) || mode.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                throw new IllegalArgumentException("--cluster-token: " + file + " is readable by others; keep it to its owner (chmod 600 " + file + ")");
            }
            String t = java.nio.file.Files.readString(file).strip();
            if (t.length() < 16 || t.length() > 200 || !t.matches("[\\x21-\\x7e]+")) {
                throw new IllegalArgumentException("--cluster-token: " + file + " does not hold a token (expected: one line of 16-200 printable characters, no spaces)");
            }
            return t;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("--cluster-token: " + file + ": no such file");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--cluster-token: " + file + " cannot be read: " + e.getMessage());
        }
    }
}
