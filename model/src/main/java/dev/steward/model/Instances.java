package dev.steward.model;

/** How many instances: a fixed count ({@code min == max}) or a dynamic range with a concurrency target. */
public record Instances(int min, int max, int targetConcurrency) {
    public static final int LIMIT = 10_000;

    public Instances {
        if (min < 0 || min > LIMIT) throw new IllegalArgumentException("min: " + min + " (expected: 0-" + LIMIT + ")");
        if (max < 1 || max > LIMIT) throw new IllegalArgumentException("max: " + max + " (expected: 1-" + LIMIT + ")");
        if (min > max) throw new IllegalArgumentException("min " + min + " is more than max " + max);
        if (targetConcurrency < 1) throw new IllegalArgumentException("target-concurrency: " + targetConcurrency + " (expected: 1 or more)");
    }

    public static Instances fixed(int n) {
        return new Instances(n, n, 10);
    }

    public int clamp(int wanted) {
        return Math.max(min, Math.min(max, wanted));
    }
}
