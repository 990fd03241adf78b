package dev.steward.agent.health;

import java.time.Duration;

/**
 * The outcome of one ping; {@code recommend} is the number of instances the service asked for
 * (an HTTP {@code X-Steward-Recommend} header, or an exec ping's {@code recommend=N} line), or null.
 */
public record PingResult(boolean passed, Duration latency, String message, Integer recommend) {
    public PingResult(boolean passed, Duration latency, String message) {
        this(passed, latency, message, null);
    }
}
