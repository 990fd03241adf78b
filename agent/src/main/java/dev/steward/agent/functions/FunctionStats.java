package dev.steward.agent.functions;

import dev.steward.agent.engine.Warmth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One function's invocations, errors, starts (cold, paused, warm) and latencies, over all its
 * versions: for {@code fn info} (latency in buckets of powers of two microseconds), and as
 * {@code steward_function_*} meters in {@code /metrics} (a histogram of a dozen buckets).
 */
final class FunctionStats {
    /** The histogram's buckets in /metrics: from 100 µs to 10 s. */
    static final Duration[] BUCKETS_SLO = {Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(10)};
    private static final int BUCKETS = 40;
    private final LongAdder invocations = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder totalMicros = new LongAdder();
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
    private final Map<Warmth.Start, LongAdder> starts = new EnumMap<>(Warmth.Start.class);
    private final MeterRegistry registry;
    private final Counter invocationsMeter;
    private final Counter errorsMeter;
    private final Map<Warmth.Start, Counter> startsMeter = new EnumMap<>(Warmth.Start.class);
    private final Timer latency;

    /** Counted for {@code fn info} only. */
    FunctionStats() {
        this(null, "");
    }

    /** Counted, and published in {@code registry} under the function's name. */
    FunctionStats(MeterRegistry registry, String function) {
        this.registry = registry;
        for (Warmth.Start s : Warmth.Start.values()) starts.put(s, new LongAdder());
        if (registry == null) {
            invocationsMeter = null;
            errorsMeter = null;
            latency = null;
            return;
        }
        invocationsMeter = Counter.builder("steward_function_invocations").description("Function invocations answered, failed ones included")
                .tag("function", function).register(registry);
        errorsMeter = Counter.builder("steward_function_errors").description("Function invocations that failed").tag("function", function).register(registry);
        for (Warmth.Start s : Warmth.Start.values()) {
            startsMeter.put(s, Counter.builder("steward_function_starts").description("How invocations found their worker: cold (spawned), paused (thawed), warm")
                    .tag("function", function).tag("kind", s.wire()).register(registry));
        }
        latency = Timer.builder("steward_function_latency").description("Time from an invocation's arrival to the end of its reply")
                .tag("function", function).serviceLevelObjectives(BUCKETS_SLO).register(registry);
    }

    void started(Warmth.Start kind) {
        starts.get(kind).increment();
        if (registry != null) startsMeter.get(kind).increment();
    }

    void record(long nanos, boolean failed) {
        invocations.increment();
        if (failed) errors.increment();
        long micros = Math.max(1, nanos / 1_000);
        totalMicros.add(micros);
        buckets.incrementAndGet(Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(micros)));
        if (registry == null) return;
        invocationsMeter.increment();
        if (failed) errorsMeter.increment();
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The function is gone: its series go from /metrics. */
    void forget() {
        if (registry == null) return;
        registry.remove(invocationsMeter);
        registry.remove(errorsMeter);
        startsMeter.values().forEach(registry::remove);
        registry.remove(latency);
    }

    /** The bucket's upper bound in microseconds under which {@code q} of the latencies fall. */
    long quantileMicros(double q) {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) n += buckets.get(i);
        if (n == 0) return 0;
        long want = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += buckets.get(i);
            if (seen >= want) return 1L << (i + 1);
        }
        return 1L << BUCKETS;
    }

    long starts(Warmth.Start kind) {
        return starts.get(kind).sum();
    }

    Map<String, Object> view() {
        long n = invocations.sum();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("invocations", n);
        m.put("errors", errors.sum());
        Map<String, Object> s = new LinkedHashMap<>();
        for (Warmth.Start k : Warmth.Start.values()) s.put(k.wire(), starts(k));
        m.put("starts", s);
        m.put("latency-mean-us", n == 0 ? 0 : totalMicros.sum() / n);
        m.put("latency-p50-us", quantileMicros(0.5));
        m.put("latency-p99-us", quantileMicros(0.99));
        return m;
    }
}
