package dev.steward.agent.mesh;

import java.util.Arrays;

/** The last few round trips to one node and their median, written by the one prober and read by anyone. */
final class Samples {
    static final int KEPT = 9;
    private final long[] ring = new long[KEPT];
    private int size;
    private int next;
    private volatile long median = -1;

    /** Adds a sample (nanoseconds) and works out the median of those kept. */
    void add(long nanos) {
        if (nanos < 0) throw new IllegalArgumentException("round trip: " + nanos + " ns (expected: 0 or more)");
        ring[next] = nanos;
        next = (next + 1) % KEPT;
        size = Math.min(size + 1, KEPT);
        long[] sorted = Arrays.copyOf(ring, size);
        Arrays.sort(sorted);
        median = size % 2 == 1 ? sorted[size / 2] : (sorted[size / 2 - 1] + sorted[size / 2]) / 2;
    }

    /** The median of the recent samples in nanoseconds, -1 before the first. */
    long median() {
        return median;
    }
}
