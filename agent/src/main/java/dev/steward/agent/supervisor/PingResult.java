package dev.steward.agent.supervisor;

import java.time.Duration;

/** The outcome of one ping. */
public record PingResult(boolean passed, Duration latency, String message) {}
