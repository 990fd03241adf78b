package dev.steward.agent.functions;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** One function's invocations, errors and latencies (in buckets of powers of two microseconds), over all its versions. */
final class FunctionStats {
    private static final int BUCKETS = 40;
    private final LongAdder invocations = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder totalMicros = new LongAdder();
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);

    void record(long nanos, boolean failed) {
        invocations.increment();
        if (failed) errors.increment();
        long micros = Math.max(1, nanos / 1_000);
        totalMicros.add(micros);
        buckets.incrementAndGet(Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(micros)));
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

    Map<String, Object> view() {
        long n = invocations.sum();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("invocations", n);
        m.put("errors", errors.sum());
        m.put("latency-mean-us", n == 0 ? 0 : totalMicros.sum() / n);
        m.put("latency-p50-us", quantileMicros(0.5));
        m.put("latency-p99-us", quantileMicros(0.99));
        return m;
    }
}
