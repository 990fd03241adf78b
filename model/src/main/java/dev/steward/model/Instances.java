package dev.steward.model;

import java.time.Duration;

/**
 * How many instances: a fixed count ({@code min == max}) or a dynamic range that follows the requests
 * in flight per instance against {@code targetConcurrency}, averaged over {@code stableWindow}, with
 * {@code panicWindow} for bursts.
 */
public record Instances(int min, int max, int targetConcurrency, Duration stableWindow, Duration panicWindow) {
    public static final int LIMIT = 10_000;
    public static final Duration STABLE_WINDOW = Duration.ofSeconds(60);
    public static final Duration PANIC_WINDOW = Duration.ofSeconds(6);

    public Instances {
        if (min < 0 || min > LIMIT) throw new IllegalArgumentException("min: " + min + " (expected: 0-" + LIMIT + ")");
        if (max < 1 || max > LIMIT) throw new IllegalArgumentException("max: " + max + " (expected: 1-" + LIMIT + ")");
        if (min > max) throw new IllegalArgumentException("min " + min + " is more than max " + max);
        if (targetConcurrency < 1) throw new IllegalArgumentException("target-concurrency: " + targetConcurrency + " (expected: 1 or more)");
        if (stableWindow == null) stableWindow = STABLE_WINDOW;
        if (panicWindow == null) panicWindow = PANIC_WINDOW;
    }

    public Instances(int min, int max, int targetConcurrency) {
        this(min, max, targetConcurrency, STABLE_WINDOW, PANIC_WINDOW);
    }

    public static Instances fixed(int n) {
        return new Instances(n, n, 10);
    }

    public int clamp(int wanted) {
        return Math.max(min, Math.min(max, wanted));
    }
}
