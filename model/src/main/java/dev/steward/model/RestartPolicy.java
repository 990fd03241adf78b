package dev.steward.model;

import java.time.Duration;

/**
 * When a failed instance is started again: after {@code delay}, doubling up to {@code maxDelay};
 * {@code failuresLimit} failures within {@code window} disable the service.
 */
public record RestartPolicy(Duration delay, Duration maxDelay, int failuresLimit, Duration window) {
    public static final RestartPolicy DEFAULT =
            new RestartPolicy(Duration.ofMillis(100), Duration.ofSeconds(10), 5, Duration.ofMinutes(10));

    public RestartPolicy {
        if (delay.isNegative()) throw new IllegalArgumentException("delay must not be negative");
        if (maxDelay.compareTo(delay) < 0) throw new IllegalArgumentException("max-delay " + Durations.format(maxDelay) + " is less than delay " + Durations.format(delay));
        if (failuresLimit < 1) throw new IllegalArgumentException("failures-limit: " + failuresLimit + " (expected: 1 or more)");
        if (window.isZero() || window.isNegative()) throw new IllegalArgumentException("window must be positive");
    }
}
