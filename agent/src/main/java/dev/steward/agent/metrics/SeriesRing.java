package dev.steward.agent.metrics;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One service's last hour at one-second resolution: a ring of {@value #SECONDS} points (requests in
 * the second, latency p50 and p99 in milliseconds, live instances), each stamped with its second so
 * a second that was never written (the agent busy, or not yet running) reads as a gap, never as an
 * older hour's value. Its arrays are made at the first point with traffic or instances: a service
 * that stays idle costs a few bytes.
 */
public final class SeriesRing {
    /** How many seconds a ring keeps. */
    public static final int SECONDS = 3600;
    private final ReentrantLock lock = new ReentrantLock();
    private final long created;
    private long[] stamp; // the second each slot holds, plus one (0: never written)
    private int[] requests;
    private float[] p50;
    private float[] p99;
    private int[] instances;

    /** A ring for a service first seen at {@code second} (epoch seconds): idle from then until a point says otherwise. */
    public SeriesRing(long second) {
        this.created = second;
    }

    /** The point of {@code second}: latencies are NaN when no request ended in it. */
    public void put(long second, int requests, double p50Millis, double p99Millis, int instances) {
        if (second < created) throw new IllegalArgumentException("second: " + second + " (expected: " + created + " or later)");
        lock.lock();
        try {
            if (stamp == null) {
                if (requests == 0 && instances == 0) return; // still idle: nothing to keep
                allocate(second);
            }
            int i = slot(second);
            stamp[i] = second + 1;
            this.requests[i] = requests;
            this.p50[i] = (float) p50Millis;
            this.p99[i] = (float) p99Millis;
            this.instances[i] = instances;
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
            for (int k = 0; k < seconds; k++) {
                long s = from + k;
                if (s < created) continue;
                if (stamp == null) {
                    w.idle(k);
                } else {
                    int i = slot(s);
                    if (stamp[i] == s + 1) w.set(k, requests[i], p50[i], p99[i], instances[i]);
                }
            }
        } finally {
            lock.unlock();
        }
        return w;
    }

    private void allocate(long second) {
        stamp = new long[SECONDS];
        requests = new int[SECONDS];
        p50 = new float[SECONDS];
        p99 = new float[SECONDS];
        instances = new int[SECONDS];
        java.util.Arrays.fill(p50, Float.NaN);
        java.util.Arrays.fill(p99, Float.NaN);
        // the seconds since the service was first seen were idle ones, known as such
        for (long s = Math.max(created, second - SECONDS + 1); s < second; s++) stamp[slot(s)] = s + 1;
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

        void idle(int k) {
            requests[k] = 0;
            instances[k] = 0;
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
