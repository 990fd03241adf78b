package dev.steward.agent.metrics;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One service's last hour at one-second resolution: {@value #SECONDS} points (requests in the second,
 * latency p50 and p99 in milliseconds, live instances). A bit per slot says whether its second was
 * sampled; the slots a late sample skipped are cleared, so a second that was never written (the agent
 * busy, or not yet running) reads as a gap, never as an older hour's value. What it costs: the bits
 * (456 bytes) and the instance count's changes, until the first request; then 12 bytes a second
 * (42 KiB) for requests and latencies.
 */
public final class SeriesRing {
    /** How many seconds a ring keeps. */
    public static final int SECONDS = 3600;
    private final ReentrantLock lock = new ReentrantLock();
    private final long created;
    private final long[] sampled = new long[(SECONDS + 63) / 64];
    private long last = Long.MIN_VALUE; // the newest second written
    private int[] requests; // made at the first request
    private float[] p50;
    private float[] p99;
    private long[] changedAt = new long[4]; // the instance count from each of these seconds on, oldest first
    private int[] changedTo = new int[4];
    private int changes;

    /** A ring for a service first seen at {@code second} (epoch seconds). */
    public SeriesRing(long second) {
        this.created = second;
    }

    /** The point of {@code second}, newer than the last one: latencies are NaN when no request ended in it. */
    public void put(long second, int requests, double p50Millis, double p99Millis, int instances) {
        if (second < created) throw new IllegalArgumentException("second: " + second + " (expected: " + created + " or later)");
        lock.lock();
        try {
            if (second <= last) throw new IllegalArgumentException("second: " + second + " (expected: after " + last + ")");
            for (long s = Math.max(last + 1, second - SECONDS + 1); s < second && last != Long.MIN_VALUE; s++) mark(s, false);
            last = second;
            mark(second, true);
            if (this.requests == null && requests > 0) {
                this.requests = new int[SECONDS];
                p50 = new float[SECONDS];
                p99 = new float[SECONDS];
                java.util.Arrays.fill(p50, Float.NaN); // the idle seconds sampled before served nothing
                java.util.Arrays.fill(p99, Float.NaN);
            }
            if (this.requests != null) {
                int i = slot(second);
                this.requests[i] = requests;
                p50[i] = (float) p50Millis;
                p99[i] = (float) p99Millis;
            }
            if (changes == 0 || changedTo[changes - 1] != instances) change(second, instances);
        } finally {
            lock.unlock();
        }
    }

    /** The last {@code seconds} seconds up to {@code now}, oldest first. */
    public Window window(long now, int seconds) {
        if (seconds < 1 || seconds > SECONDS) throw new IllegalArgumentException("seconds: " + seconds + " (expected: 1-" + SECONDS + ")");
        long from = now - seconds + 1;
        Window w = new Window(from, seconds);
        lock.lock();
        try {
            int c = 0;
            for (int k = 0; k < seconds; k++) {
                long s = from + k;
                if (s < created || s > last || s <= last - SECONDS || !isSampled(s)) continue;
                while (c + 1 < changes && changedAt[c + 1] <= s) c++;
                int live = changes > 0 && changedAt[c] <= s ? changedTo[c] : 0;
                if (requests == null) w.set(k, 0, Float.NaN, Float.NaN, live);
                else w.set(k, requests[slot(s)], p50[slot(s)], p99[slot(s)], live);
            }
        } finally {
            lock.unlock();
        }
        return w;
    }

    private void change(long second, int instances) {
        // changes older than an hour go, but for the one that still rules the hour's first second
        int drop = 0;
        while (drop + 1 < changes && changedAt[drop + 1] <= second - SECONDS) drop++;
        if (drop > 0) {
            System.arraycopy(changedAt, drop, changedAt, 0, changes - drop);
            System.arraycopy(changedTo, drop, changedTo, 0, changes - drop);
            changes -= drop;
        }
        if (changes == changedAt.length) {
            changedAt = java.util.Arrays.copyOf(changedAt, changes * 2);
            changedTo = java.util.Arrays.copyOf(changedTo, changes * 2);
        }
        changedAt[changes] = second;
        changedTo[changes] = instances;
        changes++;
    }

    private void mark(long second, boolean on) {
        int i = slot(second);
        if (on) sampled[i >> 6] |= 1L << i;
        else sampled[i >> 6] &= ~(1L << i);
    }

    private boolean isSampled(long second) {
        int i = slot(second);
        return (sampled[i >> 6] & (1L << i)) != 0;
    }

    private static int slot(long second) {
        return (int) Math.floorMod(second, (long) SECONDS);
    }

    /** Seconds {@code from}, {@code from + 1}, ...: a null is a second with no point (or no latency, when nothing was served). */
    public static final class Window {
        private final long from;
        private final Integer[] requests;
        private final Double[] p50;
        private final Double[] p99;
        private final Integer[] instances;

        Window(long from, int seconds) {
            this.from = from;
            this.requests = new Integer[seconds];
            this.p50 = new Double[seconds];
            this.p99 = new Double[seconds];
            this.instances = new Integer[seconds];
        }

        void set(int k, int n, float a, float b, int live) {
            requests[k] = n;
            p50[k] = Float.isNaN(a) ? null : round(a);
            p99[k] = Float.isNaN(b) ? null : round(b);
            instances[k] = live;
        }

        private static double round(float ms) {
            return Math.round(ms * 1000.0) / 1000.0;
        }

        public long from() {
            return from;
        }

        public java.util.List<Integer> requests() {
            return java.util.Arrays.asList(requests);
        }

        public java.util.List<Double> p50() {
            return java.util.Arrays.asList(p50);
        }

        public java.util.List<Double> p99() {
            return java.util.Arrays.asList(p99);
        }

        public java.util.List<Integer> instances() {
            return java.util.Arrays.asList(instances);
        }
    }
}
