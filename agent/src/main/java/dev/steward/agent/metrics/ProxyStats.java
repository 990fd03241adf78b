package dev.steward.agent.metrics;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The gateway's per-request figures: requests by status class and a latency histogram per service.
 * Each gateway thread writes cells of its own (one writer each, ordered stores, no shared counter to
 * fight over on every request); a scrape sums them into Prometheus text, as a counter
 * {@code steward_gateway_requests_total} and a histogram {@code steward_gateway_latency_seconds}.
 */
final class ProxyStats {
    /** Bucket bounds in seconds: from half a millisecond to a minute. */
    static final double[] BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    private static final String[] LABELS = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
        "1.0", "2.5", "5.0", "10.0", "30.0", "60.0"};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) BOUNDS_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
    }

    /** One thread's figures for one service: [0..5] status classes, then buckets (the last is +Inf), then the sum of nanos. */
    private static final class Cell {
        static final int BUCKETS = 6;
        static final int SUM = BUCKETS + BOUNDS.length + 1;
        final AtomicLongArray v = new AtomicLongArray(SUM + 1);

        void add(int index, long n) {
            v.lazySet(index, v.get(index) + n); // its thread is the only writer
        }
    }

    private final List<Map<String, Cell>> threads = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Map<String, Cell>> mine = ThreadLocal.withInitial(() -> {
        Map<String, Cell> m = new ConcurrentHashMap<>();
        threads.add(m);
        return m;
    });

    void record(String service, int status, long nanos) {
        Map<String, Cell> m = mine.get();
        Cell c = m.get(service);
        if (c == null) {
            c = new Cell();
            m.put(service, c);
        }
        c.add(Math.max(1, Math.min(5, status / 100)), 1);
        int b = 0;
        while (b < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[b]) b++;
        c.add(Cell.BUCKETS + b, 1);
        c.add(Cell.SUM, nanos);
    }

    /** Drops a service's figures (it was unregistered). */
    void forget(String service) {
        threads.forEach(m -> m.remove(service));
    }

    /**
     * Every service's figures summed over the threads, counted since the agent started: requests by
     * status class at [1..5], then the latency buckets at {@link #FIRST_BUCKET} (the last is +Inf), then the sum of nanos.
     */
    Map<String, long[]> totals() {
        Map<String, long[]> total = new TreeMap<>();
        for (Map<String, Cell> m : threads) {
            m.forEach((service, c) -> {
                long[] t = total.computeIfAbsent(service, s -> new long[Cell.SUM + 1]);
                for (int i = 0; i < t.length; i++) t[i] += c.v.get(i);
            });
        }
        return total;
    }

    /** Where the latency buckets start in a row of {@link #totals()}. */
    static final int FIRST_BUCKET = Cell.BUCKETS;

    /** The Prometheus text of every service's figures, summed over the threads. */
    void scrape(StringBuilder out) {
        Map<String, long[]> total = totals();
        if (total.isEmpty()) return;
        out.append("# HELP steward_gateway_requests_total Requests through the gateway by service and status class\n");
        out.append("# TYPE steward_gateway_requests_total counter\n");
        total.forEach((service, t) -> {
            for (int cls = 1; cls <= 5; cls++) {
                if (t[cls] > 0) {
                    out.append("steward_gateway_requests_total{service=\"").append(escape(service)).append("\",status=\"").append(cls)
                            .append("xx\"} ").append((double) t[cls]).append('\n');
                }
            }
        });
        out.append("# HELP steward_gateway_latency_seconds Time from a request's head to its response's end\n");
        out.append("# TYPE steward_gateway_latency_seconds histogram\n");
        total.forEach((service, t) -> {
            String s = escape(service);
            long cumulative = 0;
            for (int b = 0; b <= BOUNDS.length; b++) {
                cumulative += t[Cell.BUCKETS + b];
                out.append("steward_gateway_latency_seconds_bucket{service=\"").append(s).append("\",le=\"")
                        .append(b < BOUNDS.length ? LABELS[b] : "+Inf").append("\"} ").append(cumulative).append('\n');
            }
            out.append("steward_gateway_latency_seconds_sum{service=\"").append(s).append("\"} ").append(t[Cell.SUM] / 1e9).append('\n');
            out.append("steward_gateway_latency_seconds_count{service=\"").append(s).append("\"} ").append(cumulative).append('\n');
        });
    }

    static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
