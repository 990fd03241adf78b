package dev.steward.model;

import java.time.Duration;

/**
 * How the gateway reaches a service.
 *
 * @param path    a path prefix, or null for {@code /<service>}
 * @param host    a host name, or null ({@code <service>.<domain>} always works)
 * @param strip   whether the prefix is taken off the path before forwarding (default true)
 * @param balance how an instance is chosen among the ready ones
 * @param latency latency bounds for the latency-aware choice, or null
 * @param timeout how long an instance may take to start its response before the gateway answers 504
 * @param maxBody the largest request body accepted, in bytes (413 above it)
 * @param maxConnecting how many connections the gateway opens to one instance at a time (each counts until the instance
 *                      answers on it, or for a second at most); requests that need another wait in the gateway rather
 *                      than in the program's listen backlog
 */
public record Route(String path, String host, boolean strip, Balance balance, Latency latency, Duration timeout, long maxBody,
                    int maxConnecting) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final long DEFAULT_MAX_BODY = 1L << 30;
    /** At most busybox httpd's listen backlog (9); Python's http.server listens with 5 and may see a connection or two retried by the kernel. */
    public static final int DEFAULT_MAX_CONNECTING = 8;

    public Route {
        if (balance == null) balance = Balance.LEAST_REQUESTS;
        if (timeout == null) timeout = DEFAULT_TIMEOUT;
        if (maxBody <= 0) maxBody = DEFAULT_MAX_BODY;
        if (maxConnecting <= 0) maxConnecting = DEFAULT_MAX_CONNECTING;
    }

    public Route(String path, String host) {
        this(path, host, true, Balance.LEAST_REQUESTS, null, DEFAULT_TIMEOUT, DEFAULT_MAX_BODY, DEFAULT_MAX_CONNECTING);
    }

    /** The route of a spec that gives none. */
    public static final Route DEFAULT = new Route(null, null);

    /** How the gateway chooses among ready instances. */
    public enum Balance {
        LEAST_REQUESTS("least-requests"), ROUND_ROBIN("round-robin");

        private final String wire;

        Balance(String wire) {
            this.wire = wire;
        }

        @com.fasterxml.jackson.annotation.JsonValue
        public String wire() {
            return wire;
        }

        public static Balance of(String s) {
            for (Balance b : values()) if (b.wire.equals(s)) return b;
            throw new IllegalArgumentException("'" + s + "' is not a balance (expected: least-requests or round-robin)");
        }
    }

    /**
     * Latency bounds: instances whose recent latency is under {@code soft} are preferred, one over
     * {@code hard} gets nothing while another is under it, and none under {@code soft} asks for another instance.
     */
    public record Latency(Duration soft, Duration hard) {}
}
