package dev.steward.agent.metrics;

import dev.steward.model.InstanceState;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The time-series keeper behind the web UI's plots: once a second ({@link #sample()}) it reads the
 * gateway's per-service figures ({@link ProxyStats}, counted since the start) and each registered
 * service's instances, and writes into that service's {@link SeriesRing} the requests that ended in
 * the second, their p50 and p99 (interpolated within the histogram's buckets, as Prometheus'
 * {@code histogram_quantile} does) and the live instances. A service unregistered loses its ring.
 */
public final class Series {
    private final Clock clock;
    private final Supplier<Map<String, long[]>> gateway;
    private final Supplier<Map<String, Map<InstanceState, Integer>>> instances;
    private final Map<String, SeriesRing> rings = new ConcurrentHashMap<>();
    private final Map<String, long[]> last = new HashMap<>(); // the sampler's thread only
    private long lastSecond = Long.MIN_VALUE;

    /**
     * @param gateway   each service's rows of {@link ProxyStats#totals()}
     * @param instances each registered service's instances by state
     */
    Series(Clock clock, Supplier<Map<String, long[]>> gateway, Supplier<Map<String, Map<InstanceState, Integer>>> instances) {
        this.clock = clock;
        this.gateway = gateway;
        this.instances = instances;
    }

    /** Takes the point of the current second; called about once a second from one thread. */
    public void sample() {
        long second = clock.instant().getEpochSecond();
        if (second <= lastSecond) return; // early (or the clock stepped back): this second's point comes at the next call
        lastSecond = second;
        Map<String, long[]> totals = gateway.get();
        Map<String, Map<InstanceState, Integer>> counts = instances.get();
        rings.keySet().retainAll(counts.keySet());
        last.keySet().retainAll(counts.keySet());
        counts.forEach((service, states) -> {
            long[] delta = latencies(service, totals.get(service));
            long n = Arrays.stream(delta).sum();
            int live = states.entrySet().stream().filter(e -> e.getKey().live()).mapToInt(Map.Entry::getValue).sum();
            rings.computeIfAbsent(service, s -> new SeriesRing(second))
                    .put(second, (int) Math.min(Integer.MAX_VALUE, n), quantile(delta, n, 0.50), quantile(delta, n, 0.99), live);
        });
    }

    /** The latency buckets of the requests a service finished since the last sample ({@code now}: its figures since the start). */
    private long[] latencies(String service, long[] now) {
        long[] delta = new long[ProxyStats.BOUNDS.length + 1];
        if (now == null) return delta;
        long[] before = last.put(service, now);
        boolean reset = false;
        for (int b = 0; b < delta.length; b++) {
            delta[b] = now[ProxyStats.FIRST_BUCKET + b] - (before == null ? 0 : before[ProxyStats.FIRST_BUCKET + b]);
            reset |= delta[b] < 0;
        }
        if (reset) { // counted again from zero (the service unregistered and registered anew)
            for (int b = 0; b < delta.length; b++) delta[b] = now[ProxyStats.FIRST_BUCKET + b];
        }
        return delta;
    }

    /** The last {@code seconds} of a registered service, as columns (the web UI's plots take them as they are). */
    public Map<String, Object> window(String service, int seconds) {
        SeriesRing ring = rings.get(service);
        long now = clock.instant().getEpochSecond();
        if (ring == null) ring = new SeriesRing(now + 1); // registered since the last sample: nothing yet
        SeriesRing.Window w = ring.window(now, seconds);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service", service);
        out.put("from", w.from());
        out.put("to", now);
        out.put("step-seconds", 1);
        out.put("requests", w.requests());
        out.put("p50-ms", w.p50());
        out.put("p99-ms", w.p99());
        out.put("instances", w.instances());
        return out;
    }

    /**
     * The {@code q} quantile in milliseconds of {@code n} latencies counted in {@code buckets} (the
     * last is +Inf), interpolated linearly within its bucket; NaN when {@code n} is 0. In the +Inf
     * bucket it is the last bound: the histogram knows no more.
     */
    static double quantile(long[] buckets, long n, double q) {
        if (n <= 0) return Double.NaN;
        double rank = q * n;
        long below = 0;
        for (int b = 0; b < buckets.length; b++) {
            long c = buckets[b];
            if (c > 0 && below + c >= rank) {
                if (b == ProxyStats.BOUNDS.length) return ProxyStats.BOUNDS[b - 1] * 1000;
                double lower = b == 0 ? 0 : ProxyStats.BOUNDS[b - 1];
                double upper = ProxyStats.BOUNDS[b];
                return (lower + (upper - lower) * (rank - below) / c) * 1000;
            }
            below += c;
        }
        return ProxyStats.BOUNDS[ProxyStats.BOUNDS.length - 1] * 1000;
    }
}
