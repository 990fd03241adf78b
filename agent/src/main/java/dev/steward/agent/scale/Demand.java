package dev.steward.agent.scale;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Requests in flight per service through the gateway (held ones included), integrated over time so
 * that the autoscaler sees the true average concurrency between two looks, however short the
 * requests. The one owner of those counts; written by the gateway's event loops.
 */
public final class Demand {
    private final Map<String, Meter> meters = new ConcurrentHashMap<>();
    private final LongSupplier nanos;

    /** @param nanos the clock, in nanoseconds ({@code System::nanoTime} in the agent) */
    public Demand(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** One service's meter: the current count and the area under it since the last look. */
    public static final class Meter {
        private final LongSupplier nanos;
        private int current;
        private long last;
        private long start;
        private double area;

        Meter(LongSupplier nanos) {
            this.nanos = nanos;
            last = start = nanos.getAsLong();
        }

        public synchronized void begin() {
            advance(nanos.getAsLong());
            current++;
        }

        public synchronized void end() {
            advance(nanos.getAsLong());
            if (current > 0) current--;
        }

        private void advance(long now) {
            area += (double) current * (now - last);
            last = now;
        }

        /** The average concurrency since the previous call, and resets the area. */
        synchronized double sample() {
            long now = nanos.getAsLong();
            long since = Math.max(1, now - start);
            advance(now);
            double avg = area / since;
            area = 0;
            start = now;
            return avg;
        }

        public synchronized int current() {
            return current;
        }
    }

    public Meter of(String service) {
        return meters.computeIfAbsent(service, k -> new Meter(nanos));
    }
}
