package dev.steward.agent.scale;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests in flight per service through the gateway (held ones included), integrated over time so
 * that the autoscaler sees the true average concurrency between two looks, however short the
 * requests. The one owner of those counts; written by the gateway's event loops.
 */
public final class Demand {
    private final Map<String, Meter> meters = new ConcurrentHashMap<>();

    /** One service's meter: the current count and the area under it since the last look. */
    public static final class Meter {
        private int current;
        private long last = System.nanoTime();
        private double area;
        private long lastEnd;

        public synchronized void begin() {
            advance(System.nanoTime());
            current++;
        }

        public synchronized void end() {
            long now = System.nanoTime();
            advance(now);
            if (current > 0) current--;
            lastEnd = now;
        }

        private void advance(long now) {
            area += (double) current * (now - last);
            last = now;
        }

        /** The average concurrency since the previous call, and resets the area. */
        synchronized double sample() {
            long now = System.nanoTime();
            long since = Math.max(1, now - start);
            advance(now);
            double avg = area / since;
            area = 0;
            start = now;
            return avg;
        }

        private long start = System.nanoTime();

        public synchronized int current() {
            return current;
        }

        /** When the last request ended ({@link System#nanoTime()}), 0 if none has. */
        public synchronized long lastEnd() {
            return lastEnd;
        }
    }

    public Meter of(String service) {
        return meters.computeIfAbsent(service, k -> new Meter());
    }

    public void forget(String service) {
        meters.remove(service);
    }
}
